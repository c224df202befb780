import { ContainerSession, type ContainerSpec, type StartResult } from './session';
import type { PodmanOptions } from './podman';

/** How long a chain's container waits for the chain's next step before it is ended. */
export const IDLE_MS = 3000;

interface Idle {
  session: ContainerSession;
  timer: NodeJS.Timeout;
}

/**
 * Step containers by chain: a step of a chain takes the container the chain's previous step of the
 * same image left, or starts one. A step with no share key always gets a container of its own.
 */
export class SessionPool {
  private readonly idle = new Map<string, Idle>();
  private readonly live = new Set<ContainerSession>();

  constructor(private readonly options: PodmanOptions) {}

  /** A ready container for `key`; `fresh` false when it was reused. */
  async acquire(
    key: string | undefined,
    spec: () => ContainerSpec,
  ): Promise<{ session: ContainerSession; start: StartResult; fresh: boolean }> {
    const waiting = key === undefined ? undefined : this.idle.get(key);
    if (waiting) {
      this.idle.delete(key!);
      clearTimeout(waiting.timer);
      if (waiting.session.alive) return { session: waiting.session, start: { ok: true }, fresh: false };
    }
    const session = new ContainerSession(this.options, spec());
    this.live.add(session);
    const start = await session.ready;
    if (!start.ok) this.live.delete(session);
    return { session, start, fresh: true };
  }

  /** After a step: a chain's healthy container waits for the next step; any other one ends. */
  release(key: string | undefined, session: ContainerSession, healthy: boolean): void {
    if (key === undefined || !healthy || !session.alive || this.idle.has(key)) {
      this.end(session);
      return;
    }
    const timer = setTimeout(() => {
      if (this.idle.get(key)?.session !== session) return;
      this.idle.delete(key);
      this.end(session);
    }, IDLE_MS);
    timer.unref();
    this.idle.set(key, { session, timer });
  }

  private end(session: ContainerSession): void {
    this.live.delete(session);
    session.close();
  }

  /** Ends every container (worker shutdown, tests). */
  async closeAll(): Promise<void> {
    for (const [key, { timer }] of this.idle) {
      clearTimeout(timer);
      this.idle.delete(key);
    }
    await Promise.all([...this.live].map((s) => s.kill()));
    this.live.clear();
  }
}
