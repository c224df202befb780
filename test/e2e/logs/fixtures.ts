import crypto from 'node:crypto';
import type { Db } from '../../../lib/db';

/** A project with one pipeline version and one run, written straight to the database. */
export interface RunFixture {
  project: string;
  projectId: string;
  runId: string;
  logsPath(step: string, query?: string): string;
}

const PLAN = {
  version: 1,
  format: 'native',
  name: 'fixture',
  nodes: [
    { id: 'build', retry: { attempts: 3 } },
    { id: 'test', retry: { attempts: 1 } },
    { id: 'deploy', retry: { attempts: 1 } },
  ],
  finally: [{ id: 'notify', retry: { attempts: 1 } }],
  edges: [],
};

export async function createRunFixture(db: Db): Promise<RunFixture> {
  const suffix = crypto.randomBytes(4).toString('hex');
  const projectId = crypto.randomUUID();
  const project = `logs-${suffix}`;
  await db.project.create({ data: { id: projectId, name: project } });
  const pipelineId = crypto.randomUUID();
  await db.pipeline.create({ data: { id: pipelineId, projectId, name: 'fixture', nextRunNumber: 2 } });
  const versionId = crypto.randomUUID();
  await db.pipelineVersion.create({
    data: { id: versionId, pipelineId, version: 1, source: 'fixture', format: 'native', plan: PLAN },
  });
  const runId = crypto.randomUUID();
  await db.run.create({
    data: {
      id: runId,
      projectId,
      pipelineId,
      pipelineVersionId: versionId,
      number: 1,
      status: 'running',
      params: {},
      trigger: 'manual',
      workflowId: `run-${runId}`,
    },
  });
  return {
    project,
    projectId,
    runId,
    logsPath: (step, query = '') =>
      `/api/v1/projects/${project}/runs/${runId}/steps/${step}/logs${query ? `?${query}` : ''}`,
  };
}

/** Writes lines as the log sink does: numbered per attempt, one createMany per batch. */
export async function writeLines(
  db: Db,
  runId: string,
  stepId: string,
  lines: string[],
  opts: { attempt?: number; matrixKey?: string; firstSeq?: number; stream?: 'stdout' | 'stderr' } = {},
): Promise<void> {
  const at = new Date();
  await db.logLine.createMany({
    data: lines.map((line, i) => ({
      runId,
      stepId,
      matrixKey: opts.matrixKey ?? '',
      attempt: opts.attempt ?? 1,
      seq: (opts.firstSeq ?? 1) + i,
      stream: opts.stream ?? 'stdout',
      line,
      at,
    })),
    skipDuplicates: true,
  });
}

export async function setStepStatus(
  db: Db,
  runId: string,
  stepId: string,
  status: string,
  opts: { attempt?: number; matrixKey?: string } = {},
): Promise<void> {
  const matrixKey = opts.matrixKey ?? '';
  const attempt = opts.attempt ?? 1;
  await db.stepRun.upsert({
    where: { runId_stepId_matrixKey: { runId, stepId, matrixKey } },
    create: { id: crypto.randomUUID(), runId, stepId, matrixKey, status, attempt },
    update: { status, attempt },
  });
}
