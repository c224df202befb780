import { executeChild, patched, workflowInfo } from '@temporalio/workflow';
import { childSummary } from './child-summary';
import { MATRIX_POOL_PATCH, matrixChunk, MatrixTally, runCombos, runPool } from './matrixChunk';
import { Semaphore } from './semaphore';
import { matrixChunkWorkflowId, type StepStatus } from '../contract';
import type { MatrixChunkInput } from './types';

/** Matrices up to this size run inline; larger ones fan out through child workflows. */
export const INLINE_MATRIX_LIMIT = 100;
export const MATRIX_CHUNK_SIZE = 500;

/**
 * Runs every combination of a matrix step within the run's `maxParallel`: inline for small
 * matrices, otherwise in child workflows of MATRIX_CHUNK_SIZE combinations each, so a
 * 10,000-way matrix stays inside Temporal's per-workflow history and pending-activity limits.
 */
export async function fanOutMatrix(
  input: Omit<MatrixChunkInput, 'combos' | 'concurrency'>,
  combos: Record<string, string>[],
  maxParallel: number,
  runSlots: Semaphore,
  onProgress: (tally: MatrixTally) => void,
): Promise<MatrixTally> {
  const tally = new MatrixTally();
  if (combos.length <= INLINE_MATRIX_LIMIT) {
    tally.add(await runCombos({ ...input, combos, concurrency: maxParallel }, runSlots));
    return tally;
  }
  const chunks: Record<string, string>[][] = [];
  for (let i = 0; i < combos.length; i += MATRIX_CHUNK_SIZE)
    chunks.push(combos.slice(i, i + MATRIX_CHUNK_SIZE));
  const runChunk = async (chunk: Record<string, string>[], index: number, concurrency: number) => {
    if (input.failFast && tally.broken > 0) {
      tally.cancelled += chunk.length;
      return;
    }
    const result = await executeChild(matrixChunk, {
      workflowId: matrixChunkWorkflowId(workflowInfo().workflowId, input.node.id, index),
      args: [{ ...input, combos: chunk, concurrency }],
      ...childSummary(`${input.node.id} matrix part ${index + 1}/${chunks.length}`),
    });
    tally.add(result);
    onProgress(tally);
  };
  const parallelChildren = Math.min(chunks.length, maxParallel);
  const perChild = Math.max(1, Math.floor(maxParallel / parallelChildren));
  if (patched(MATRIX_POOL_PATCH)) {
    // runner r hands its share to each child it starts; the shares add up to maxParallel (20 children of 1 used 20 of 32)
    const share = (r: number) => perChild + (r < maxParallel % parallelChildren ? 1 : 0);
    await runPool(chunks, parallelChildren, (chunk, index, r) => runChunk(chunk, index, share(r)));
    return tally;
  }
  const children = new Semaphore(parallelChildren);
  await Promise.all(chunks.map((chunk, index) => children.with(() => runChunk(chunk, index, perChild))));
  return tally;
}

/** A matrix step's status: any failure fails it; otherwise a timeout, then a cancellation, marks it. */
export function matrixStatus(tally: MatrixTally): StepStatus {
  if (tally.broken === 0) return 'succeeded';
  if (tally.failed > 0) return 'failed';
  return tally.timedOut > 0 ? 'timed_out' : 'cancelled';
}
