import crypto from 'node:crypto';
import type { Config } from '../../lib/config';
import type { Db } from '../../lib/db';
import { findOutputRefs, parseOutputRef } from '../../contract/output-refs';
import type { RunStepInput } from '../../contract';
import { DockyardClient } from '../dockyard/client';
import { unpackArtifact } from '../dockyard/pack';
import type { Fingerprint } from './fingerprint';
import { restoreWorkspaceChanges, snapshotName } from './snapshot';

/** This run, then the run whose workspace it continues (a rerun): where input artifacts are found. */
const runIdsOf = (input: RunStepInput) => [
  ...new Set([input.runId, input.workspaceId].filter((r): r is string => !!r)),
];

/** Digests of the step's input artifacts, by name; a missing one is left out (the step fails on it anyway). */
export async function inputArtifactDigests(db: Db, input: RunStepInput): Promise<Record<string, string>> {
  const names = (input.artifacts?.in ?? []).map((a) => a.name);
  if (!names.length) return {};
  const rows = await db.artifact.findMany({
    where: { runId: { in: runIdsOf(input) }, name: { in: names }, kind: 'artifact' },
  });
  const byName: Record<string, string> = {};
  // this run's own artifact wins over the continued run's
  for (const id of runIdsOf(input).reverse()) {
    for (const r of rows) if (r.runId === id) byName[r.name] = r.digest;
  }
  return byName;
}

export interface MemoizedAttempt {
  runId: string;
  number: number;
  outputs: Record<string, string>;
  exitCode: number | null;
  /** digest of the workspace files it created or changed, when it left any */
  workspaceSnapshot: string | null;
}

/**
 * The newest successful attempt in the project with this fingerprint, run for real (a stand-in is
 * never the source of another: its age is its source's), within `maxAgeMs`; undefined when the
 * run asked for no reuse.
 */
export async function findMemoized(
  db: Db,
  input: RunStepInput,
  fingerprint: string,
  maxAgeMs?: number,
): Promise<MemoizedAttempt | undefined> {
  const run = await db.run.findUnique({
    where: { id: input.runId },
    select: { projectId: true, noCache: true },
  });
  if (!run || run.noCache) return undefined;
  const row = await db.stepRun.findFirst({
    where: {
      fingerprint,
      status: 'succeeded',
      cachedFromRunId: null,
      notMemoizable: null,
      runId: { not: input.runId },
      run: { projectId: run.projectId },
      ...(maxAgeMs !== undefined ? { finishedAt: { gte: new Date(Date.now() - maxAgeMs) } } : {}),
    },
    orderBy: { finishedAt: 'desc' },
    include: { run: { select: { number: true } } },
  });
  if (!row) return undefined;
  return {
    runId: row.runId,
    number: row.run.number,
    outputs: (row.outputs ?? {}) as Record<string, string>,
    exitCode: row.exitCode,
    workspaceSnapshot: row.workspaceSnapshot,
  };
}

/**
 * Makes the memoized attempt this step's: its artifacts, large outputs and workspace snapshot become
 * this run's (the same blobs, content-addressed); the workspace files it created or changed, then its
 * output artifacts, are unpacked into the workspace for the steps after it.
 */
export async function adoptMemoized(
  deps: { config: Config; db: Db },
  input: RunStepInput,
  source: MemoizedAttempt,
  workspace: string,
  log: (line: string) => void,
): Promise<void> {
  const rows = await deps.db.artifact.findMany({
    where: { runId: source.runId, stepId: input.stepId, matrixKey: input.matrixKey },
  });
  // artifacts and large outputs past their retention are gone: then the step runs
  const kept = new Set(rows.map((r) => `${r.kind}/${r.name}`));
  const missing = [
    ...(input.artifacts?.out ?? []).map((o) => `artifact/${o.name}`),
    ...(source.workspaceSnapshot ? [`snapshot/${snapshotName(input.stepId, input.matrixKey)}`] : []),
    ...Object.values(source.outputs).flatMap((v) =>
      findOutputRefs(v).map((ref) => `output/${parseOutputRef(ref)?.name ?? ref}`),
    ),
  ].filter((k) => !kept.has(k));
  if (missing.length) throw new Error(`its ${missing.join(', ')} is no longer stored`);
  await deps.db.artifact.createMany({
    data: rows.map((r) => ({ ...r, id: crypto.randomUUID(), runId: input.runId, attempt: input.attempt })),
    skipDuplicates: true,
  });
  if (source.workspaceSnapshot) await restoreWorkspaceChanges(deps, input, source, workspace, log);
  const out = input.artifacts?.out ?? [];
  if (!out.length) return;
  const project = await deps.db.project.findUniqueOrThrow({ where: { name: input.project } });
  const client = DockyardClient.forRun(deps.config, {
    project: input.project,
    projectId: project.id,
    runId: input.runId,
  });
  for (const { name } of out) {
    const stream = await client.getArtifact(input.runId, name);
    if (!stream) continue;
    await unpackArtifact(workspace, stream);
    log(`[containerops] memoized: artifact ${name} of run #${source.number} unpacked into the workspace`);
  }
}

/** Shows on the step why it was or was not reused; with `cachedFrom`, which run stood in for it. */
export async function recordFingerprint(
  db: Db,
  key: { runId: string; stepId: string; matrixKey: string },
  fingerprint: Fingerprint,
  cachedFrom?: { runId: string; number: number },
): Promise<void> {
  await db.stepRun.updateMany({
    where: key,
    data: {
      fingerprint: fingerprint.digest,
      fingerprintInputs: fingerprint.inputs as unknown as object,
      cachedFromRunId: cachedFrom?.runId ?? null,
      cachedFromNumber: cachedFrom?.number ?? null,
      // what an attempt that runs leaves is recorded once it succeeded
      workspaceSnapshot: null,
      notMemoizable: null,
    },
  });
}
