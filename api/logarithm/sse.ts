import { once } from 'node:events';
import type { Response } from 'express';
import type { Logger } from '../../lib/logger';
import { logRows, type StoredLogRow } from './rows';
import type { LogTails, TailSubscriber } from './tail';
import type { LogStorage } from './storage';
import type { LogTarget } from './target';

export const PING_MS = 15_000;
/** A client this far behind is let go; it reconnects with Last-Event-ID and loses nothing. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** One event per line: a line stored as several rows is sent whole, with the id of its last row. */
function event(first: StoredLogRow, line: string, lastId: bigint): string {
  const data = {
    attempt: first.attempt,
    stream: first.stream,
    seq: first.seq,
    line,
    at: first.at.toISOString(),
  };
  return `id: ${lastId}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The event of a line stored as one row, written once however many clients follow the log: the
 * tail hands the same row objects to every follower, so a hundred followers cost one stringify.
 */
const rowEvents = new WeakMap<StoredLogRow, string>();

function rowEvent(row: StoredLogRow): string {
  let text = rowEvents.get(row);
  if (text === undefined) rowEvents.set(row, (text = event(row, row.line, row.id)));
  return text;
}

/**
 * One client following a log. Rows arrive from its own catch-up read and from the shared
 * tail; until the catch-up is done the tail's rows wait in `pending`. Rows at or below the
 * last id sent are dropped, so the two sources never duplicate a line.
 */
class Follower implements TailSubscriber {
  private sentId: bigint;
  private pending: Array<() => void> | undefined = [];

  constructor(
    private readonly res: Response,
    afterId: bigint,
    private readonly attempt: number | undefined,
  ) {
    this.sentId = afterId;
  }

  rows(rows: StoredLogRow[]): void {
    if (this.pending) this.pending.push(() => this.send(rows));
    else this.send(rows);
  }

  /** An over-long line whose rows are not all read yet. */
  private open: { first: StoredLogRow; parts: string[]; lastId?: bigint } | undefined;

  private closeOpen(lastId?: bigint): string {
    const open = this.open;
    this.open = undefined;
    return open ? event(open.first, open.parts.join(''), lastId ?? open.lastId ?? open.first.id) : '';
  }

  end(status: string): void {
    const finish = () =>
      this.res.end(`${this.closeOpen()}event: end\ndata: ${JSON.stringify({ status })}\n\n`);
    if (this.pending) this.pending.push(finish);
    else finish();
  }

  fail(): void {
    this.res.destroy();
  }

  /** Writes rows not sent yet; false when the client is not keeping up. */
  send(rows: StoredLogRow[]): boolean {
    let out = '';
    for (const row of rows) {
      if (row.id <= this.sentId) continue;
      this.sentId = row.id;
      if (this.attempt !== undefined && row.attempt !== this.attempt) continue;
      const open = this.open;
      if (open && open.first.attempt !== row.attempt) out += this.closeOpen();
      if (!this.open && !row.continues) {
        out += rowEvent(row);
        continue;
      }
      if (this.open) this.open.parts.push(row.line);
      else this.open = { first: row, parts: [row.line] };
      // a line whose rest is not read yet waits for it (it is written in the same batch or the next)
      if (!row.continues) out += this.closeOpen(row.id);
      else this.open.lastId = row.id;
    }
    if (out === '' || this.res.destroyed || this.res.writableEnded) return true;
    const flowing = this.res.write(out);
    if (this.res.writableLength > MAX_BUFFERED_BYTES) this.res.destroy();
    return flowing;
  }

  /** Catch-up done: what the tail delivered meanwhile goes out, then rows go out as they come. */
  live(): void {
    const pending = this.pending ?? [];
    this.pending = undefined;
    for (const deliver of pending) deliver();
  }
}

/** Serves a log as Server-Sent Events until it is complete or the client leaves. */
export async function followLog(
  storage: LogStorage,
  tails: LogTails,
  res: Response,
  target: LogTarget,
  opts: { afterId: bigint; attempt?: number },
  logger?: Logger,
): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.req.socket.setTimeout(0);
  res.write('retry: 2000\n\n');

  const follower = new Follower(res, opts.afterId, opts.attempt);
  const { since, leave } = tails.join(target, opts.afterId, follower);
  const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
  res.on('close', () => {
    clearInterval(ping);
    leave();
  });
  // a client that left while the request was authorized and resolved: its 'close' has already fired
  if (res.closed) {
    clearInterval(ping);
    leave();
    return;
  }

  try {
    if (since > opts.afterId) {
      const range = { attempt: opts.attempt, untilId: since };
      for await (const rows of logRows(storage, target.key, opts.afterId, range)) {
        if (res.destroyed) return;
        if (!follower.send(rows)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
    }
    follower.live();
  } catch (err) {
    logger?.warn({ err, log: target.key }, 'log catch-up failed');
    res.destroy();
  }
}
