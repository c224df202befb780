import type { PodmanOptions } from './podman';
import { podman, podmanError } from './podman';

/** How a worker pulls step images it does not have (from dockyard). */
export interface RegistryAccess {
  /** podman authfile with the worker's credentials; never a command-line password */
  authfile?: string;
  /** registries (`host:port`) spoken to over plain HTTP, dockyard on loopback */
  insecure?: string[];
  /** dockyard's `host:port`: images named `<project>/<repo>:<tag>` with no registry come from it */
  dockyard?: string;
}

/**
 * `containerops/node:bookworm` (a project path, no registry host) is a dockyard repository: no
 * public registry is reachable, and dockyard is the platform's own. Other names stay as written.
 */
export function resolveImage(image: string, registry: RegistryAccess | undefined): string {
  const first = image.split('/')[0]!;
  const hasHost = first.includes('.') || first.includes(':') || first === 'localhost';
  return registry?.dockyard && image.includes('/') && !hasHost ? `${registry.dockyard}/${image}` : image;
}

/** Pulls `image`, telling the step's log that it does (a cold image takes a while). */
export async function pullImage(
  options: PodmanOptions,
  image: string,
  registry: RegistryAccess | undefined,
  log: (line: string) => void,
): Promise<{ ok: true } | { ok: false; message: string }> {
  const host = image.split('/')[0] ?? '';
  const args = ['pull'];
  if (registry?.authfile) args.push('--authfile', registry.authfile);
  if (registry?.insecure?.includes(host)) args.push('--tls-verify=false');
  log(`[containerops] image ${image} is not on this machine; pulling it`);
  const result = await podman(options, [...args, image], {
    onStderr: (chunk) => {
      for (const line of chunk.split('\n')) if (line.trim()) log(`[containerops] ${line.trim()}`);
    },
  });
  if (result.code === 0) return { ok: true };
  return { ok: false, message: `cannot pull image ${image}: ${podmanError(result)}` };
}
