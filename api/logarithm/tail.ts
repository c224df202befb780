import type { Logger } from '../../lib/logger';
import { endStatus, isLogComplete } from './completion';
import { archivesOf } from './archived-rows';
import { BATCH_ROWS, logRows, type StepLogKey, type StoredLogRow } from './rows';
import type { LogStorage } from './storage';
import type { LogTarget } from './target';
import { readTick } from './tail-query';

/** Someone following a log: gets each new batch of rows in id order, then the end. */
export interface TailSubscriber {
  rows(rows: StoredLogRow[]): void;
  end(status: string): void;
  /** the log can no longer be followed (database unreachable, run deleted); the client should reconnect */
  fail(): void;
}

export const TICK_MS = 100;
/** Consecutive failed ticks (about 3 s) before subscribers are let go to reconnect elsewhere. */
const MAX_FAILED_TICKS = 30;

/**
 * One poller per log, however many follow it: each tick reads the rows after the last one it
 * saw (one query), fans them out to every subscriber, and ends them all once the log is complete.
 */
class LogTail {
  private readonly subscribers = new Set<TailSubscriber>();
  private timer: NodeJS.Timeout | undefined;
  private failedTicks = 0;
  private stopped = false;
  /** archives are looked for when the tail starts and when the log is complete, never on every tick */
  private archivesRead = false;

  constructor(
    private readonly storage: LogStorage,
    private readonly target: LogTarget,
    /** the last row id fanned out */
    public lastId: bigint,
    private readonly onStop: () => void,
    private readonly logger?: Logger,
  ) {
    this.schedule(0);
  }

  add(subscriber: TailSubscriber): void {
    this.subscribers.add(subscriber);
  }

  remove(subscriber: TailSubscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.stop();
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.onStop();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick().catch((err: unknown) => {
        this.logger?.error({ err, log: this.target.key }, 'log tail stopped');
        this.finish((s) => s.fail());
      });
    }, ms);
  }

  private async tick(): Promise<void> {
    let tick;
    try {
      if (!this.archivesRead) {
        // a finished run some of whose attempts are archived: the table alone would skip their rows
        await this.fanOutArchived();
        this.archivesRead = true;
        if (this.stopped) return;
      }
      tick = await readTick(this.storage.db, this.target.key, this.lastId);
      this.failedTicks = 0;
    } catch (err) {
      this.logger?.warn({ err, log: this.target.key }, 'log tail query failed');
      if (++this.failedTicks >= MAX_FAILED_TICKS) return this.finish((s) => s.fail());
      return this.schedule(TICK_MS);
    }
    if (this.stopped) return;
    if (!tick.progress) return this.finish((s) => s.fail());
    this.fanOut(tick.rows);
    if (tick.rows.length === BATCH_ROWS) return this.schedule(0);
    if (isLogComplete(tick.progress, this.target.maxAttempts)) {
      await this.fanOutArchived();
      if (this.stopped) return;
      const status = endStatus(tick.progress);
      return this.finish((s) => s.end(status));
    }
    this.schedule(TICK_MS);
  }

  private fanOut(rows: StoredLogRow[]): void {
    if (rows.length === 0) return;
    this.lastId = rows[rows.length - 1]!.id;
    for (const s of this.subscribers) this.tell(s, () => s.rows(rows));
  }

  /** If an archive holds rows after the last one fanned out: every such row, archives and table merged. */
  private async fanOutArchived(): Promise<void> {
    const { key } = this.target;
    if ((await archivesOf(this.storage, key, this.lastId)).length === 0) return;
    for await (const rows of logRows(this.storage, key, this.lastId)) {
      if (this.stopped) return;
      this.fanOut(rows);
      // as between ticks: sockets get to write before the next batch
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private finish(tell: (s: TailSubscriber) => void): void {
    const subscribers = [...this.subscribers];
    this.subscribers.clear();
    this.stop();
    for (const s of subscribers) this.tell(s, () => tell(s));
  }

  /** One subscriber's failure (a broken socket) never stops the others' tail. */
  private tell(s: TailSubscriber, deliver: () => void): void {
    try {
      deliver();
    } catch (err) {
      this.logger?.warn({ err, log: this.target.key }, 'log subscriber failed');
      this.subscribers.delete(s);
    }
  }
}

const keyOf = (k: StepLogKey) => JSON.stringify([k.runId, k.stepId, k.matrixKey]);

/** The live tails of one API process, by log. */
export class LogTails {
  private readonly tails = new Map<string, LogTail>();

  constructor(
    private readonly storage: LogStorage,
    private readonly logger?: Logger,
  ) {}

  /**
   * Subscribes to a log's new rows. Returns `since`: rows up to it were already fanned out
   * before this subscriber joined, so it reads (afterId, since] itself (a new tail starts at afterId).
   */
  join(target: LogTarget, afterId: bigint, subscriber: TailSubscriber): { since: bigint; leave: () => void } {
    const id = keyOf(target.key);
    let tail = this.tails.get(id);
    if (!tail) {
      const created: LogTail = new LogTail(
        this.storage,
        target,
        afterId,
        () => {
          if (this.tails.get(id) === created) this.tails.delete(id);
        },
        this.logger,
      );
      tail = created;
      this.tails.set(id, tail);
    }
    tail.add(subscriber);
    const joined = tail;
    return { since: joined.lastId, leave: () => joined.remove(subscriber) };
  }

  /** Number of logs being polled (one query per tick each). */
  get size(): number {
    return this.tails.size;
  }
}
