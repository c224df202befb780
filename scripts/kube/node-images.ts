/**
 * Images of the real node's containerd that come from this machine, not a registry: the sandbox
 * ("pause") image, built here from scripts/kube/pause.c with `gcc -static` into a one-file image
 * (cached beside the node's binaries), and images of podman's store, by `podman save`.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { podmanArgs } from '../images/debian';
import { writeOciArchive } from './oci-archive';

/** The sandbox image's name in containerd's configuration (never pulled: imported). */
export const PAUSE_IMAGE = 'localhost/containerops/pause:1';

/** `ctr` on the node's own containerd, in the CRI's namespace. */
export function ctr(socket: string, ...args: string[]): string {
  return execFileSync('ctr', ['--address', socket, '--namespace', 'k8s.io', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The pause image archive, built once per source text into `cacheDir`. */
export async function pauseArchive(cacheDir: string): Promise<string> {
  const source = path.join(__dirname, 'pause.c');
  const key = crypto.createHash('sha256').update(fs.readFileSync(source)).digest('hex').slice(0, 12);
  const archive = path.join(cacheDir, `pause-${key}.tar`);
  if (fs.existsSync(archive)) return archive;
  fs.mkdirSync(cacheDir, { recursive: true });
  const binary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'co-pause-')), 'pause');
  try {
    execFileSync('gcc', ['-static', '-O2', '-o', binary, source], { stdio: ['ignore', 'ignore', 'pipe'] });
    const partial = `${archive}.partial-${process.pid}`;
    await writeOciArchive(partial, PAUSE_IMAGE, { pause: binary }, ['/pause']);
    fs.renameSync(partial, archive);
    return archive;
  } finally {
    fs.rmSync(path.dirname(binary), { recursive: true, force: true });
  }
}

export async function importPauseImage(socket: string, cacheDir: string): Promise<void> {
  ctr(socket, 'images', 'import', await pauseArchive(cacheDir));
}

/** Copies an image of podman's store into the node's containerd under the same name. */
export function importPodmanImage(socket: string, name: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-save-'));
  try {
    const archive = path.join(dir, 'image.tar');
    execFileSync('podman', podmanArgs('save', '--quiet', '--format', 'docker-archive', '-o', archive, name), {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    ctr(socket, 'images', 'import', archive);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
