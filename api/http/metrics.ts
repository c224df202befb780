import { Router, type RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, register } from 'prom-client';
import type { Db } from '../../lib/db';
import { TERMINAL_RUN_STATUSES } from '../../contract';
import { runsStarted } from '../../services/runs/metrics';

/** The finished-runs query scans the Run table, so one scrape's answer serves the next ones for a while. */
const FINISHED_CACHE_MS = 10_000;

let collecting = false;

/** Metrics of the API process, on prom-client's default registry (one set per process). */
export const apiMetrics = {
  httpDuration: new Histogram({
    name: 'co_http_request_duration_seconds',
    help: 'API request duration by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
  runsStarted,
};

let finishedSource: { db: Db; at: number; rows: FinishedRow[] } | undefined;
interface FinishedRow {
  project: string;
  pipeline: string;
  status: string;
  n: bigint | number;
}

/**
 * Finished runs are counted from the read model, not in memory: runs finish in workers, and the
 * count then survives API restarts and is the same on every replica (aggregate with max, not sum).
 */
new Counter({
  name: 'co_runs_finished_total',
  help: 'Runs finished, by project, pipeline and final status (from the database; same on every API replica)',
  labelNames: ['project', 'pipeline', 'status'] as const,
  async collect() {
    const source = finishedSource;
    if (!source) return;
    if (Date.now() - source.at > FINISHED_CACHE_MS) {
      source.rows = await source.db.$queryRawUnsafe<FinishedRow[]>(
        `SELECT p.name AS project, pl.name AS pipeline, r.status AS status, COUNT(*) AS n
           FROM Run r JOIN Pipeline pl ON pl.id = r.pipelineId JOIN Project p ON p.id = r.projectId
          WHERE r.status IN (${TERMINAL_RUN_STATUSES.map(() => '?').join(',')})
          GROUP BY p.name, pl.name, r.status`,
        ...TERMINAL_RUN_STATUSES,
      );
      source.at = Date.now();
    }
    this.reset();
    for (const row of source.rows) {
      this.inc({ project: row.project, pipeline: row.pipeline, status: row.status }, Number(row.n));
    }
  },
});

/** Times every request; the label is the route template, so ids in paths cannot explode the series. */
export const httpMetrics: RequestHandler = (req, res, next) => {
  const end = apiMetrics.httpDuration.startTimer();
  res.on('finish', () => {
    const route =
      (res.locals.route as string | undefined) ?? (req.route?.path ? String(req.route.path) : 'unmatched');
    end({ route, method: req.method, status: String(res.statusCode) });
  });
  next();
};

export function metricsRouter(db: Db): Router {
  if (!collecting) {
    collectDefaultMetrics();
    collecting = true;
  }
  finishedSource = { db, at: 0, rows: [] };
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.type(register.contentType).send(await register.metrics());
  });
  return router;
}
