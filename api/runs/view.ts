import { paramsView } from '../../services/runs/secret-params';
import type { ExecutionPlan } from '../../pipeline';
import type { Config } from '../../lib/config';
import type { Run, StepRun } from '../../generated/prisma/client';
import { outputsView } from '../dockyard/artifacts/view';
import { memoView } from './memo-view';

export function temporalLink(config: Config, workflowId: string): string {
  return `${config.TEMPORAL_UI_URL}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
}

export function runLinks(config: Config, project: string, run: Run) {
  const self = `/api/v1/projects/${project}/runs/${run.id}`;
  return { self, temporal: temporalLink(config, run.workflowId) };
}

export function stepView(s: StepRun, project: string) {
  return {
    id: s.stepId,
    matrix: s.matrix ?? null,
    matrixKey: s.matrixKey,
    status: s.status,
    attempts: s.attempt,
    exitCode: s.exitCode,
    outputs: outputsView(project, (s.outputs ?? {}) as Record<string, string>),
    error: s.error,
    reused: s.reused,
    ...memoView(s),
    ...(s.decision
      ? { approval: { decision: s.decision, by: s.decidedBy, at: s.decidedAt, comment: s.comment } }
      : {}),
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
  };
}

/** Steps in plan order; a step with no row yet is `pending`. */
export function stepsView(plan: ExecutionPlan, rows: StepRun[], project: string) {
  const byStep = new Map<string, StepRun[]>();
  for (const row of rows) byStep.set(row.stepId, [...(byStep.get(row.stepId) ?? []), row]);
  return [...plan.nodes, ...plan.finally].flatMap((node) => {
    const stepRows = byStep.get(node.id);
    if (!stepRows?.length) {
      return [
        {
          id: node.id,
          matrix: null,
          matrixKey: '',
          status: 'pending',
          attempts: 0,
          exitCode: null,
          outputs: {},
          error: null,
          reused: false,
          startedAt: null,
          finishedAt: null,
        },
      ];
    }
    return stepRows
      .sort((a, b) => a.matrixKey.localeCompare(b.matrixKey))
      .map((row) => stepView(row, project));
  });
}

export function runSummary(config: Config, project: string, pipeline: string, run: Run) {
  return {
    id: run.id,
    number: run.number,
    pipeline,
    status: run.status,
    trigger: run.trigger,
    params: paramsView(run.params),
    error: run.error,
    rerunOf: run.rerunOfId,
    workflowId: run.workflowId,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    links: runLinks(config, project, run),
  };
}
