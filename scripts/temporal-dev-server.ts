import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { allSearchAttributes } from '../lib/temporal';
import { ensureTemporalCli } from './temporal-cli';

export interface DevServerOptions {
  /** sqlite file for durable dev state; omitted = in-memory */
  dbFilename?: string;
  port?: number;
  uiPort?: number;
  namespace?: string;
  log?: (msg: string) => void;
}

export interface DevServer {
  address: string;
  env: TestWorkflowEnvironment;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` through the SDK's test environment with our search attributes. */
export async function startTemporalDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const cli = ensureTemporalCli(opts.log);
  if (opts.dbFilename) fs.mkdirSync(path.dirname(opts.dbFilename), { recursive: true });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
      ip: '127.0.0.1',
      port: opts.port,
      ui: opts.uiPort !== undefined,
      uiPort: opts.uiPort,
      dbFilename: opts.dbFilename,
      namespace: opts.namespace ?? 'default',
      searchAttributes: allSearchAttributes,
      // eager activities: the next step starts in the same round trip that completes the workflow task
      extraArgs: [
        '--log-level',
        'error',
        '--dynamic-config-value',
        'system.enableActivityEagerExecution=true',
      ],
    },
  });
  const address = env.connection.options.address;
  return { address, env, stop: () => env.teardown() };
}
