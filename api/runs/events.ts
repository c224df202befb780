import type { Response } from 'express';
import { validatePlan } from '../../pipeline';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { findRun } from './lookup';
import { runSummary, stepView, stepsView } from './view';

/** How often one follower reads its run's rows: two indexed queries, whatever the number of steps. */
export const RUN_EVENTS_TICK_MS = 250;
const PING_MS = 15_000;
const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

function send(res: Response, event: string, data: unknown): void {
  if (!res.destroyed && !res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * `GET .../runs/:run/events`: the run as Server-Sent Events. First a `snapshot` (the run with
 * every step, as GET .../runs/:run), then a `step` event for each step row that changed and a
 * `run` event when the run's status changes, then `end` once the run is finished.
 */
export function runEventRoutes({ db, config, logger }: ApiDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/projects/:project/runs/:run/events',
      permission: { project: 'read' },
      summary: "A run's step status changes as Server-Sent Events (snapshot, step, run, end)",
      async handler(req, res, { project }) {
        // registered before any await: a client that leaves early must stop the poller
        // (or one that left while the request was being authorized: its 'close' has fired already)
        let closed = res.closed;
        let timer: NodeJS.Timeout | undefined;
        let ping: NodeJS.Timeout | undefined = undefined;
        res.on('close', () => {
          closed = true;
          clearInterval(ping);
          clearTimeout(timer);
        });
        if (closed) return;
        const run = await findRun(db, project!, String(req.params.run));
        const plan = validatePlan(run.pipelineVersion.plan);
        const view = (r: typeof run) => runSummary(config, project!.name, run.pipeline.name, r);

        res.status(200);
        res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
        res.setHeader('Cache-Control', 'no-cache, no-transform');
        res.setHeader('X-Accel-Buffering', 'no');
        res.flushHeaders();
        res.req.socket.setTimeout(0);
        res.write('retry: 2000\n\n');

        const rows = await db.stepRun.findMany({ where: { runId: run.id } });
        send(res, 'snapshot', {
          ...view(run),
          pipelineVersion: run.pipelineVersion.version,
          steps: stepsView(plan, rows, project!.name),
        });
        const seen = new Map(rows.map((r) => [r.id, r.updatedAt.getTime()]));
        let since = new Date(Math.max(0, ...rows.map((r) => r.updatedAt.getTime())));
        let status = run.status;
        if (FINISHED.has(status)) {
          res.end('event: end\ndata: {}\n\n');
          return;
        }

        if (closed) return;
        ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
        const tick = async () => {
          if (closed || res.closed || res.destroyed) return;
          // >= since: rows written in the same millisecond as the last one seen are not missed
          const changed = await db.stepRun.findMany({
            where: { runId: run.id, updatedAt: { gte: since } },
          });
          const current = await db.run.findUniqueOrThrow({ where: { id: run.id } });
          if (closed) return;
          for (const row of changed) {
            if (seen.get(row.id) === row.updatedAt.getTime()) continue;
            seen.set(row.id, row.updatedAt.getTime());
            if (row.updatedAt > since) since = row.updatedAt;
            send(res, 'step', stepView(row, project!.name));
          }
          if (current.status !== status) {
            status = current.status;
            send(res, 'run', view({ ...run, ...current }));
          }
          if (FINISHED.has(status)) {
            res.end('event: end\ndata: {}\n\n');
            return;
          }
          timer = setTimeout(loop, RUN_EVENTS_TICK_MS);
        };
        const loop = () => {
          tick().catch((err: unknown) => {
            logger.warn({ err, run: run.id }, 'run events stream failed');
            res.destroy();
          });
        };
        timer = setTimeout(loop, RUN_EVENTS_TICK_MS);
      },
    },
  ];
}
