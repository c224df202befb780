import { cutAt } from '../runtimes/lines';
import type { LogStream } from '../runtimes/runtime';
import type { Masker } from './mask';
import type { LogKey, LogRow, LogStore } from './store';
import { backoffDelay, type Backoff } from '../../lib/backoff';
import { sleep } from '../../lib/sleep';

export type { LogKey } from './store';

const MAX_BATCH = 5000;
const FLUSH_MS = 100;
/** A failed batch insert is tried five times in all, about 3 s, before the attempt fails. */
const STORE_BACKOFF: Backoff = { initialMs: 200, maxMs: 1600 };
/** TEXT holds 64 KiB (16 Ki characters of up to 4 bytes); a longer line goes on in the next rows. */
export const MAX_ROW_CHARS = 16 * 1024;

export interface LogSinkOptions {
  /** what a second execution of the same attempt (its worker was lost) finds already stored */
  resume?: { seq: number; bytes: number };
  /** log text one attempt may store, in UTF-8 bytes; past it lines are dropped (0: no cap) */
  maxBytes?: number;
}

/** The one line stored in place of everything a step writes past its cap. */
export function truncationMarker(maxBytes: number): string {
  return `[containerops] log truncated: this step wrote more than ${maxBytes} bytes (CO_LOG_MAX_BYTES_PER_STEP); later output is dropped, the step goes on`;
}

/**
 * Batches one attempt's log lines into the log store, numbered per attempt. Rows are keyed by
 * (run, step, matrix, attempt, seq), so a batch written twice is stored once.
 */
export class LogSink {
  private buffer: LogRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  /** each stream's last line while its single row is unwritten: a secret cut between it and the next line is masked in both */
  private last: Partial<Record<LogStream, { raw: string; row: LogRow }>> = {};
  private seq: number;
  /** UTF-8 bytes of log text stored for this attempt, counted as lines arrive (no query) */
  private bytes: number;
  private readonly maxBytes: number;
  private truncated: boolean;
  /** the last row pushed continues: a marker must close its line first */
  private open: { stream: LogStream } | undefined;

  constructor(
    private readonly store: LogStore,
    private readonly key: LogKey,
    private readonly mask: Masker,
    opts: LogSinkOptions = {},
  ) {
    this.seq = opts.resume?.seq ?? 0;
    this.bytes = opts.resume?.bytes ?? 0;
    this.maxBytes = opts.maxBytes ?? 0;
    // an execution that resumes past the cap: its first execution stored the marker already
    this.truncated = this.maxBytes > 0 && this.bytes >= this.maxBytes;
  }

  /** `continues`: the next push goes on with this line (the runtime cut an over-long one). */
  push(stream: LogStream, line: string, continues = false): void {
    let head = '';
    let raw = line;
    const prev = this.last[stream];
    const cut = prev && this.mask.spanning(prev.raw, line);
    if (prev && cut) {
      prev.row.line = `${this.mask(prev.raw.slice(0, cut.before))}***`;
      head = '***';
      raw = line.slice(cut.after);
    }
    if (this.truncated) {
      this.last[stream] = undefined;
      return;
    }
    const text = head + this.mask(raw);
    const at = new Date();
    if (this.maxBytes > 0) {
      this.bytes += Buffer.byteLength(text);
      if (this.bytes > this.maxBytes) return this.truncate(at);
    }
    // all rows of one piece go into one batch (one INSERT), so readers see all of them or none
    let start = 0;
    do {
      const end = cutAt(text, start + MAX_ROW_CHARS);
      const more = end < text.length || continues;
      this.buffer.push({ seq: ++this.seq, stream, line: text.slice(start, end), continues: more, at });
      start = end;
    } while (start < text.length);
    const single = text.length <= MAX_ROW_CHARS && !this.mask.empty;
    this.last[stream] = single ? { raw: line, row: this.buffer[this.buffer.length - 1]! } : undefined;
    this.open = continues ? { stream } : undefined;
    this.scheduleFlush();
  }

  /** Stores the marker, closing a line left open, and drops every later line. */
  private truncate(at: Date): void {
    this.truncated = true;
    if (this.open)
      this.buffer.push({ seq: ++this.seq, stream: this.open.stream, line: '', continues: false, at });
    this.open = undefined;
    const marker = truncationMarker(this.maxBytes);
    this.buffer.push({ seq: ++this.seq, stream: 'stderr', line: marker, continues: false, at });
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.buffer.length >= MAX_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.last = {}; // written rows can no longer be patched
    if (this.buffer.length === 0) return this.writing;
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private async write(batch: LogRow[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.insert(this.key, batch);
        return;
      } catch (err) {
        if (attempt >= 5) {
          this.failure = err as Error;
          return;
        }
        await sleep(backoffDelay(STORE_BACKOFF, attempt - 1));
      }
    }
  }

  /** Flushes everything; rejects if lines could not be stored (the activity then fails and is retried). */
  async close(): Promise<void> {
    await this.flush();
    if (this.failure) throw new Error(`log lines could not be stored: ${this.failure.message}`);
  }
}
