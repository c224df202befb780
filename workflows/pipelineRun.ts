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
import {
  approvalUpdate,
  stateQuery,
  type PipelineRunInput,
  type PipelineRunResult,
  type RunStatus,
} from './types';

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
    upsertSearchAttributes({ CoStatus: [next] });
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
  setHandler(stateQuery, () => ({ status, error, steps: [...interpreter.steps.values()] }));
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
            interpreter.runTimedOut = true;
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
    if (error) status = 'failed';
    else if (timedOut) {
      status = 'timed_out';
      error = `run exceeded its timeout of ${input.plan.timeoutMs} ms`;
    } else if (cancelled) status = 'cancelled';
    else if (interpreter.failed || interpreter.rejected) status = 'failed';
    else status = 'succeeded';
    if (status === 'cancelled' || status === 'timed_out') await interpreter.settleUnfinished(status);

    await interpreter.runGraph(input.plan.finally, status);
    const finallyFailed = input.plan.finally.some((n) => {
      const s = interpreter.steps.get(n.id)!.status;
      return s !== 'succeeded' && s !== 'skipped' && !n.continueOnError;
    });
    if (finallyFailed && status === 'succeeded') {
      status = 'failed';
      error = 'a finally step failed';
    }
    if (!error && status === 'failed') {
      const failedStep = [...interpreter.steps.values()].find(
        (s) => s.status === 'failed' || s.status === 'timed_out',
      );
      if (failedStep) error = `step ${failedStep.id} ${failedStep.status}: ${failedStep.error ?? ''}`.trim();
    }
    setStatus(status);
    await recordRun({ runId: input.runId, status, error, at: Date.now() });
    if (group) await releaseGroup(group);
    await notifyReceivers(input, { status, error, steps: interpreter.steps.values() });
  });

  const steps: PipelineRunResult['steps'] = {};
  for (const [id, s] of interpreter.steps) steps[id] = { status: s.status, outputs: s.outputs };
  if (patched('upstream-triggers')) {
    const outputs = Object.fromEntries(Object.entries(steps).map(([id, s]) => [id, s.outputs]));
    await CancellationScope.nonCancellable(() =>
      triggerDownstream({ runId: input.runId, status, outputs }).catch(() => undefined),
    );
  }
  return { status, error, steps };
}
