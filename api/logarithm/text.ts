import { once } from 'node:events';
import type { Response } from 'express';
import { logRows, type StepLogKey, type LogRange, type StoredLogRow } from './rows';
import type { LogStorage } from './storage';

export interface TextOptions {
  timestamps: boolean;
}

/**
 * Renders rows as text lines. Where the attempt changes from one line to the next, a
 * `--- attempt N ---` line says so; the first attempt shown carries no label.
 */
export class LogTextFormatter {
  private attempt: number | undefined;
  /** the last row written continues: its line is still open */
  private open = false;

  constructor(private readonly opts: TextOptions) {}

  format(rows: StoredLogRow[]): string {
    let out = '';
    for (const row of rows) {
      const newAttempt = this.attempt !== undefined && row.attempt !== this.attempt;
      if (this.open && newAttempt) out += '\n';
      if (this.open && !newAttempt) {
        out += row.line; // the rest of an over-long line
      } else {
        if (newAttempt) out += `--- attempt ${row.attempt} ---\n`;
        out += this.opts.timestamps ? `${row.at.toISOString()} ${row.line}` : row.line;
      }
      this.attempt = row.attempt;
      this.open = row.continues;
      if (!this.open) out += '\n';
    }
    return out;
  }

  /** Closes a line the log ends in the middle of (its step was killed while writing it). */
  finish(): string {
    const out = this.open ? '\n' : '';
    this.open = false;
    return out;
  }
}

/** A step's whole log as text (for tests and small logs; the route streams instead). */
export async function stepLogText(
  storage: LogStorage,
  runId: string,
  stepId: string,
  matrixKey = '',
  opts: TextOptions & LogRange = { timestamps: false },
): Promise<string> {
  const formatter = new LogTextFormatter(opts);
  let text = '';
  for await (const rows of logRows(storage, { runId, stepId, matrixKey }, 0n, opts))
    text += formatter.format(rows);
  return text + formatter.finish();
}

/** Streams a log as text/plain, one batch at a time, waiting for the client to drain; stops if it leaves. */
export async function sendLogText(
  storage: LogStorage,
  res: Response,
  key: StepLogKey,
  opts: TextOptions & LogRange,
): Promise<void> {
  res.status(200).type('text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  const formatter = new LogTextFormatter(opts);
  for await (const rows of logRows(storage, key, 0n, opts)) {
    if (res.destroyed) return;
    if (!res.write(formatter.format(rows))) {
      await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
  }
  res.end(formatter.finish());
}
