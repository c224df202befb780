import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GLOBAL_FLAGS } from '../../activities/runtimes/container/podman';

/**
 * Platform images made from Debian packages: mmdebstrap writes a minbase root filesystem as a
 * tarball (cached, keyed by what went into it), `podman import` makes it an image. No image
 * registry is needed: Debian's mirror is the only source.
 */
export interface DebianImage {
  /** local image name, `localhost/containerops/<name>:<suite>` */
  name: string;
  suite: string;
  packages: string[];
}

/** The tools the built-in components run: git-clone, http-request, webhook/mail-notify, image-copy. */
const BASE_PACKAGES = ['ca-certificates', 'curl', 'git', 'openssh-client', 'skopeo'];

export const PLATFORM_IMAGES: Record<'base' | 'node', DebianImage> = {
  base: { name: 'containerops/base', suite: 'bookworm', packages: BASE_PACKAGES },
  // steps that build Node.js projects (examples/node-app.yaml): Debian's nodejs and npm
  node: {
    name: 'containerops/node',
    suite: 'bookworm',
    packages: ['ca-certificates', 'curl', 'git', 'openssh-client', 'nodejs', 'npm'],
  },
};

export const localName = (image: DebianImage) => `localhost/${image.name}:${image.suite}`;

export function cacheDir(): string {
  return process.env.CO_IMAGE_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'containerops', 'images');
}

/** What decides the root filesystem: the same key, the same tarball. */
export function imageKey(image: DebianImage, mirror: string): string {
  const packages = [...new Set(image.packages)].sort().join(',');
  return crypto
    .createHash('sha256')
    .update(`minbase\0${image.suite}\0${packages}\0${mirror}`)
    .digest('hex')
    .slice(0, 16);
}

/** The Debian mirror apt uses on this machine (deb822 `URIs:` or a `deb` line); CO_DEBIAN_MIRROR wins. */
export function debianMirror(): string {
  if (process.env.CO_DEBIAN_MIRROR) return process.env.CO_DEBIAN_MIRROR;
  const files = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  if (fs.existsSync(dir)) files.push(...fs.readdirSync(dir).map((f) => path.join(dir, f)));
  for (const file of files) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    for (const line of text.split('\n')) {
      const uri = /^URIs:\s*(\S+)/.exec(line)?.[1] ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(line)?.[1];
      if (uri && !uri.includes('security')) return uri;
    }
  }
  return 'http://deb.debian.org/debian';
}

/** Runs a program, passing its output lines to `log` (builds take a while: they show progress). */
export function runLogged(file: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        log(line.trimEnd());
        tail = line;
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(file)} failed (${code}): ${tail}`)),
    );
  });
}

export const podmanArgs = (...args: string[]) => [...GLOBAL_FLAGS, ...args];

/** The key label of a local image, or undefined when there is no such image. */
export async function localImageKey(name: string): Promise<string | undefined> {
  let out = '';
  await runLogged(
    'podman',
    podmanArgs('image', 'inspect', '--format', '{{index .Labels "containerops.key"}}', name),
    (line) => (out += line),
  ).catch(() => (out = ''));
  return out.trim() || undefined;
}

function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * Makes the image unless an image of the same key is already here: the tarball comes from the
 * cache or from mmdebstrap (~1 min for the base image on a warm mirror). Returns the local name.
 */
export async function ensureDebianImage(image: DebianImage, log: (line: string) => void): Promise<string> {
  const mirror = debianMirror();
  const key = imageKey(image, mirror);
  const name = localName(image);
  if ((await localImageKey(name)) === key) return name;
  const dir = cacheDir();
  await fs.promises.mkdir(dir, { recursive: true });
  const tarball = path.join(dir, `${image.name.replace(/\//g, '_')}-${image.suite}-${key}.tar`);
  if (!isFile(tarball)) {
    log(`building ${name} from Debian ${image.suite} (${image.packages.join(', ')}) with mmdebstrap`);
    const partial = `${tarball}.partial-${process.pid}`;
    const include = `--include=${image.packages.join(',')}`;
    // the format is explicit: mmdebstrap guesses it from the file's extension, and `.partial-N` has none
    const args = ['--variant=minbase', '--format=tar', include, image.suite, partial, mirror];
    await runLogged('mmdebstrap', args, log);
    await fs.promises.rename(partial, tarball);
  }
  log(`importing ${path.basename(tarball)} as ${name}`);
  const changes = ['CMD ["/bin/sh"]', `LABEL containerops.key=${key}`, 'WORKDIR /workspace'];
  const args = podmanArgs('import', ...changes.flatMap((c) => ['--change', c]), tarball, name);
  await runLogged('podman', args, log);
  return name;
}
