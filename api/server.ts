import http from 'node:http';
import type { ApiDeps } from './deps';
import { createApp } from './app';
import { temporalClient } from '../lib/temporal';
import { ensureBootstrapAdmin } from './crew/bootstrap';
import { answerClientErrors } from './http/client-error';
import { publishBuiltinComponents } from './nucleus/builtins';
import { ensurePlatformProject } from './dockyard/registry/platform';
import { StartupError } from '../lib/connect';

export interface ApiServer {
  url: string;
  server: http.Server;
  /** The generated admin token on first start, when CO_BOOTSTRAP_ADMIN_TOKEN was not set. */
  generatedAdminToken?: string;
  close(): Promise<void>;
}

/** Starts the API; its Temporal client is made from the connection and the configured namespace. */
export async function startApiServer(base: Omit<ApiDeps, 'client'>): Promise<ApiServer> {
  const deps: ApiDeps = { ...base, client: temporalClient(base.temporal, base.config.TEMPORAL_NAMESPACE) };
  const bootstrap = await ensureBootstrapAdmin(deps.db, deps.config.CO_BOOTSTRAP_ADMIN_TOKEN);
  await publishBuiltinComponents(deps.db, deps.logger);
  await ensurePlatformProject(deps.db);
  const server = http.createServer(createApp(deps));
  server.keepAliveTimeout = 65_000;
  answerClientErrors(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new StartupError(
          `the API cannot listen on ${deps.config.HOST}:${deps.config.PORT}: ${err.code === 'EADDRINUSE' ? 'the port is in use (set PORT)' : err.message}`,
        ),
      ),
    );
    server.listen(deps.config.PORT, deps.config.HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : deps.config.PORT;
  const host = deps.config.HOST === '0.0.0.0' || deps.config.HOST === '::' ? 'localhost' : deps.config.HOST;
  return {
    url: `http://${host}:${port}`,
    server,
    generatedAdminToken: bootstrap.token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
