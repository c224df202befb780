import { createBlobStore } from '../../../lib/blobs';
import { loadConfig } from '../../../lib/config';
import { createDb, type Db } from '../../../lib/db';
import { LogTails, TICK_MS, type TailSubscriber } from '../../../api/logarithm/tail';
import type { StoredLogRow } from '../../../api/logarithm/rows';
import { createRunFixture, setStepStatus, writeLines, type RunFixture } from './fixtures';

/** A database whose raw queries (the tail's tick) are counted. */
function countingDb(db: Db): { db: Db; queries: () => number } {
  let n = 0;
  const counted = new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== '$queryRaw') return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => {
        n++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { db: counted, queries: () => n };
}

function collector(): TailSubscriber & { lines: string[]; ended?: string } {
  const c = {
    lines: [] as string[],
    ended: undefined as string | undefined,
    rows: (rows: StoredLogRow[]) => c.lines.push(...rows.map((r) => r.line)),
    end: (status: string) => (c.ended = status),
    fail: () => (c.ended = 'failed to follow'),
  };
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the shared log tail', () => {
  let db: Db;
  let run: RunFixture;

  beforeAll(async () => {
    db = createDb(process.env.DATABASE_URL!);
    run = await createRunFixture(db);
    await setStepStatus(db, run.runId, 'test', 'running');
  });
  afterAll(() => db.$disconnect());

  it('polls once per tick for a hundred followers of one step, and stops when the last one leaves', async () => {
    const { db: counted, queries } = countingDb(db);
    const tails = new LogTails({ db: counted, blobs: () => createBlobStore(loadConfig()) });
    const target = { key: { runId: run.runId, stepId: 'test', matrixKey: '' }, maxAttempts: 1 };
    const followers = Array.from({ length: 100 }, () => collector());
    const leaves = followers.map((f) => tails.join(target, 0n, f).leave);
    expect(tails.size).toBe(1);

    await writeLines(db, run.runId, 'test', ['shared']);
    const started = Date.now();
    const before = queries();
    await sleep(10 * TICK_MS);
    const ticks = (Date.now() - started) / TICK_MS;
    expect(queries() - before).toBeLessThanOrEqual(Math.ceil(ticks) + 1);
    expect(followers.every((f) => f.lines.join() === 'shared')).toBe(true);

    leaves.forEach((leave) => leave());
    expect(tails.size).toBe(0);
    const after = queries();
    await sleep(3 * TICK_MS);
    expect(queries()).toBe(after);
  });
});
