import { STEP_ERROR_TYPES, type RunStepInput, type RunStepResult } from '../contract';
import type { LogStore } from './logarithm/store';
import type { StepSeries } from './metric-series';

/**
 * The worker's co_* series. They go through the Temporal SDK's metric meter, so the worker has one
 * Prometheus endpoint (CO_WORKER_METRICS_PORT) with the SDK's series and ours; and, when the worker
 * shares the API's process, onto the API's /metrics too (activities/metric-series.ts).
 */
export interface WorkerMetrics {
  /** wraps each step attempt (of runStep or of a chain): co_steps_running and co_step_duration_seconds{status} */
  timeStep<A extends unknown[]>(
    runStep: (input: RunStepInput, ...rest: A) => Promise<RunStepResult>,
  ): (input: RunStepInput, ...rest: A) => Promise<RunStepResult>;
  runFinished(labels: { project: string; pipeline: string; status: string }, seconds: number): void;
  /** counts co_log_lines_ingested_total as batches are stored */
  countLogLines(store: LogStore): LogStore;
}

const STATUS_OF_ERROR: Record<string, string> = {
  [STEP_ERROR_TYPES.timedOut]: 'timed_out',
  [STEP_ERROR_TYPES.cancelled]: 'cancelled',
};

export function createWorkerMetrics(series: StepSeries): WorkerMetrics {
  let running = 0;
  return {
    timeStep(runStep) {
      return async (input, ...rest) => {
        const started = performance.now();
        series.stepsRunning(++running);
        let status = 'succeeded';
        try {
          return await runStep(input, ...rest);
        } catch (err) {
          status = STATUS_OF_ERROR[(err as { type?: string }).type ?? ''] ?? 'failed';
          throw err;
        } finally {
          series.stepsRunning(--running);
          series.stepFinished((performance.now() - started) / 1000, status);
        }
      };
    },
    runFinished(labels, seconds) {
      series.runFinished(seconds, labels);
    },
    countLogLines(store) {
      return {
        ...store,
        async insert(key, rows) {
          await store.insert(key, rows);
          series.logLinesStored(rows.length);
        },
      };
    },
  };
}
