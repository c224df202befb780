import { Context } from '@temporalio/activity';
import { type RunStepInput, type RunStepResult } from '../contract';
import { createRunSecrets } from './scaler/run-secrets';
import { createVault } from './scaler/vault';

import type { AttemptContext, RunStepDeps } from './step-attempt';
import { prepareStep } from './step-prepare';
import { concludeStep, executeStep } from './step-conclude';

export {
  attemptId,
  MAX_OUTPUT_BYTES,
  type AttemptContext,
  type PreparedStep,
  type RunStepDeps,
} from './step-attempt';
export { stepEnvironment } from './step-prepare';
/** The attempt context of a `runStep` activity: the activity's own. */
export function activityAttemptContext(): AttemptContext {
  const ctx = Context.current();
  return {
    restarted: ctx.info.attempt > 1,
    lastHeartbeat: ctx.info.heartbeatDetails,
    heartbeat: (details) => ctx.heartbeat(details),
    signal: ctx.cancellationSignal,
  };
}

export type RunStep = (input: RunStepInput, ctx: AttemptContext) => Promise<RunStepResult>;

/** Runs one attempt of one step on its runtime, streaming logs and recording status. */
export function createRunStep(deps: RunStepDeps): RunStep {
  const vault = createVault(deps);
  const runSecretValues = createRunSecrets(deps);
  const prepare = (input: RunStepInput, ctx: AttemptContext) =>
    prepareStep(deps, { vault, runSecretValues }, input, ctx);
  return async function runStep(input, ctx) {
    const prepared = await prepare(input, ctx);
    if ('reused' in prepared) return prepared.reused;
    const outcome = await executeStep(deps, prepared, ctx);
    return concludeStep(deps, prepared, outcome, ctx);
  };
}
