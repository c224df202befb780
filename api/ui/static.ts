import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

export const UI_DIST = path.resolve(__dirname, '../../ui/dist');
/** Paths that belong to the API and its neighbours, never to the single-page app. */
const NOT_UI = /^\/(api|v2|docs|healthz|readyz|metrics)(\/|$)/;

/**
 * The web UI at `/`: built assets from ui/dist, and index.html for every other page path so a
 * deep link (`/projects/x/runs/y`) survives a reload. Hashed assets are cached for a year.
 */
export function uiRouter(dist = UI_DIST): Router {
  const router = Router();
  router.use(
    '/assets',
    express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }),
  );
  router.use(express.static(dist, { index: false, maxAge: '1h' }));
  router.get(/.*/, (req, res, next) => {
    // only page loads (browsers ask for text/html by name); API clients get the API's 404
    if (NOT_UI.test(req.path) || !(req.get('accept') ?? '').includes('text/html')) return next();
    const index = path.join(dist, 'index.html');
    if (!fs.existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('The web UI is not built: run `npm run build:ui` (npm start does it for you).\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
