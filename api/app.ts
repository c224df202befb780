import crypto from 'node:crypto';
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { ApiDeps } from './deps';
import { healthRouter } from './health/routes';
import { mountRoutes } from './http/route';
import { notFoundHandler, problemHandler } from './http/problem';
import { httpMetrics, metricsRouter } from './http/metrics';
import { authFailureGuard, authFailureLockout, requestRateLimit } from './http/rate-limit';
import { apiRoutes } from './routes';
import { openApiRouter } from './http/openapi';
import { createBlobStore } from '../lib/blobs';
import { signingKey } from '../lib/signed-tokens';
import { registryRouter } from './dockyard/registry/router';
import { uiRouter } from './ui/static';
import { assertJsonDepth } from './http/json-depth';
import { badgeRouter } from './forges/badge';

export const BODY_LIMIT = '1mb';

/** Request logs: one id a request (X-Request-Id, taken from the client when well-formed), tokens masked. */
function requestLogger(deps: ApiDeps) {
  return pinoHttp({
    logger: deps.logger,
    genReqId: (req, res) => {
      const incoming = req.headers['x-request-id'];
      const id =
        typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : crypto.randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    // a download link is its own credential: the log keeps the route, not the token
    serializers: {
      req: (req: { url?: string }) => {
        if (req.url) req.url = req.url.replace(/\/downloads\/[^/?]+/, '/downloads/***');
        return req;
      },
    },
  });
}

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For names the client only behind a configured proxy: else it bypasses lockouts
  app.set('trust proxy', deps.config.CO_TRUST_PROXY);
  app.use(helmet());
  app.use(requestLogger(deps));
  // run tokens and registry tokens are verified with it (api/crew/actor.ts)
  app.locals.signingKey = signingKey(deps.config);
  const blobStore = createBlobStore(deps.config);
  app.use(healthRouter(deps.db, deps.temporal));
  app.use(httpMetrics);
  app.use(metricsRouter(deps.db));
  // one guessing budget per address, whether it guesses at the API or at the registry
  const lockout = authFailureLockout();
  // the OCI registry streams its bodies: it comes before any body parser
  app.use(
    '/v2',
    registryRouter({ ...deps, store: blobStore, signingKey: app.locals.signingKey as Buffer, lockout }),
  );
  // Limits run before body parsing. No CORS middleware on purpose: no Access-Control-* headers.
  app.use('/api/v1', authFailureGuard(lockout), requestRateLimit(deps.config.CO_RATE_LIMIT_PER_MINUTE));
  // webhook signatures cover the exact bytes: their bodies stay raw
  app.use('/api/v1/hooks', express.raw({ type: () => true, limit: BODY_LIMIT }));
  app.use('/api/v1/forge-hooks', express.raw({ type: () => true, limit: BODY_LIMIT }));
  // over-deep bodies are refused before JSON.parse, so no recursive walk meets them
  app.use(express.json({ limit: BODY_LIMIT, verify: (_req, _res, body) => assertJsonDepth(body) }));
  app.use(
    express.text({
      limit: BODY_LIMIT,
      type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'],
    }),
  );
  const routes = apiRoutes(deps);
  app.use(openApiRouter(routes));
  app.use('/api/v1', mountRoutes(deps.db, routes));
  app.use(badgeRouter(deps.db));
  app.use(uiRouter());
  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}
