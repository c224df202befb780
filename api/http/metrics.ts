import { Router } from 'express';
import { collectDefaultMetrics, register } from 'prom-client';

let collecting = false;

export function metricsRouter(): Router {
  if (!collecting) {
    collectDefaultMetrics();
    collecting = true;
  }
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.type(register.contentType).send(await register.metrics());
  });
  return router;
}
