import { Readable, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import type { StoredLogRow } from './rows';

/**
 * An archived attempt's log: gzip of one JSON line per row after a header line,
 * `[id, seq, stream, line, continues, at ms]`, in id order. The ids are the rows' LogLine ids, so
 * SSE event ids (Last-Event-ID) and the merge with rows still in the table stay as they were.
 */
const FORMAT = 'containerops.log-archive/v1';

type ArchivedRow = [id: string, seq: number, stream: string, line: string, continues: 0 | 1, at: number];

export interface ArchiveHeader {
  runId: string;
  stepId: string;
  matrixKey: string;
  attempt: number;
}

/** What was written, known once the returned stream has ended. */
export interface ArchiveStats {
  firstId?: bigint;
  lastId?: bigint;
  rowCount: number;
}

/** The gzip stream of an attempt's rows (batches in id order); a failing source fails the stream. */
export function encodeArchive(
  header: ArchiveHeader,
  batches: AsyncIterable<StoredLogRow[]>,
): { stream: Readable; stats: ArchiveStats } {
  const stats: ArchiveStats = { rowCount: 0 };
  async function* lines(): AsyncGenerator<string> {
    yield `${JSON.stringify({ format: FORMAT, ...header })}\n`;
    for await (const rows of batches) {
      let text = '';
      for (const r of rows) {
        const row: ArchivedRow = [String(r.id), r.seq, r.stream, r.line, r.continues ? 1 : 0, r.at.getTime()];
        text += `${JSON.stringify(row)}\n`;
        stats.firstId ??= r.id;
        stats.lastId = r.id;
        stats.rowCount++;
      }
      yield text;
    }
  }
  const stream = pipeline(Readable.from(lines()), zlib.createGzip(), () => undefined);
  return { stream, stats };
}

/** Rows of an archive blob with `afterId < id <= untilId`, in batches; stops reading past `untilId`. */
export async function* decodeArchive(
  blob: Readable,
  attempt: number,
  range: { afterId: bigint; untilId?: bigint; batchRows: number },
): AsyncGenerator<StoredLogRow[]> {
  const source = pipeline(blob, zlib.createGunzip(), () => undefined);
  source.setEncoding('utf8');
  let header = true;
  let partial = '';
  let batch: StoredLogRow[] = [];
  try {
    // a source error (a corrupt or missing blob) ends this loop with it
    reading: for await (const chunk of source as AsyncIterable<string>) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const text of lines) {
        if (header) {
          if ((JSON.parse(text) as { format?: unknown }).format !== FORMAT)
            throw new Error('not a log archive of this version');
          header = false;
          continue;
        }
        const [id, seq, stream, line, continues, at] = JSON.parse(text) as ArchivedRow;
        const rowId = BigInt(id);
        if (rowId <= range.afterId) continue;
        if (range.untilId !== undefined && rowId > range.untilId) {
          partial = '';
          break reading;
        }
        batch.push({ id: rowId, attempt, seq, stream, line, continues: continues === 1, at: new Date(at) });
        if (batch.length >= range.batchRows) {
          yield batch;
          batch = [];
        }
      }
    }
    if (header || partial !== '') throw new Error('log archive is cut short');
    if (batch.length > 0) yield batch;
  } finally {
    source.destroy();
    blob.destroy();
  }
}
