import { spawn } from 'node:child_process';

/**
 * How this project calls podman. runc, not crun: crun refuses this kind of kernel's cgroup v1
 * hybrid layout; cgroupfs, not systemd: a worker need not run under systemd.
 */
export interface PodmanOptions {
  /** the podman program */
  podman: string;
}

export const GLOBAL_FLAGS = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'];
/** runc's setrlimit is refused unless the limits are given explicitly */
export const ULIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];

export interface PodmanResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one podman command to its end; never throws for a non-zero exit (the caller reads `code`). */
export function podman(
  options: PodmanOptions,
  args: string[],
  extra: { onStderr?: (chunk: string) => void } = {},
): Promise<PodmanResult> {
  return new Promise((resolve) => {
    const child = spawn(options.podman, [...GLOBAL_FLAGS, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      extra.onStderr?.(c);
    });
    child.once('error', (err) => resolve({ code: null, stdout, stderr: `${stderr}${err.message}` }));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The last meaningful line of podman's complaint, for a step's failure message. */
export function podmanError(result: PodmanResult): string {
  const lines = result.stderr.trim().split('\n').filter(Boolean);
  return lines.at(-1) ?? `podman exited with code ${result.code}`;
}
