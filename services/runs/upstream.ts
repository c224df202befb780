import type { Client } from '@temporalio/client';
import { validatePlan, type ExecutionPlan, type PlanTriggers, type TriggerContext } from '../../pipeline';
import type { Config } from '../../lib/config';
import type { Db } from '../../lib/db';
import { invalid } from '../../lib/errors';
import type { Project } from '../../generated/prisma/client';
import { resolveParams } from './params';
import { startRun } from './start';

type Upstreams = NonNullable<PlanTriggers['pipeline']>;

/** `on.pipeline` of the latest version of every pipeline of a project, by pipeline name. */
async function upstreamGraph(db: Db, projectId: string): Promise<Map<string, string[]>> {
  const rows = await db.$queryRaw<{ name: string; upstream: string | null }[]>`
    SELECT p.name, JSON_EXTRACT(v.plan, '$.triggers.pipeline') AS upstream
    FROM Pipeline p JOIN PipelineVersion v ON v.pipelineId = p.id AND v.version = p.latestVersion
    WHERE p.projectId = ${projectId}`;
  const graph = new Map<string, string[]>();
  for (const row of rows) {
    const list = (
      typeof row.upstream === 'string' ? JSON.parse(row.upstream) : row.upstream
    ) as Upstreams | null;
    graph.set(
      row.name,
      (list ?? []).map((u) => u.name),
    );
  }
  return graph;
}

/**
 * Refuses a version whose `on.pipeline` would close a loop of pipeline triggers (A after B after A):
 * 422 at the offending entry, with the loop spelled out.
 */
export async function assertNoTriggerLoop(db: Db, projectId: string, plan: ExecutionPlan): Promise<void> {
  const upstreams = plan.triggers?.pipeline ?? [];
  if (upstreams.length === 0) return;
  const graph = await upstreamGraph(db, projectId);
  graph.set(
    plan.name,
    upstreams.map((u) => u.name),
  );
  const errors = [];
  for (const [i, upstream] of upstreams.entries()) {
    const path = pathBack(graph, upstream.name, plan.name);
    if (path) {
      errors.push({
        path: `on.pipeline[${i}].name`,
        line: upstream.line,
        message: `trigger loop: ${[plan.name, ...path].join(' <- ')} (each runs after the next)`,
      });
    }
  }
  if (errors.length > 0) throw invalid('the pipeline triggers would form a loop', errors);
}

/** Follows upstream edges from `from`; the chain of names ending at `target`, if one exists. */
function pathBack(graph: Map<string, string[]>, from: string, target: string): string[] | undefined {
  const seen = new Set<string>();
  const walk = (name: string): string[] | undefined => {
    if (name === target) return [name];
    if (seen.has(name)) return undefined;
    seen.add(name);
    for (const next of graph.get(name) ?? []) {
      const rest = walk(next);
      if (rest) return [name, ...rest];
    }
    return undefined;
  };
  return walk(from);
}

export interface FinishedRun {
  runId: string;
  status: string;
  /** outputs of its steps, by step id */
  outputs: Record<string, Record<string, string>>;
}

/**
 * Starts every pipeline of the project whose latest version lists this run's pipeline (and its
 * status) under `on.pipeline`. Idempotent: the upstream run id is the idempotency key.
 */
export async function startDownstreamRuns(
  deps: { db: Db; client: Client; config: Config },
  finished: FinishedRun,
): Promise<{ started: string[]; refused: string[] }> {
  const { db } = deps;
  const upstream = await db.run.findUnique({
    where: { id: finished.runId },
    include: { pipeline: true, project: true },
  });
  if (!upstream) return { started: [], refused: [] };
  const candidates = await db.$queryRaw<{ id: string }[]>`
    SELECT p.id FROM Pipeline p
    JOIN PipelineVersion v ON v.pipelineId = p.id AND v.version = p.latestVersion
    WHERE p.projectId = ${upstream.projectId}
      AND JSON_SEARCH(v.plan, 'one', ${upstream.pipeline.name}, NULL, '$.triggers.pipeline[*].name') IS NOT NULL`;
  const started: string[] = [];
  const refused: string[] = [];
  for (const { id } of candidates) {
    const pipeline = await db.pipeline.findUniqueOrThrow({ where: { id } });
    const version = await db.pipelineVersion.findUniqueOrThrow({
      where: { pipelineId_version: { pipelineId: id, version: pipeline.latestVersion } },
    });
    const plan = validatePlan(version.plan);
    const rule = plan.triggers?.pipeline?.find((u) => u.name === upstream.pipeline.name);
    if (!rule || !(rule.status as string[]).includes(finished.status)) continue;
    const trigger: TriggerContext = {
      event: 'pipeline',
      run: {
        project: upstream.project.name,
        pipeline: upstream.pipeline.name,
        id: upstream.id,
        number: upstream.number,
        status: finished.status,
        outputs: finished.outputs,
      },
    };
    try {
      const { run } = await startRun(deps, {
        project: upstream.project as Project,
        pipeline,
        version,
        params: resolveParams(plan, undefined),
        trigger: 'pipeline',
        triggerInfo: trigger,
        idempotencyKey: `pipeline:${upstream.id}`,
      });
      started.push(run.id);
    } catch (err) {
      // a downstream pipeline that cannot start (a required param without default) does not stop the others
      if ((err as { status?: number }).status !== 422) throw err;
      refused.push(`${pipeline.name}: ${(err as Error).message}`);
    }
  }
  return { started, refused };
}
