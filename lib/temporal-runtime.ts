import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Config } from './config';

const LEVELS: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

/** Bucket bounds (seconds) of the worker's step and run histograms, on every exporter. */
export const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/**
 * The Temporal SDK's process-wide runtime: its log level follows LOG_LEVEL and, with a metrics
 * address, its Prometheus exporter serves the SDK's own series and the worker's co_* series
 * (recorded through `Runtime.instance().metricMeter`) at http://<address>/metrics.
 * Call before the first worker connection; a second call is ignored (the runtime is already built).
 */
export function installTemporalRuntime(opts: { logLevel: string; metricsAddress?: string }): void {
  try {
    Runtime.install({
      logger: new DefaultLogger(LEVELS[opts.logLevel] ?? 'INFO'),
      ...(opts.metricsAddress
        ? {
            telemetryOptions: {
              metrics: {
                prometheus: {
                  bindAddress: opts.metricsAddress,
                  countersTotalSuffix: true,
                  useSecondsForDurations: true,
                  histogramBucketOverrides: {
                    co_step_duration_seconds: DURATION_BUCKETS,
                    co_run_duration_seconds: DURATION_BUCKETS,
                  },
                },
              },
            },
          }
        : {}),
    });
  } catch {
    // already installed
  }
}

/** Where the worker's Prometheus exporter listens: HOST and CO_WORKER_METRICS_PORT; none when the port is unset. */
export function workerMetricsAddress(config: Config): string | undefined {
  if (config.CO_WORKER_METRICS_PORT === undefined) return undefined;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `${host}:${config.CO_WORKER_METRICS_PORT}`;
}
