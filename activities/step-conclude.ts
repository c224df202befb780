import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { type RunStepResult } from '../contract';
import { dockyardFailure, isFinal } from './dockyard/step-io';
import { inProcessStep } from './in-process-steps';
import { recordWorkspaceChanges } from './memoize/snapshot';
import { recordStep } from './read-model';
import { reportsFailure } from './runtimes/cout';
import type { StepOutcome } from './runtimes/runtime';

import {
  isWorkerShutdown,
  maskOutputs,
  MAX_OUTPUT_BYTES,
  type AttemptContext,
  type PreparedStep,
  type RunStepDeps,
} from './step-attempt';
/** Part 2: runs the prepared attempt on its runtime (or in process), once its start is recorded. */
export async function executeStep(
  deps: RunStepDeps,
  step: PreparedStep,
  ctx: AttemptContext,
): Promise<StepOutcome> {
  const hooks = {
    onLine: (stream: 'stdout' | 'stderr', line: string, continues?: boolean) =>
      step.sink.push(stream, line, continues),
    heartbeat: (details?: unknown) => ctx.heartbeat((step.beat.last = details)),
    signal: ctx.signal,
  };
  const inProcess = inProcessStep(step.launch.component);
  return step.started
    .then(() =>
      inProcess ? inProcess(step.launch, hooks, deps.kubeConfig) : step.runtime.run(step.launch, hooks),
    )
    .finally(() => step.secrets.cleanup());
}

/** Part 3: outputs stored and masked, the cache saved, the StepRun row written with how the attempt ended. */
export async function concludeStep(
  deps: RunStepDeps,
  step: PreparedStep,
  outcome: StepOutcome,
  ctx: AttemptContext,
): Promise<RunStepResult> {
  const { key, fail, mask, sink } = step;
  let finished: { outputs: Record<string, string> } | { error: unknown } | undefined;
  if (!outcome.failure && !ctx.signal.aborted) {
    // masked first: a stored large output is shown to viewers like any other
    const masked = maskOutputs(outcome.outputs, mask);
    finished = await step
      .alive(() => step.io.finish(masked))
      .then(
        (outputs) => ({ outputs }),
        (error: unknown) => ({ error }),
      );
    if ('outputs' in finished && !reportsFailure(outcome.outputs)) {
      const { changes, input } = step;
      await step.alive(async () => {
        await step.cache?.save();
        if (changes) await recordWorkspaceChanges(deps, input, changes, (l) => sink.push('stderr', l));
      });
    }
    for (const line of step.ioLines.splice(0)) sink.push('stderr', line);
  }
  await sink.close();
  // outputs are shown to viewers and travel in Temporal history: never a secret value in them
  outcome.outputs = maskOutputs(outcome.outputs, mask);
  await throwIfFailed(deps, step, outcome, ctx);
  if (finished && 'error' in finished) {
    const err = finished.error;
    throw await fail(...dockyardFailure(err), outcome.exitCode, !isFinal(err));
  }
  const outputs = finished?.outputs ?? outcome.outputs;
  const size = Buffer.byteLength(JSON.stringify(outputs));
  if (size > MAX_OUTPUT_BYTES) {
    throw await fail(
      'invalid',
      `step outputs are ${size} bytes; the limit is ${MAX_OUTPUT_BYTES}`,
      outcome.exitCode,
      false,
    );
  }
  await recordStep(deps.db, {
    ...key,
    status: 'succeeded',
    outputs,
    exitCode: outcome.exitCode,
    at: Date.now(),
  });
  return { outputs, exitCode: outcome.exitCode };
}

/** The attempt stopped by the worker, cancelled, failed on its runtime, or reported failure itself. */
async function throwIfFailed(
  deps: RunStepDeps,
  step: PreparedStep,
  outcome: StepOutcome,
  ctx: AttemptContext,
): Promise<void> {
  if (isWorkerShutdown(ctx.signal)) {
    // the platform is stopping, not the user: the attempt runs again on the next worker
    throw ApplicationFailure.retryable(
      'the worker stopped while the step ran; it runs again',
      'WorkerShutdown',
    );
  }
  if (outcome.failure?.kind === 'cancelled' || ctx.signal.aborted) {
    await recordStep(deps.db, {
      ...step.key,
      status: 'cancelled',
      error: 'cancelled',
      exitCode: outcome.exitCode,
      at: Date.now(),
    });
    throw new CancelledFailure('step cancelled; its processes were stopped');
  }
  if (outcome.failure) {
    const { kind, message, retryable } = outcome.failure;
    throw await step.fail(kind, step.mask(message), outcome.exitCode, retryable);
  }
  if (reportsFailure(outcome.outputs)) {
    const message = `the component reported [COUT] CO_RESULT = false (exit code ${outcome.exitCode})`;
    // as the original recorded them: the [COUT] results of a failed component stay visible
    throw await step.fail('exit', message, outcome.exitCode, true, outcome.outputs);
  }
}
