/** Container logs as the kubelet keeps them: lines with nanosecond timestamps, followable. */

export interface LogLine {
  ns: bigint;
  text: string;
}

export class LogBook {
  private readonly lines = new Map<string, LogLine[]>();
  private readonly ended = new Set<string>();
  private readonly listeners = new Map<string, Set<(line?: LogLine) => void>>();
  private lastNs = 0n;

  append(pod: string, text: string): void {
    const ns = BigInt(Date.now()) * 1_000_000n;
    this.lastNs = ns > this.lastNs ? ns : this.lastNs + 1n;
    const line = { ns: this.lastNs, text };
    this.linesOf(pod).push(line);
    for (const listener of this.listeners.get(pod) ?? []) listener(line);
  }

  end(pod: string): void {
    this.ended.add(pod);
    for (const listener of this.listeners.get(pod) ?? []) listener(undefined);
  }

  isEnded(pod: string): boolean {
    return this.ended.has(pod);
  }

  since(pod: string, sinceNs: bigint): LogLine[] {
    return this.linesOf(pod).filter((l) => l.ns >= sinceNs);
  }

  tail(pod: string, count: number): string {
    return this.linesOf(pod)
      .slice(-count)
      .map((l) => l.text)
      .join('\n');
  }

  /** Calls `listener` with each new line, and with undefined when the container has ended. */
  subscribe(pod: string, listener: (line?: LogLine) => void): () => void {
    const set = this.listeners.get(pod) ?? new Set();
    set.add(listener);
    this.listeners.set(pod, set);
    return () => set.delete(listener);
  }

  private linesOf(pod: string): LogLine[] {
    const list = this.lines.get(pod) ?? [];
    this.lines.set(pod, list);
    return list;
  }
}

/** RFC3339Nano as Go prints it: trailing zeros of the fraction dropped. */
export function formatTimestamp(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const seconds = new Date(ms).toISOString().slice(0, 19);
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${seconds}${fraction ? `.${fraction}` : ''}Z`;
}

/** The API server passes sinceTime to the kubelet with whole-second precision. */
export function parseSinceTime(value: string | null): bigint {
  if (!value) return 0n;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? 0n : BigInt(Math.floor(ms / 1000)) * 1_000_000_000n;
}
