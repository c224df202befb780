import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { allSearchAttributes } from '../contract/search-attributes';
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

/**
 * Flags that lower the dev server's per-activity floor (measured here: 51 -> ~19 ms per bare activity):
 * eager activities start the next step in the round trip that completes the workflow task; the
 * history transfer queue is polled at most 20 times a second by default (each hop waited ~50 ms);
 * and the sqlite file without WAL costs ~30 ms more per activity.
 */
export function devServerArgs(sqliteFile: boolean): string[] {
  const args = [
    '--log-level',
    'error',
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
    '--dynamic-config-value',
    'history.transferProcessorMaxPollRPS=1000',
    '--dynamic-config-value',
    'history.timerProcessorMaxPollRPS=1000',
  ];
  if (sqliteFile) args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  return args;
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
      extraArgs: devServerArgs(opts.dbFilename !== undefined),
    },
  });
  const address = env.connection.options.address;
  return { address, env, stop: () => env.teardown() };
}
