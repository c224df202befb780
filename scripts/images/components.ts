import fs from 'node:fs';
import path from 'node:path';
import { BUILTIN_COMPONENTS_DIR, readBuiltinComponents } from '../../api/nucleus/builtins';
import type { ComponentSpec } from '../../pipeline';
import { podmanArgs, runLogged } from './debian';
import { pinnedRef, platformRef, pushImage, type Dockyard } from './dockyard';

/** Built-ins whose Dockerfile builds FROM the platform base (the others run in the worker or need kaniko). */
export function imageComponents(dir = BUILTIN_COMPONENTS_DIR): ComponentSpec[] {
  return readBuiltinComponents(dir).filter((spec) => {
    const dockerfile = path.join(dir, spec.name, 'Dockerfile');
    return fs.existsSync(dockerfile) && /^FROM \$\{BASE\}$/m.test(fs.readFileSync(dockerfile, 'utf8'));
  });
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
 * Builds one built-in's image with buildah (chroot isolation: no daemon) FROM `base`, pushes it
 * to dockyard and returns the reference pinned by digest.
 */
export async function buildComponentImage(
  dockyard: Dockyard,
  spec: ComponentSpec,
  base: string,
  log: (line: string) => void,
  dir = BUILTIN_COMPONENTS_DIR,
): Promise<string> {
  const local = `localhost/containerops/${componentRepo(spec)}:${spec.version}`;
  log(`building ${local} FROM ${base}`);
  // --timestamp 0: the same Dockerfile on the same base is the same image, so the same digest
  const args = ['bud', '--isolation', 'chroot', '--pull=false', '--layers=false', '--timestamp', '0'];
  args.push('--build-arg', `BASE=${base}`, '-t', local, path.join(dir, spec.name));
  const before = await imageId(local);
  await runLogged('buildah', args, log);
  // the image it replaced (another dockyard's base name, another entrypoint) is dangling now
  if (before && before !== (await imageId(local)))
    await runLogged('podman', podmanArgs('rmi', before), log).catch(() => undefined);
  const remote = platformRef(dockyard, componentRepo(spec), spec.version);
  return pinnedRef(remote, await pushImage(dockyard, local, remote, log));
}
