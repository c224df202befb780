import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workflowBundlerOptions } from '../../lib/workflow-bundle';
import { loadConfig, type Config } from '../../lib/config';
import { createDb, type Db } from '../../lib/db';
import { createLogger } from '../../lib/logger';
import { generateKey } from '../../lib/secret-box';
import { connectTemporal } from '../../lib/temporal';
import { startApiServer, type ApiServer } from '../../api/server';
import { startPipelineWorker, type PipelineWorker } from '../../workers/worker';
import type { Connection } from '@temporalio/client';
import type { KubeConfig } from '@kubernetes/client-node';
import type { RuntimeName, StepRuntime } from '../../activities/runtimes/runtime';

export const ADMIN_TOKEN = 'co_test_admin_token_0123456789abcdef';
/** The run's key (global-setup); tests of rotation pass their own. */
export const TEST_SECRETS_KEY = process.env.CO_TEST_SECRETS_KEY ?? generateKey();

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundled once per test file (jest gives each file its own module registry). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    ...workflowBundlerOptions,
    logger: quietBundlerLogger,
  });
  return bundle;
}

const quietBundlerLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error: (msg: string) => console.error(msg),
};

export function testConfig(overrides: Record<string, string> = {}): Config {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-test-'));
  return loadConfig({
    ...process.env,
    TEMPORAL_TASK_QUEUE: `${process.env.CO_TEST_TASK_QUEUE_PREFIX}-${crypto.randomBytes(4).toString('hex')}`,
    CO_BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN,
    CO_DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    CO_STEP_KILL_GRACE_MS: '1000',
    CO_SHUTDOWN_GRACE_MS: '1000',
    CO_SECRETS_KEY: TEST_SECRETS_KEY,
    ...overrides,
  });
}

export interface Stack {
  config: Config;
  db: Db;
  temporal: Connection;
  api: ApiServer;
  worker: PipelineWorker | undefined;
  url: string;
  /** fetch against the API with the admin token (or `token`) */
  request(
    method: string,
    path: string,
    body?: unknown,
    opts?: { token?: string | null; headers?: Record<string, string> },
  ): Promise<Response>;
  startWorker(): Promise<PipelineWorker>;
  stop(): Promise<void>;
}

/** The real stack in-process: API + worker against the test run's Temporal and MariaDB. */
export async function startStack(
  opts: {
    worker?: boolean;
    config?: Record<string, string>;
    kubeConfig?: KubeConfig;
    /** step runtimes replacing the real ones (see test/support/fake-runtime.ts) */
    runtimes?: Partial<Record<RuntimeName, StepRuntime>>;
  } = {},
): Promise<Stack> {
  const config = testConfig(opts.config);
  const logger = createLogger(config.LOG_LEVEL);
  const db = createDb(config.DATABASE_URL!);
  const temporal = await connectTemporal(config.TEMPORAL_ADDRESS);
  const api = await startApiServer({
    config,
    db,
    temporal,
    logger,
  });
  const stack: Stack = {
    config,
    db,
    temporal,
    api,
    worker: undefined,
    url: api.url,
    async request(method, p, body, ro = {}) {
      const token = ro.token === undefined ? ADMIN_TOKEN : ro.token;
      const headers: Record<string, string> = {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...ro.headers,
      };
      let payload: string | undefined;
      if (typeof body === 'string') {
        payload = body;
        headers['content-type'] ??= 'application/yaml';
      } else if (body !== undefined) {
        payload = JSON.stringify(body);
        headers['content-type'] ??= 'application/json';
      }
      return fetch(`${api.url}${p}`, { method, headers, body: payload });
    },
    async startWorker() {
      stack.worker = await startPipelineWorker({
        // steps reach dockyard over HTTP, at the API this stack started on a random port
        config: { ...config, CO_API_URL: config.CO_API_URL ?? api.url },
        db,
        logger,
        workflowBundle: await workflowBundle(),
        kubeConfig: opts.kubeConfig,
        runtimes: opts.runtimes,
      });
      return stack.worker;
    },
    async stop() {
      await stack.worker?.stop();
      await api.close();
      await temporal.close();
      await db.$disconnect();
      fs.rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
  if (opts.worker !== false) await stack.startWorker();
  return stack;
}
