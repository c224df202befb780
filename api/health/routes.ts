import { Router } from 'express';
import type { Connection } from '@temporalio/client';
import type { Db } from '../../lib/db';
import { checkDependencies } from './readiness';

/** /healthz: the process is up. /readyz: the database and Temporal answer (503 names what does not). */
export function healthRouter(db: Db, temporal: Connection): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const dependencies = await checkDependencies(db, temporal);
    const failing = dependencies.filter((d) => !d.ok);
    res.status(failing.length ? 503 : 200).json({
      status: failing.length ? 'unavailable' : 'ready',
      ...(failing.length ? { failing: failing.map((d) => d.name) } : {}),
      dependencies,
    });
  });
  return router;
}
