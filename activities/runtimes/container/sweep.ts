import { LABELS, ownerAlive } from './labels';
import { podman, type PodmanOptions } from './podman';

interface Listed {
  Id: string;
  Names?: string[];
  Labels?: Record<string, string> | null;
}

/**
 * Removes step containers whose worker process is gone (killed with -9, the machine's power cut):
 * a worker runs this when it starts. Containers of live workers, on this host or another, stay.
 */
export async function sweepStepContainers(options: PodmanOptions): Promise<string[]> {
  const listed = await podman(options, [
    'ps',
    '--all',
    '--filter',
    `label=${LABELS.owner}`,
    '--format',
    'json',
  ]);
  if (listed.code !== 0) throw new Error(`podman ps failed: ${listed.stderr.trim()}`);
  const containers = JSON.parse(listed.stdout || '[]') as Listed[];
  const orphans = containers.filter((c) => !ownerAlive(c.Labels?.[LABELS.owner] ?? ''));
  if (orphans.length === 0) return [];
  const ids = orphans.map((c) => c.Id);
  const removed = await podman(options, ['rm', '--force', '--time', '0', '--ignore', ...ids]);
  if (removed.code !== 0) throw new Error(`podman rm failed: ${removed.stderr.trim()}`);
  return orphans.map((c) => c.Names?.[0] ?? c.Id);
}
