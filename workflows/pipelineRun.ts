import {
  CancellationScope,
  isCancellation,
  patched,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { renderTemplate } from '../pipeline/evaluate';
import { recordRun, triggerDownstream } from './activities';
import { acquireGroup, releaseGroup } from './group-lock';
import { RunInterpreter } from './interpreter';
import { notifyReceivers } from './receivers';
import { approvalUpdate, stateQuery } from './messages';
import { searchAttributes } from '../contract/search-attributes';
import type { PipelineRunInput, PipelineRunResult, RunStatus } from '../contract';

function renderPipelineEnv(input: PipelineRunInput): Record<string, string> {
  const ctx = {
    params: input.params,
    env: {},
    run: { id: input.runId, number: input.number },
    steps: {},
    trigger: input.trigger,
  };
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.plan.env)) env[k] = renderTemplate(v, ctx);
  return env;
}

/**
 * The interpreter of one pipeline run: walks the plan's DAG, then runs `finally` steps in a
 * non-cancellable scope with `run.status`. Cancellation and the run timeout stop running steps.
 */
export async function pipelineRun(input: PipelineRunInput): Promise<PipelineRunResult> {
  let status: RunStatus = 'running';
  let error: string | undefined;
  const setStatus = (next: RunStatus) => {
    status = next;
    upsertSearchAttributes({ [searchAttributes.status.name]: [next] });
  };

  let pipelineEnv: Record<string, string> = {};
  try {
    pipelineEnv = renderPipelineEnv(input);
  } catch (err) {
    error = `pipeline env: ${(err as Error).message}`;
  }
  const interpreter = new RunInterpreter(input, pipelineEnv, (waiting) => {
    if (status !== 'running' && status !== 'waiting') return;
    setStatus(waiting ? 'waiting' : 'running');
    void recordRun({ runId: input.runId, status, at: Date.now() });
  });
  const state = interpreter.state;
  setHandler(stateQuery, () => ({ status, error, steps: [...state.steps.values()] }));
  setHandler(approvalUpdate, (decision) => interpreter.decide(decision), {
    validator: (decision) => interpreter.validateDecision(decision),
  });

  // one run per concurrency group: wait (queued) for this run's turn
  const group = input.concurrency && patched('concurrency-groups') ? input.concurrency : undefined;
  if (group) {
    try {
      await acquireGroup(input.runId, group);
    } catch (err) {
      if (!isCancellation(err)) throw err;
      error = `cancelled while waiting for concurrency group ${group.group}`;
      await CancellationScope.nonCancellable(async () => {
        setStatus('cancelled');
        await recordRun({ runId: input.runId, status: 'cancelled', error, at: Date.now() });
      });
      return { status: 'cancelled', error, steps: {} };
    }
  }

  setStatus('running');
  await recordRun({ runId: input.runId, status: 'running', at: Date.now() });

  let timedOut = false;
  let cancelled = false;
  if (!error) {
    try {
      await CancellationScope.cancellable(async () => {
        const scope = CancellationScope.current();
        if (input.plan.timeoutMs) {
          void CancellationScope.nonCancellable(() => sleep(input.plan.timeoutMs!)).then(() => {
            timedOut = true;
            state.runTimedOut = true;
            scope.cancel();
          });
        }
        await interpreter.runGraph(input.plan.nodes);
      });
    } catch (err) {
      if (!isCancellation(err)) throw err;
      cancelled = !timedOut;
    }
  }

  await CancellationScope.nonCancellable(async () => {
    // let cancelled steps finish cleaning up (processes killed, pods deleted) before finally runs
    await Promise.allSettled([...interpreter.inflight]);
    ({ status, error } = state.statusBeforeFinally({ envError: error, timedOut, cancelled }));
    if (status === 'cancelled' || status === 'timed_out') await interpreter.settleUnfinished(status);

    await interpreter.runGraph(input.plan.finally, status);
    ({ status, error } = state.finalStatus({ status, error }));
    setStatus(status);
    await recordRun({ runId: input.runId, status, error, at: Date.now() });
    if (group) await releaseGroup(group);
    await notifyReceivers(input, { status, error, steps: state.steps.values() });
  });

  const steps: PipelineRunResult['steps'] = {};
  for (const [id, s] of state.steps) steps[id] = { status: s.status, outputs: s.outputs };
  if (patched('upstream-triggers')) {
    const outputs = Object.fromEntries(Object.entries(steps).map(([id, s]) => [id, s.outputs]));
    await CancellationScope.nonCancellable(() =>
      triggerDownstream({ runId: input.runId, status, outputs }).catch(() => undefined),
    );
  }
  return { status, error, steps };
}
