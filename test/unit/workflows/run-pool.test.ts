import { runPool } from '../../../workflows/matrixChunk';

/** An item of the pool that finishes when the test says so. */
class Held {
  readonly started: number[] = [];
  private readonly finish = new Map<number, () => void>();
  run = (item: number) => {
    this.started.push(item);
    return new Promise<void>((resolve) => this.finish.set(item, resolve));
  };
  /** Lets `item` finish and gives the pool's runners their turn. */
  async release(item: number): Promise<void> {
    this.finish.get(item)!();
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('runPool (matrix combinations and chunks)', () => {
  it('starts only `width` items, in order, and the next one as soon as one finishes', async () => {
    const held = new Held();
    let done = false;
    const pool = runPool([0, 1, 2, 3, 4], 2, held.run).then(() => (done = true));
    await settle();
    expect(held.started).toEqual([0, 1]);
    await held.release(1);
    expect(held.started).toEqual([0, 1, 2]);
    await held.release(0);
    await held.release(2);
    expect(held.started).toEqual([0, 1, 2, 3, 4]);
    expect(done).toBe(false);
    await held.release(3);
    await held.release(4);
    await pool;
    expect(done).toBe(true);
  });

  it('tells each item which runner runs it, so a runner can carry a fixed share of a limit', async () => {
    const seen: [number, number][] = [];
    await runPool(['a', 'b', 'c', 'd', 'e'], 3, async (_item, index, runner) => {
      seen.push([index, runner]);
      await settle();
    });
    expect(seen.map(([index]) => index)).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(seen.map(([, runner]) => runner))).toEqual(new Set([0, 1, 2]));
  });

  it('with fewer items than runners starts each item once, and with none finishes at once', async () => {
    const items: number[] = [];
    await runPool([7, 8], 5, async (item) => void items.push(item));
    expect(items).toEqual([7, 8]);
    await expect(runPool([], 3, async () => undefined)).resolves.toBeUndefined();
  });
});
