import fs from 'node:fs';
import path from 'node:path';
import { BUILTIN_COMPONENTS_DIR, readBuiltinComponents } from '../../api/nucleus/builtins';
import type { ComponentSpec } from '../../pipeline';
import { podmanArgs, runLogged } from './debian';
import { pinnedRef, platformRef, pushImage, type Dockyard } from './dockyard';

/** Which platform image a built-in's Dockerfile builds FROM: `${BASE}` or `${NODE}` (Node.js). */
export function platformParent(
  spec: ComponentSpec,
  dir = BUILTIN_COMPONENTS_DIR,
): 'base' | 'node' | undefined {
  const dockerfile = path.join(dir, spec.name, 'Dockerfile');
  const text = fs.existsSync(dockerfile) ? fs.readFileSync(dockerfile, 'utf8') : '';
  if (/^FROM \$\{BASE\}$/m.test(text)) return 'base';
  if (/^FROM \$\{NODE\}$/m.test(text)) return 'node';
  return undefined;
}

/** Built-ins whose Dockerfile builds FROM a platform image (the others run in the worker or need kaniko). */
export function imageComponents(dir = BUILTIN_COMPONENTS_DIR): ComponentSpec[] {
  return readBuiltinComponents(dir).filter((spec) => platformParent(spec, dir) !== undefined);
}

async function imageId(name: string): Promise<string | undefined> {
  let id = '';
  await runLogged(
    'podman',
    podmanArgs('image', 'inspect', '--format', '{{.Id}}', name),
    (l) => (id += l),
  ).catch(() => (id = ''));
  return id.trim() || undefined;
}

export const componentRepo = (spec: ComponentSpec) => `components/${spec.name}`;

/**
 * Builds one built-in's image with buildah (chroot isolation: no daemon) FROM `parents.base` or
 * `parents.node` (the Dockerfile's `BASE` and `NODE` build arguments), pushes it
 * to dockyard and returns the reference pinned by digest.
 */
export async function buildComponentImage(
  dockyard: Dockyard,
  spec: ComponentSpec,
  parents: { base: string; node?: string },
  log: (line: string) => void,
  dir = BUILTIN_COMPONENTS_DIR,
): Promise<string> {
  const local = `localhost/containerops/${componentRepo(spec)}:${spec.version}`;
  const parent = platformParent(spec, dir) === 'node' ? parents.node : parents.base;
  if (!parent) throw new Error(`${spec.name} builds FROM the Node.js image, which is not in dockyard`);
  log(`building ${local} FROM ${parent}`);
  // --timestamp 0: the same Dockerfile on the same base is the same image, so the same digest
  const args = ['bud', '--isolation', 'chroot', '--pull=false', '--layers=false', '--timestamp', '0'];
  const parentArg = platformParent(spec, dir) === 'node' ? 'NODE' : 'BASE';
  args.push('--build-arg', `${parentArg}=${parent}`, '-t', local, path.join(dir, spec.name));
  const before = await imageId(local);
  await runLogged('buildah', args, log);
  // the image it replaced (another dockyard's base name, another entrypoint) is dangling now
  if (before && before !== (await imageId(local)))
    await runLogged('podman', podmanArgs('rmi', before), log).catch(() => undefined);
  const remote = platformRef(dockyard, componentRepo(spec), spec.version);
  return pinnedRef(remote, await pushImage(dockyard, local, remote, log));
}
