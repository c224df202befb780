import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../lib/config';
import { workflowBundlerOptions } from '../../lib/workflow-bundle';
import { devServerArgs } from '../../scripts/temporal-dev-server';
import { pipelineWorkerTuning } from '../../workers/worker';

// Each setting below was measured on this machine to add ~50 ms or more to every step when undone.
describe('settings that keep the per-step floor low', () => {
  it('the worker caches workflows and runs several activities at once', () => {
    const tuning = pipelineWorkerTuning(loadConfig({}));
    expect(tuning.maxCachedWorkflows).toBeGreaterThan(0);
    expect(tuning.maxConcurrentActivityTaskExecutions).toBeGreaterThanOrEqual(2);
  });

  it('the dev server dispatches activities eagerly and polls its queues often', () => {
    const args = devServerArgs(false).join(' ');
    expect(args).toContain('system.enableActivityEagerExecution=true');
    expect(args).toMatch(/history\.transferProcessorMaxPollRPS=(\d+)/);
    expect(Number(/transferProcessorMaxPollRPS=(\d+)/.exec(args)![1])).toBeGreaterThanOrEqual(200);
    expect(args).not.toContain('journal_mode');
  });

  it('its sqlite file, when it has one, is in WAL mode', () => {
    const args = devServerArgs(true);
    expect(args).toEqual(expect.arrayContaining(['--sqlite-pragma', 'journal_mode=wal']));
    expect(args).toEqual(expect.arrayContaining(['--sqlite-pragma', 'synchronous=normal']));
  });
});

describe('settings that keep a cancel prompt', () => {
  it('heartbeats (which carry a cancel to a running step) are held for at most a second', () => {
    expect(pipelineWorkerTuning(loadConfig({})).maxHeartbeatThrottleInterval).toBe('1s');
  });
});

// Measured with `npm run bench -- matrix` (10,000 legs): each of these kept the worker over 500 MB.
describe('settings that keep a wide matrix inside the worker memory budget', () => {
  it('npm run start:worker launches the worker with the V8 heap ceiling of CO_WORKER_HEAP_MB (default 768)', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const script = pkg.scripts['start:worker']!;
    const flag = /tsx --max-old-space-size=\$\{CO_WORKER_HEAP_MB:-(\d+)\} workers\/main\.ts/.exec(script);
    expect(flag).not.toBeNull();
    expect(Number(flag![1])).toBe(loadConfig({}).CO_WORKER_HEAP_MB);
    expect(loadConfig({}).CO_WORKER_HEAP_MB).toBeLessThanOrEqual(1024);
  });

  it('every workflow bundle shares the expression evaluator (CEL) between cached workflows', () => {
    expect(workflowBundlerOptions.preloadModules).toEqual([
      path.resolve(__dirname, '../../pipeline/evaluate'),
    ]);
  });
});
