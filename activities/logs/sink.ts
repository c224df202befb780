import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../lib/db';
import type { LogStream } from '../runtimes/runtime';

export interface LogKey {
  runId: string;
  stepId: string;
  matrixKey: string;
  attempt: number;
}

const MAX_BATCH = 2000;
const FLUSH_MS = 100;
/** TEXT holds 64 KiB; a longer line is cut (the runtime already splits at 16 KiB). */
const MAX_LINE_CHARS = 16 * 1024;

/**
 * Batches one attempt's log lines into MySQL, numbered per attempt. Rows are keyed by
 * (run, step, matrix, attempt, seq), so a batch written twice is stored once.
 */
export class LogSink {
  private buffer: Array<{ seq: number; stream: LogStream; line: string; at: Date }> = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(
    private readonly db: Db,
    private readonly key: LogKey,
    private readonly mask: (line: string) => string,
    private seq = 0,
  ) {}

  /** The next sequence number after what an earlier execution of this attempt already stored. */
  static async resumeSeq(db: Db, key: LogKey): Promise<number> {
    const last = await db.logLine.aggregate({ _max: { seq: true }, where: key });
    return last._max.seq ?? 0;
  }

  push(stream: LogStream, line: string): void {
    const text = this.mask(
      line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…[truncated]` : line,
    );
    this.buffer.push({ seq: ++this.seq, stream, line: text, at: new Date() });
    if (this.buffer.length >= MAX_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return this.writing;
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private async write(batch: typeof this.buffer): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.logLine.createMany({
          data: batch.map((l) => ({ ...this.key, ...l })),
          skipDuplicates: true,
        });
        return;
      } catch (err) {
        if (attempt >= 5) {
          this.failure = err as Error;
          return;
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  /** One multi-row INSERT IGNORE: Prisma's createMany spends most of its time outside the database. */
  private async insert(batch: typeof this.buffer): Promise<void> {
    const { runId, stepId, matrixKey, attempt } = this.key;
    const values = batch.map(
      (l) =>
        Prisma.sql`(${runId}, ${stepId}, ${matrixKey}, ${attempt}, ${l.seq}, ${l.stream}, ${l.line}, ${l.at})`,
    );
    await this.db
      .$executeRaw`INSERT IGNORE INTO LogLine (runId, stepId, matrixKey, attempt, seq, stream, line, at) VALUES ${Prisma.join(values)}`;
  }

  /** Flushes everything; rejects if lines could not be stored (the activity then fails and is retried). */
  async close(): Promise<void> {
    await this.flush();
    if (this.failure) throw new Error(`log lines could not be stored: ${this.failure.message}`);
  }
}
