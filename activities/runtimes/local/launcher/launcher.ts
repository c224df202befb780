import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { LogStream } from '../../runtime';

export interface LaunchRequest {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface LaunchHandlers {
  onData(stream: LogStream, chunk: string): void;
}

export interface LaunchedProcess {
  /** resolves with the pid once started, or undefined when it could not start */
  pid: Promise<number | undefined>;
  /** resolves when the process has exited and its output is closed */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: string }>;
}

type LauncherMessage =
  | { type: 'spawned'; id: number; pid: number }
  | { type: 'data'; id: number; stream: LogStream; chunk: string }
  | { type: 'close'; id: number; code: number | null; signal: NodeJS.Signals | null; error?: string };

interface Pending {
  handlers: LaunchHandlers;
  pid(pid: number | undefined): void;
  closed(result: { code: number | null; signal: NodeJS.Signals | null; error?: string }): void;
}

export const LAUNCHER_LOST = 'the step launcher process exited';

/** Forks step processes through the small launcher process (see launcher-process.js for why). */
export class ProcessLauncher {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private ensure(): ChildProcess {
    if (this.child?.connected) return this.child;
    const child = fork(path.join(__dirname, 'launcher-process.js'), [], {
      execArgv: [],
      // its own session: a signal to the terminal's process group must not take running steps with it
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // only what node itself needs; steps get their own env with each request
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    child.on('message', (msg: LauncherMessage) => this.dispatch(msg));
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.pid(undefined);
        p.closed({ code: null, signal: null, error: LAUNCHER_LOST });
      }
    });
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    this.child = child;
    return child;
  }

  private dispatch(msg: LauncherMessage): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'spawned') p.pid(msg.pid);
    else if (msg.type === 'data') p.handlers.onData(msg.stream, msg.chunk);
    else {
      this.pending.delete(msg.id);
      p.pid(undefined);
      p.closed({ code: msg.code, signal: msg.signal, error: msg.error });
    }
  }

  launch(request: LaunchRequest, handlers: LaunchHandlers): LaunchedProcess {
    const id = this.nextId++;
    let resolvePid!: (pid: number | undefined) => void;
    let resolveClosed!: Pending['closed'];
    const pid = new Promise<number | undefined>((r) => (resolvePid = r));
    const closed = new Promise<Parameters<Pending['closed']>[0]>((r) => (resolveClosed = r));
    let pidSettled = false;
    this.pending.set(id, {
      handlers,
      pid: (p) => {
        if (!pidSettled) resolvePid(p);
        pidSettled = true;
      },
      closed: resolveClosed,
    });
    this.ensure().send({ type: 'spawn', id, ...request });
    return { pid, closed };
  }
}
