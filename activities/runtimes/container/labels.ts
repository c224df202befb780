import fs from 'node:fs';
import os from 'node:os';

/** Labels of every step container: what it runs, and which worker process owns it. */
export const LABELS = {
  run: 'containerops.run',
  step: 'containerops.step',
  attempt: 'containerops.attempt',
  /** `<host>/<pid>/<start time>` of the worker: the sweeper removes containers whose owner is gone */
  owner: 'containerops.owner',
} as const;

/** When process `pid` started, in clock ticks since boot (tells a reused pid from the original). */
function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces: count fields after its closing parenthesis
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let own: string | undefined;
/** This worker process as an owner label value. */
export function ownerLabel(): string {
  own ??= `${os.hostname()}/${process.pid}/${startTime(process.pid) ?? '0'}`;
  return own;
}

/** Is the process an owner label names still running (on this host)? Unknown hosts count as alive. */
export function ownerAlive(owner: string): boolean {
  const [host, pid, started] = owner.split('/');
  if (host !== os.hostname()) return true;
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return false;
  return startTime(n) === started;
}
