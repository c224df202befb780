import type { MetricMeter } from '@temporalio/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { DURATION_BUCKETS } from '../lib/temporal-runtime';

/** The worker's co_* series, wherever they are exported. */
export interface StepSeries {
  stepFinished(seconds: number, status: string): void;
  stepsRunning(count: number): void;
  runFinished(seconds: number, labels: { project: string; pipeline: string; status: string }): void;
  logLinesStored(count: number): void;
}

const HELP = {
  step: 'Duration of step attempts by final status',
  running: 'Step attempts running on this worker',
  run: 'Duration of runs from trigger to end, by project, pipeline and status',
  lines: 'Log lines stored',
};

/** Through the Temporal SDK's meter: its Prometheus exporter (CO_WORKER_METRICS_PORT) serves them. */
export function sdkSeries(meter: MetricMeter): StepSeries {
  const step = meter.createHistogram('co_step_duration_seconds', 'float', 's', HELP.step);
  const running = meter.createGauge('co_steps_running', 'int', '', HELP.running);
  const run = meter.createHistogram('co_run_duration_seconds', 'float', 's', HELP.run);
  const lines = meter.createCounter('co_log_lines_ingested', '', HELP.lines);
  return {
    stepFinished: (seconds, status) => step.record(seconds, { status }),
    stepsRunning: (count) => running.set(count),
    runFinished: (seconds, labels) => run.record(seconds, labels),
    logLinesStored: (count) => lines.add(count),
  };
}

/**
 * On a prom-client registry: when the worker runs inside the API's process (`npm start`), the API's
 * /metrics serves them beside its own. A second worker in the process reuses the same series.
 */
export function promSeries(registry: Registry): StepSeries {
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  const registers = [registry];
  const step =
    existing<Histogram<'status'>>('co_step_duration_seconds') ??
    new Histogram({
      name: 'co_step_duration_seconds',
      help: HELP.step,
      labelNames: ['status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
  const running =
    existing<Gauge>('co_steps_running') ??
    new Gauge({ name: 'co_steps_running', help: HELP.running, registers });
  const run =
    existing<Histogram<'project' | 'pipeline' | 'status'>>('co_run_duration_seconds') ??
    new Histogram({
      name: 'co_run_duration_seconds',
      help: HELP.run,
      labelNames: ['project', 'pipeline', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
  const lines =
    existing<Counter>('co_log_lines_ingested_total') ??
    new Counter({ name: 'co_log_lines_ingested_total', help: HELP.lines, registers });
  return {
    stepFinished: (seconds, status) => step.observe({ status }, seconds),
    stepsRunning: (count) => running.set(count),
    runFinished: (seconds, labels) => run.observe(labels, seconds),
    logLinesStored: (count) => lines.inc(count),
  };
}

/** Every sink gets every value. */
export function allSeries(...sinks: StepSeries[]): StepSeries {
  return {
    stepFinished: (s, status) => sinks.forEach((x) => x.stepFinished(s, status)),
    stepsRunning: (n) => sinks.forEach((x) => x.stepsRunning(n)),
    runFinished: (s, labels) => sinks.forEach((x) => x.runFinished(s, labels)),
    logLinesStored: (n) => sinks.forEach((x) => x.logLinesStored(n)),
  };
}
