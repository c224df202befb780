import fs from 'node:fs';
import path from 'node:path';

/** Where a step container sees its control directory (read-only): one folder per step job. */
export const CONTROL_MOUNT = '/run/co';
/** Separates the agent's markers from a step's output: a control character no text tool writes. */
export const RS = '\x1e';
export const READY_MARKER = `${RS}CO-READY${RS}`;

/**
 * The small long-lived process inside a step container. It reads one job per line on stdin
 * (`<job> <end-marker>`), runs the job's script with `sh -e -c` in /workspace with the job's
 * variables and secrets sourced from files of the control directory (so no value is on a
 * command line or in the container's configuration), and writes `RS<marker> <exit code>RS` on
 * stdout and stderr when it ends: the worker reads each step's output up to its markers. Each
 * step is a session of its own (setsid, when the image has it): what it left running in the
 * background is killed with its process group when it ends, as on the local runtime. A
 * plain sh loop: it needs nothing in the image but a POSIX shell, and a step costs a fork,
 * not a `podman exec` (~210 ms). stdin closing (the worker ended or died) ends the container.
 */
export const AGENT_SCRIPT = `printf '${READY_MARKER.replace(/\x1e/g, '\\036')}'
own=; if command -v setsid >/dev/null 2>&1; then own=setsid; fi
while IFS=' ' read -r job end; do
  [ -n "$job" ] || continue
  $own sh -c '
    cd /workspace || exit 125
    . "$1/env"
    if [ -f "$1/secret" ]; then . "$1/secret"; fi
    exec sh -e -c "$(cat "$1/script")"
  ' step "${CONTROL_MOUNT}/$job" </dev/null &
  pid=$!
  wait "$pid"
  code=$?
  if [ -n "$own" ]; then kill -KILL -"$pid" 2>/dev/null; fi
  printf '\\036%s %s\\036' "$end" "$code"
  printf '\\036%s %s\\036' "$end" "$code" >&2
done`;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `export NAME='value'` lines; names a shell cannot export are left out (and reported). */
export function exportsOf(env: Record<string, string>): { text: string; skipped: string[] } {
  const skipped: string[] = [];
  const lines: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (NAME.test(name)) lines.push(`export ${name}=${shellQuote(value)}`);
    else skipped.push(name);
  }
  return { text: lines.join('\n') + '\n', skipped };
}

export interface JobFiles {
  env: Record<string, string>;
  secretEnv?: Record<string, string>;
  script: string;
}

/** Writes a job's files, readable by root only; secrets go in their own file, removed with the job. */
export async function writeJob(controlDir: string, job: string, files: JobFiles): Promise<string[]> {
  const dir = path.join(controlDir, job);
  await fs.promises.mkdir(dir, { mode: 0o700 });
  const env = exportsOf(files.env);
  await fs.promises.writeFile(path.join(dir, 'env'), env.text, { mode: 0o600 });
  await fs.promises.writeFile(path.join(dir, 'script'), files.script, { mode: 0o600 });
  const skipped = [...env.skipped];
  if (files.secretEnv && Object.keys(files.secretEnv).length > 0) {
    const secret = exportsOf(files.secretEnv);
    await fs.promises.writeFile(path.join(dir, 'secret'), secret.text, { mode: 0o600 });
    skipped.push(...secret.skipped);
  }
  return skipped;
}

export async function removeJob(controlDir: string, job: string): Promise<void> {
  await fs.promises.rm(path.join(controlDir, job), { recursive: true, force: true });
}

/** A script for an explicit argv: `exec` of the quoted words. */
export function commandScript(command: string[]): string {
  return `exec ${command.map(shellQuote).join(' ')}`;
}

/**
 * Passes a stream's text on up to the end marker `RS<marker> <code>RS`, holding back what may be
 * the start of a marker split across chunks; `push` returns the exit code text once it is seen.
 */
export class EndScanner {
  private held = '';
  constructor(
    private readonly marker: string,
    private readonly emit: (text: string) => void,
  ) {}

  push(chunk: string): string | undefined {
    const text = this.held + chunk;
    this.held = '';
    const at = text.indexOf(this.marker);
    if (at >= 0) {
      if (at > 0) this.emit(text.slice(0, at));
      const close = text.indexOf(RS, at + this.marker.length);
      if (close >= 0) return text.slice(at + this.marker.length, close);
      this.held = text.slice(at);
      return undefined;
    }
    const rs = text.lastIndexOf(RS);
    const tail = rs >= 0 ? text.slice(rs) : '';
    if (rs >= 0 && this.marker.startsWith(tail)) {
      if (rs > 0) this.emit(text.slice(0, rs));
      this.held = tail;
    } else if (text) {
      this.emit(text);
    }
    return undefined;
  }
}
