import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { TERMINAL_RUN_STATUSES } from '../contract';

const SWEEP_EVERY_MS = 10 * 60_000;
/** A finished run's workspace stays this long (a rerun from failed may still be started on top of it). */
export const WORKSPACE_RETENTION_MS = 60 * 60_000;

/** Removes local-runtime workspaces whose runs all finished more than the retention ago (or that no run claims). */
export async function sweepWorkspaces(
  config: Config,
  db: Db,
  now = Date.now(),
): Promise<{ removed: string[]; kept: number }> {
  const root = path.join(config.dataDir, 'workspaces');
  const entries = await fs.promises.readdir(root, { withFileTypes: true }).catch(() => []);
  const ids = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  if (ids.length === 0) return { removed: [], kept: 0 };
  // a workspace is shared by a run and its reruns: it goes once every one of them is done with it
  const runs = await db.run.findMany({
    where: { OR: [{ id: { in: ids } }, { workspaceId: { in: ids } }] },
    select: { id: true, workspaceId: true, status: true, finishedAt: true },
  });
  const removed: string[] = [];
  for (const id of ids) {
    const users = runs.filter((r) => (r.workspaceId ?? r.id) === id);
    const expired = users.every(
      (r) =>
        (TERMINAL_RUN_STATUSES as readonly string[]).includes(r.status) &&
        r.finishedAt !== null &&
        now - r.finishedAt.getTime() > WORKSPACE_RETENTION_MS,
    );
    if (!expired) continue;
    await fs.promises.rm(path.join(root, id), { recursive: true, force: true });
    removed.push(id);
  }
  return { removed, kept: ids.length - removed.length };
}

export function scheduleWorkspaceSweep(deps: { config: Config; db: Db; logger: Logger }): () => void {
  const timer = setInterval(() => {
    sweepWorkspaces(deps.config, deps.db).then(
      ({ removed }) => removed.length && deps.logger.info({ removed }, 'removed finished runs’ workspaces'),
      (err) => deps.logger.warn({ err }, 'workspace sweep failed'),
    );
  }, SWEEP_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
