import type { ExpressionContext } from '../pipeline/evaluate';
import type { PlanNode } from '../pipeline/plan';
import type { RunStepInput } from '../contract';

/** What a run workflow and its matrix-chunk children pass each other. */

export interface MatrixChunkInput {
  runId: string;
  project: string;
  node: PlanNode;
  combos: Record<string, string>[];
  /** rendered, matrix-independent parts of the launch */
  base: Omit<RunStepInput, 'matrixKey' | 'matrix' | 'attempt' | 'env' | 'data' | 'image'>;
  /** expression context without `matrix` */
  context: ExpressionContext;
  pipelineEnv: Record<string, string>;
  params: Record<string, string>;
  concurrency: number;
  failFast: boolean;
}

export interface MatrixChunkResult {
  succeeded: number;
  failed: number;
  cancelled: number;
  timedOut: number;
  maxAttempts: number;
  outputs: Record<string, string>;
  firstError?: string;
}
