import { secretMasker } from '../../../activities/logarithm/mask';
import { LogSink } from '../../../activities/logarithm/sink';
import type { LogKey, LogRow, LogStore } from '../../../activities/logarithm/store';

const SECRET = 'tok-5f2a9c1e77d0';

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

describe('masking secret values in logs', () => {
  const mask = secretMasker([SECRET, 'line one\nline two']);

  it('masks a value printed base64-encoded, alone or inside a larger encoded text', () => {
    expect(mask(Buffer.from(SECRET).toString('base64'))).toBe('***');
    for (const prefix of ['a', 'ab', 'abc', 'user:']) {
      const encoded = Buffer.from(`${prefix}${SECRET}!`).toString('base64');
      expect(mask(encoded)).toContain('***');
      expect(mask(encoded)).not.toContain(Buffer.from(SECRET).toString('base64').slice(4, 12));
    }
  });

  it('masks each line of a multi-line secret', () => {
    expect(mask('line one')).toBe('***');
    expect(mask('> line two')).toBe('> ***');
  });

  it('masks a secret cut between two lines', () => {
    expect(mask.across(`header ${SECRET.slice(0, 7)}`, `${SECRET.slice(7)} trailer`)).toEqual([
      'header ***',
      '*** trailer',
    ]);
    expect(mask.across('nothing here', 'nor here')).toEqual(['nothing here', 'nor here']);
  });

  it('the sink masks a secret split across a line boundary of a batch, whatever other streams print', async () => {
    const store = memoryStore();
    const sink = new LogSink(store, { runId: 'r', stepId: 's', matrixKey: '', attempt: 1 }, mask);
    for (let i = 0; i < 100; i++) sink.push('stdout', `filler ${i}`);
    sink.push('stdout', `x ${SECRET.slice(0, 5)}`);
    sink.push('stderr', 'interleaved');
    sink.push('stdout', `${SECRET.slice(5)} y`);
    await sink.close();
    const lines = store.rows.map((r) => r.line);
    expect(lines.slice(-3)).toEqual(['x ***', 'interleaved', '*** y']);
    expect(store.rows.map((r) => r.seq)).toEqual(lines.map((_, i) => i + 1));
    expect(lines.join('\n')).not.toContain(SECRET.slice(0, 5));
  });
});
