import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { TERMINAL_RUN_STATUSES } from '../contract';

/**
 * Removes the workspace of a run that succeeded, as it finishes: the files its steps left there
 * (sources, secrets a step wrote down) do not outlive it. A run that failed keeps its workspace
 * for a rerun from failed until the worker's sweep (workers/workspace-sweep.ts) removes it; so
 * does a workspace another unfinished run (a rerun) still uses.
 */
export async function removeSucceededRunWorkspace(config: Config, db: Db, runId: string): Promise<void> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { workspaceId: true } });
  if (!run) return;
  const workspaceId = run.workspaceId ?? runId;
  const others = await db.run.count({
    where: {
      id: { not: runId },
      OR: [{ id: workspaceId }, { workspaceId }],
      status: { notIn: [...TERMINAL_RUN_STATUSES] },
    },
  });
  if (others > 0) return;
  await fs.promises.rm(path.join(config.dataDir, 'workspaces', workspaceId), {
    recursive: true,
    force: true,
  });
}
