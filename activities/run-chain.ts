import { SpanStatusCode, trace } from '@opentelemetry/api';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import {
  backoffBefore,
  classifyAttemptFailure,
  isCancellation,
  STEP_ERROR_TYPES,
  type ChainCancelledDetails,
  type ChainProgress,
  type ChainStepOutcome,
  type RunChainInput,
  type RunChainResult,
} from '../contract';
import type { AttemptContext, RunStep } from './run-step';

/** Within the step activity's 15 s heartbeat timeout, so a long backoff is not taken for a lost worker. */
const BACKOFF_HEARTBEAT_MS = 5_000;

const stepErrorTypes: string[] = Object.values(STEP_ERROR_TYPES);

/** A failure of the step itself (its attempt is over), not of the platform running it. */
const isStepFailure = (err: unknown) =>
  err instanceof ApplicationFailure && stepErrorTypes.includes(err.type ?? '');

function progressOf(details: unknown): ChainProgress | undefined {
  const p = details as Partial<ChainProgress> | undefined;
  return p && Array.isArray(p.done) && typeof p.attempt === 'number' ? (p as ChainProgress) : undefined;
}

/**
 * Runs the steps of a chain one after another in this one activity, each attempt as `runStep`
 * runs it (records, logs, outputs, its own timeout), retried under its own policy. A worker
 * that takes over after a lost one resumes from the heartbeat: finished steps are not run again.
 */
export function createRunChain(runStep: RunStep) {
  return async function runChain(input: RunChainInput): Promise<RunChainResult> {
    const ctx = Context.current();
    const resumed = ctx.info.attempt > 1 ? progressOf(ctx.info.heartbeatDetails) : undefined;
    const progress: ChainProgress = resumed ?? { done: [], attempt: 1 };
    // only the attempt that was running when the worker was lost resumes as restarted
    let restarted = ctx.info.attempt > 1;
    // this execution of the chain: its container-runtime steps of one image share one container
    const chain = `${ctx.info.workflowExecution?.runId ?? input.steps[0]?.launch.runId}/${ctx.info.activityId}/${ctx.info.attempt}`;
    const beat = () => ctx.heartbeat(progress);
    const cancelled = (message: string) =>
      new CancelledFailure(message, [{ done: progress.done } satisfies ChainCancelledDetails]);

    for (let i = progress.done.length; i < input.steps.length; i++) {
      const step = input.steps[i]!;
      let outcome: ChainStepOutcome | undefined;
      while (!outcome) {
        if (ctx.cancellationSignal.aborted) throw cancelled('cancelled before the step started');
        const attempt = progress.attempt;
        const attemptCtx: AttemptContext = {
          restarted,
          lastHeartbeat: restarted ? progress.current : undefined,
          heartbeat: (details) => {
            progress.current = details;
            beat();
          },
          signal: ctx.cancellationSignal,
          chain,
        };
        restarted = false;
        progress.current = undefined;
        try {
          const result = await traced(step.launch.stepId, attempt, () =>
            runStep({ ...step.launch, attempt }, attemptCtx),
          );
          outcome = { stepId: step.launch.stepId, ok: true, result, attempts: attempt };
        } catch (err) {
          if (isCancellation(err)) throw cancelled((err as Error).message);
          // the platform failed, not the step: Temporal retries this activity, which resumes here
          if (!isStepFailure(err)) throw err;
          const failure = classifyAttemptFailure(err);
          if (failure.status === 'cancelled' || !failure.retryable || attempt >= step.retry.attempts) {
            outcome = { stepId: step.launch.stepId, ok: false, failure, attempts: attempt };
          } else {
            progress.attempt = attempt + 1;
            await backoff(ctx, backoffBefore(step.retry, attempt), beat).catch((e: unknown) => {
              throw isCancellation(e) ? cancelled('cancelled while waiting to retry') : e;
            });
          }
        }
      }
      progress.done.push(outcome);
      progress.attempt = 1;
      progress.current = undefined;
      beat();
      if (!outcome.ok) break;
    }
    return { steps: progress.done };
  };
}

/** Each attempt of a chained step is a span under the chain's activity span (a no-op without tracing). */
function traced<T>(stepId: string, attempt: number, fn: () => Promise<T>): Promise<T> {
  const tracer = trace.getTracer('containerops');
  return tracer.startActiveSpan(`ChainStep:${stepId}`, { attributes: { stepId, attempt } }, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The retry backoff, heartbeating so that cancellation reaches the activity and the wait is not taken for a lost worker. */
async function backoff(ctx: Context, ms: number, beat: () => void): Promise<void> {
  for (let left = ms; left > 0; left -= BACKOFF_HEARTBEAT_MS) {
    beat();
    await ctx.sleep(Math.min(left, BACKOFF_HEARTBEAT_MS));
  }
}
