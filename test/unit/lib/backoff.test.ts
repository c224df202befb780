import { backoffDelay, KUBE_API_BACKOFF } from '../../../lib/backoff';
import { sleep } from '../../../lib/sleep';

describe('backoff between retries', () => {
  it.each([
    [0, 500],
    [1, 1000],
    [3, 4000],
    [5, 10_000],
    [50, 10_000],
  ])('after %i failures waits %i ms (doubling, capped)', (failures, ms) => {
    expect(backoffDelay(KUBE_API_BACKOFF, failures)).toBe(ms);
  });

  it('grows by the given factor', () => {
    expect(backoffDelay({ initialMs: 100, maxMs: 10_000, factor: 3 }, 2)).toBe(900);
  });
});

describe('abortable sleep', () => {
  it('ends as soon as its signal aborts, however long it was to wait', async () => {
    const abort = new AbortController();
    const slept = sleep(3_600_000, abort.signal);
    abort.abort();
    await expect(slept).resolves.toBeUndefined();
  });

  it('does not wait at all on a signal that already aborted', async () => {
    await expect(sleep(3_600_000, AbortSignal.abort())).resolves.toBeUndefined();
  });
});
