import { loadConfig } from '../../lib/config';
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
