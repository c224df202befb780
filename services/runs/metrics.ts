import { Counter } from 'prom-client';

/** Runs started by the run service (on prom-client's default registry; the API serves it on /metrics). */
export const runsStarted = new Counter({
  name: 'co_runs_started_total',
  help: 'Runs started, by project, pipeline and trigger',
  labelNames: ['project', 'pipeline', 'trigger'] as const,
});
