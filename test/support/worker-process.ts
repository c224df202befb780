import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Config } from '../../lib/config';

/**
 * `workers/main.ts` in a process of its own, run by node itself (the tsx CLI would put a wrapper
 * process in between), so it can be SIGKILLed like a crashed pod and measured on its own.
 */
export function spawnWorkerProcess(config: Config, env: Record<string, string> = {}): ChildProcess {
  // the heap ceiling `npm run start:worker` gives it
  const heap = `--max-old-space-size=${env.CO_WORKER_HEAP_MB ?? config.CO_WORKER_HEAP_MB}`;
  return spawn(process.execPath, [heap, '--require', 'tsx/cjs', 'workers/main.ts'], {
    cwd: path.resolve(__dirname, '../..'),
    env: {
      ...process.env,
      DATABASE_URL: config.DATABASE_URL,
      TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
      CO_DATA_DIR: config.dataDir,
      ...(config.CO_SECRETS_KEY ? { CO_SECRETS_KEY: config.CO_SECRETS_KEY } : {}),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
