import crypto from 'node:crypto';
import type { Config } from '../../lib/config';
import type { Db } from '../../lib/db';
import type { RunStepInput } from '../../contract';
import { DockyardClient } from '../dockyard/client';
import { unpackArtifact } from '../dockyard/pack';
import type { WorkspaceChanges } from './workspace-changes';

const PREFIX = '[containerops] memoize';

/** A snapshot's name in its run: `[` cannot start an artifact's or an output's name, so none collides. */
export function snapshotName(stepId: string, matrixKey: string): string {
  const matrix = matrixKey
    ? `.${crypto.createHash('sha256').update(matrixKey).digest('hex').slice(0, 16)}`
    : '';
  return `[workspace]${stepId}${matrix}`;
}

async function clientFor(deps: { config: Config; db: Db }, input: RunStepInput): Promise<DockyardClient> {
  const project = await deps.db.project.findUniqueOrThrow({ where: { name: input.project } });
  return DockyardClient.forRun(deps.config, {
    project: input.project,
    projectId: project.id,
    runId: input.runId,
    timeoutMs: input.timeoutMs,
  });
}

/**
 * After a memoized step succeeded: the workspace files it created or changed are stored as one
 * content-addressed snapshot, restored when the step is reused. Past the bound (or when they cannot
 * be stored) the attempt is marked not memoizable, with the reason shown beside its fingerprint.
 */
export async function recordWorkspaceChanges(
  deps: { config: Config; db: Db },
  input: RunStepInput,
  changes: WorkspaceChanges,
  log: (line: string) => void,
): Promise<void> {
  const key = { runId: input.runId, stepId: input.stepId, matrixKey: input.matrixKey };
  let data: { workspaceSnapshot?: string; notMemoizable?: string };
  try {
    const found = await changes.after(deps.config.CO_MEMOIZE_SNAPSHOT_MAX_BYTES);
    if (found.tooLarge) data = { notMemoizable: found.tooLarge };
    else if (!found.files.length) data = {};
    else {
      const client = await clientFor(deps, input);
      const facts = { step: input.stepId, matrix: input.matrixKey, attempt: input.attempt };
      const name = snapshotName(input.stepId, input.matrixKey);
      const stored = await client.putSnapshot(input.runId, name, changes.pack(found.files), facts);
      data = { workspaceSnapshot: stored.digest };
      log(
        `${PREFIX}: ${found.files.length} workspace files the step created or changed stored (${stored.size} bytes, ${stored.digest})`,
      );
    }
  } catch (err) {
    data = {
      notMemoizable:
        `its workspace changes could not be stored: ${err instanceof Error ? err.message : String(err)}`.slice(
          0,
          500,
        ),
    };
  }
  if (data.notMemoizable) log(`${PREFIX}: this attempt will not stand in for another: ${data.notMemoizable}`);
  await deps.db.stepRun.updateMany({
    where: key,
    data: { workspaceSnapshot: data.workspaceSnapshot ?? null, notMemoizable: data.notMemoizable ?? null },
  });
}

/** Unpacks the reused attempt's workspace changes (already adopted as this run's) into the workspace. */
export async function restoreWorkspaceChanges(
  deps: { config: Config; db: Db },
  input: RunStepInput,
  source: { number: number },
  workspace: string,
  log: (line: string) => void,
): Promise<void> {
  const client = await clientFor(deps, input);
  const stream = await client.getSnapshot(input.runId, snapshotName(input.stepId, input.matrixKey));
  if (!stream) throw new Error('its workspace snapshot is no longer stored');
  await unpackArtifact(workspace, stream);
  log(`${PREFIX}: the workspace files run #${source.number} created or changed restored`);
}
