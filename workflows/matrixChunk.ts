import { patched } from '@temporalio/workflow';
import { matrixKey } from '../pipeline/matrix';
import { buildLaunch } from './launch';
import { runAttempts } from './attempts';
import { Semaphore } from './semaphore';
import type { MatrixChunkInput, MatrixChunkResult } from './types';

/** Aggregates combination outcomes of one matrix step (inline or in a child workflow). */
export class MatrixTally implements MatrixChunkResult {
  succeeded = 0;
  failed = 0;
  cancelled = 0;
  timedOut = 0;
  maxAttempts = 0;
  outputs: Record<string, string> = {};
  firstError?: string;

  add(other: MatrixChunkResult): void {
    this.succeeded += other.succeeded;
    this.failed += other.failed;
    this.cancelled += other.cancelled;
    this.timedOut += other.timedOut;
    this.maxAttempts = Math.max(this.maxAttempts, other.maxAttempts);
    Object.assign(this.outputs, other.outputs);
    this.firstError ??= other.firstError;
  }

  get broken(): number {
    return this.failed + this.timedOut + this.cancelled;
  }

  toJSON(): MatrixChunkResult {
    const { succeeded, failed, cancelled, timedOut, maxAttempts, outputs, firstError } = this;
    return { succeeded, failed, cancelled, timedOut, maxAttempts, outputs, firstError };
  }
}

/** Patch of the matrix runners: combinations and chunks are pulled by `width` runners instead of all waiting at once. */
export const MATRIX_POOL_PATCH = 'matrix-runner-pool';

/**
 * Runs `run` over `items` in order with `width` runners, each taking the next item when it is
 * free: only `width` items are in flight or waiting at any time. Every pending workflow promise
 * costs the SDK a captured stack trace (for the stack trace query); queuing all 500 combinations
 * of a chunk at once held ~250 MB in the workflow thread under a 10,000-way matrix.
 */
export async function runPool<T>(
  items: readonly T[],
  width: number,
  run: (item: T, index: number, runner: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runner = async (r: number) => {
    while (next < items.length) {
      const index = next++;
      await run(items[index]!, index, r);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, (_, r) => runner(r)));
}

/** Runs matrix combinations with a concurrency limit; after a failure (fail-fast) no new ones start. */
export async function runCombos(input: MatrixChunkInput, semaphore: Semaphore): Promise<MatrixTally> {
  const tally = new MatrixTally();
  const base = {
    project: input.project,
    runId: input.runId,
    workspaceId: input.base.workspaceId,
    pipelineEnv: input.pipelineEnv,
    params: input.params,
  };
  const runCombo = (combo: Record<string, string>) =>
    semaphore.with(async () => {
      if (input.failFast && tally.broken > 0) {
        tally.cancelled++;
        return;
      }
      const key = matrixKey(combo);
      const outcome = await runAttempts(
        input.node,
        (attempt) => buildLaunch(base, input.node, input.context, combo, key, attempt),
        `${input.node.id} [${key}]`,
      );
      tally.maxAttempts = Math.max(tally.maxAttempts, outcome.attempts);
      if (outcome.ok) {
        tally.succeeded++;
        Object.assign(tally.outputs, outcome.result.outputs);
        return;
      }
      if (outcome.failure.status === 'timed_out') tally.timedOut++;
      else if (outcome.failure.status === 'cancelled') tally.cancelled++;
      else tally.failed++;
      tally.firstError ??= `${key}: ${outcome.failure.message}`;
    });
  if (patched(MATRIX_POOL_PATCH)) await runPool(input.combos, input.concurrency, runCombo);
  else await Promise.all(input.combos.map(runCombo));
  return tally;
}

/** Child workflow for one chunk of a large matrix, so a 10,000-way fan-out stays inside history limits. */
export async function matrixChunk(input: MatrixChunkInput): Promise<MatrixChunkResult> {
  const tally = await runCombos(input, new Semaphore(input.concurrency));
  return tally.toJSON();
}
