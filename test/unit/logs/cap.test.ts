import { secretMasker } from '../../../activities/logarithm/mask';
import { LogSink, truncationMarker } from '../../../activities/logarithm/sink';
import type { LogKey, LogRow, LogStore } from '../../../activities/logarithm/store';

function memoryStore(): LogStore & { rows: LogRow[] } {
  const rows: LogRow[] = [];
  return {
    rows,
    async insert(_key: LogKey, batch: LogRow[]) {
      rows.push(...batch);
    },
    async storedSoFar() {
      return { seq: rows.length, bytes: 0 };
    },
    async close() {},
  };
}

const key = { runId: 'r', stepId: 's', matrixKey: '', attempt: 1 };

describe('the per-step log cap (CO_LOG_MAX_BYTES_PER_STEP)', () => {
  it('stores lines up to the cap, then one marker, and drops everything after it', async () => {
    const store = memoryStore();
    const sink = new LogSink(store, key, secretMasker([]), { maxBytes: 100 });
    for (let i = 0; i < 50; i++) sink.push('stdout', `line ${String(i).padStart(2, '0')}`); // 7 bytes each
    await sink.close();
    const lines = store.rows.map((r) => r.line);
    expect(lines).toEqual([
      ...Array.from({ length: 14 }, (_, i) => `line ${String(i).padStart(2, '0')}`),
      truncationMarker(100),
    ]);
    expect(store.rows.at(-1)).toMatchObject({ stream: 'stderr', continues: false });
    expect(store.rows.map((r) => r.seq)).toEqual(lines.map((_, i) => i + 1));
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const store = memoryStore();
    const sink = new LogSink(store, key, secretMasker([]), { maxBytes: 10 });
    sink.push('stdout', '☃☃☃'); // 9 bytes
    sink.push('stdout', '☃'); // 3 more: over
    await sink.close();
    expect(store.rows.map((r) => r.line)).toEqual(['☃☃☃', truncationMarker(10)]);
  });

  it('closes a line cut by the cap before the marker, so the marker stands on its own line', async () => {
    const store = memoryStore();
    const sink = new LogSink(store, key, secretMasker([]), { maxBytes: 10 });
    sink.push('stdout', 'abcdef', true); // the runtime cut an over-long line: it goes on
    sink.push('stdout', 'ghijkl', true);
    sink.push('stdout', 'mno');
    await sink.close();
    expect(store.rows.map((r) => [r.line, r.continues])).toEqual([
      ['abcdef', true],
      ['', false],
      [truncationMarker(10), false],
    ]);
  });

  it('a second execution of an attempt already past the cap stores nothing more', async () => {
    const store = memoryStore();
    const sink = new LogSink(store, key, secretMasker([]), { maxBytes: 10, resume: { seq: 7, bytes: 11 } });
    sink.push('stderr', 'the worker was lost');
    await sink.close();
    expect(store.rows).toEqual([]);
  });

  it('keeps everything when the cap is 0', async () => {
    const store = memoryStore();
    const sink = new LogSink(store, key, secretMasker([]), { maxBytes: 0 });
    for (let i = 0; i < 1000; i++) sink.push('stdout', 'x'.repeat(100));
    await sink.close();
    expect(store.rows).toHaveLength(1000);
  });
});
