import fs from 'node:fs';
import path from 'node:path';
import { builtinImage, pinBuiltinImage } from '../../api/nucleus/builtins';
import type { Db } from '../../lib/db';
import { buildComponentImage, componentRepo, imageComponents, platformParent } from './components';
import { ensureDebianImage, PLATFORM_IMAGES, type DebianImage } from './debian';
import { pinnedRef, platformRef, pushImage, registryHost, type Dockyard } from './dockyard';

export interface PlatformImagesOptions {
  dockyard: Dockyard;
  db: Db;
  log: (line: string) => void;
  /** build and push again even when dockyard already has pinned images */
  force?: boolean;
  /** the Node.js image too (steps that build Node.js projects) */
  node?: boolean;
  /** where the pushed references are recorded (`images.json`) */
  dataDir: string;
}

type Recorded = Record<string, string>;

const recordFile = (dataDir: string) => path.join(dataDir, 'images.json');

export function recordedImages(dataDir: string): Recorded {
  try {
    return JSON.parse(fs.readFileSync(recordFile(dataDir), 'utf8')) as Recorded;
  } catch {
    return {};
  }
}

function record(dataDir: string, name: string, ref: string): void {
  const all = { ...recordedImages(dataDir), [name]: ref };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(recordFile(dataDir), `${JSON.stringify(all, null, 2)}\n`);
}

/** A Debian image built (or taken from the cache) and pushed; its dockyard reference by tag. */
async function pushDebian(options: PlatformImagesOptions, image: DebianImage): Promise<string> {
  const local = await ensureDebianImage(image, options.log);
  const repo = image.name.split('/').slice(1).join('/');
  const remote = platformRef(options.dockyard, repo, image.suite);
  const digest = await pushImage(options.dockyard, local, remote, options.log);
  record(options.dataDir, image.name, pinnedRef(remote, digest));
  options.log(`${remote} is ${digest}`);
  return remote;
}

/** Is a built-in already pinned to an image of this dockyard? */
async function pinnedHere(options: PlatformImagesOptions, name: string, version: string): Promise<boolean> {
  const image = await builtinImage(options.db, name, version);
  return !!image?.startsWith(`${registryHost(options.dockyard.url)}/`) && image.includes('@sha256:');
}

/**
 * The platform's images in dockyard: the Debian base (and Node.js) images, then every built-in
 * component's image FROM the base, each pinned by digest in its catalog entry. Images already
 * pinned here are left alone unless `force`.
 */
export async function ensurePlatformImages(options: PlatformImagesOptions): Promise<Recorded> {
  const components = imageComponents();
  const missing = [];
  for (const spec of components)
    if (options.force || !(await pinnedHere(options, spec.name, spec.version))) missing.push(spec);
  if (missing.length > 0 || options.force || !recordedImages(options.dataDir)[PLATFORM_IMAGES.base.name]) {
    const base = await pushDebian(options, PLATFORM_IMAGES.base);
    // components that build FROM the Node.js image need it in dockyard first
    const node = missing.some((spec) => platformParent(spec) === 'node')
      ? await pushDebian(options, PLATFORM_IMAGES.node)
      : undefined;
    for (const spec of missing) {
      const ref = await buildComponentImage(options.dockyard, spec, { base, node }, options.log);
      await pinBuiltinImage(options.db, spec.name, spec.version, ref);
      record(options.dataDir, componentRepo(spec), ref);
      options.log(`${spec.name}@${spec.version} pinned to ${ref}`);
    }
  }
  if (options.node && (options.force || !recordedImages(options.dataDir)[PLATFORM_IMAGES.node.name])) {
    await pushDebian(options, PLATFORM_IMAGES.node);
  }
  return recordedImages(options.dataDir);
}
