import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { AGENT_SCRIPT, CONTROL_MOUNT, EndScanner, READY_MARKER } from './agent';
import { GLOBAL_FLAGS, ULIMITS, podman, type PodmanOptions } from './podman';
import type { LogStream } from '../runtime';
import { POD_WORKSPACE } from '../runtime';

/** Where a component's own files (a built-in's entrypoint) are mounted, read-only. */
export const COMPONENT_MOUNT = '/co/component';

export interface ContainerSpec {
  name: string;
  image: string;
  /** host directory mounted at /workspace */
  workspace: string;
  /** host directory (tmpfs) of the step jobs, mounted read-only at CONTROL_MOUNT */
  controlDir: string;
  componentDir?: string;
  labels: Record<string, string>;
  /** host name -> address, added to the container's /etc/hosts (its sidecars) */
  hosts?: Record<string, string>;
}

export type JobResult = { code: number } | { lost: string };

interface RunningJob {
  scanners: Record<LogStream, EndScanner>;
  codes: Partial<Record<LogStream, string>>;
  done(result: JobResult): void;
}

export type StartResult = { ok: true } | { ok: false; message: string; missingImage: boolean };

/** The `podman run` arguments of a step container: no variable and no secret among them. */
export function runArgs(spec: ContainerSpec): string[] {
  const labels = Object.entries(spec.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const component = spec.componentDir ? ['-v', `${spec.componentDir}:${COMPONENT_MOUNT}:ro`] : [];
  const hosts = Object.entries(spec.hosts ?? {}).flatMap(([name, address]) => [
    '--add-host',
    `${name}:${address}`,
  ]);
  return [
    'run',
    '--rm',
    '-i',
    '--pull=never',
    // the host's network, as a local step has: services on loopback (dockyard, a test's
    // receiver, a dev registry) are reached at the same addresses
    '--network',
    'host',
    '--name',
    spec.name,
    ...labels,
    ...hosts,
    ...ULIMITS,
    '-v',
    `${spec.workspace}:${POD_WORKSPACE}`,
    '-v',
    `${spec.controlDir}:${CONTROL_MOUNT}:ro`,
    ...component,
    '-w',
    POD_WORKSPACE,
    '--entrypoint',
    '["/bin/sh","-c"]',
    spec.image,
    AGENT_SCRIPT,
  ];
}

/**
 * One running step container with the agent inside it: jobs run one at a time. The worker holds
 * the `podman run -i` client: its stdin carries the jobs, its stdout and stderr the steps' output.
 */
export class ContainerSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private job: RunningJob | undefined;
  private started = false;
  private startupErrors = '';
  private exited: string | undefined;
  readonly ready: Promise<StartResult>;

  constructor(
    private readonly options: PodmanOptions,
    readonly spec: ContainerSpec,
  ) {
    fs.mkdirSync(spec.controlDir, { recursive: true, mode: 0o700 });
    this.child = spawn(options.podman, [...GLOBAL_FLAGS, ...runArgs(spec)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdin.on('error', () => undefined); // the container went away: the close handler reports it
    let settleReady!: (r: StartResult) => void;
    this.ready = new Promise((r) => (settleReady = r));
    let readyText = '';
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (!this.started) {
        readyText += chunk;
        if (!readyText.includes(READY_MARKER)) return;
        this.started = true;
        settleReady({ ok: true });
        return;
      }
      this.onData('stdout', chunk);
    });
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (!this.started) this.startupErrors += chunk;
      else this.onData('stderr', chunk);
    });
    const onEnd = (why: string) => {
      if (this.exited === undefined)
        fs.rm(spec.controlDir, { recursive: true, force: true }, () => undefined);
      this.exited ??= why;
      const message = this.startupErrors.trim().split('\n').filter(Boolean).at(-1) ?? why;
      settleReady({ ok: false, message, missingImage: /image not known|no such image/i.test(message) });
      this.job?.done({ lost: `the step container ${spec.name} ended: ${message}` });
      this.job = undefined;
    };
    this.child.once('error', (err) => onEnd(`cannot run ${options.podman}: ${err.message}`));
    this.child.once('close', (code, signal) => onEnd(`podman exited (${signal ?? code})`));
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  private onData(stream: LogStream, chunk: string): void {
    const job = this.job;
    // output between jobs comes from a step's leftover background processes: it belongs to no step
    if (!job || job.codes[stream] !== undefined) return;
    const code = job.scanners[stream].push(chunk);
    if (code === undefined) return;
    job.codes[stream] = code;
    if (job.codes.stdout !== undefined && job.codes.stderr !== undefined) {
      this.job = undefined;
      job.done({ code: Number(job.codes.stdout) });
    }
  }

  /** Runs one job (its files are in the control directory) and reports its exit code. */
  run(job: string, onData: (stream: LogStream, text: string) => void): Promise<JobResult> {
    if (this.job) throw new Error(`container ${this.spec.name} is already running a step`);
    if (this.exited) return Promise.resolve({ lost: `the step container ${this.spec.name} ended` });
    const end = crypto.randomBytes(12).toString('hex');
    const marker = `\x1e${end} `;
    return new Promise<JobResult>((done) => {
      this.job = {
        scanners: {
          stdout: new EndScanner(marker, (t) => onData('stdout', t)),
          stderr: new EndScanner(marker, (t) => onData('stderr', t)),
        },
        codes: {},
        done,
      };
      this.child.stdin.write(`${job} ${end}\n`);
    });
  }

  /** Ends the agent (its stdin closes): the container exits and podman removes it. */
  close(): void {
    this.child.stdin.end();
  }

  /** Stops the container at once, whatever runs in it. */
  async kill(): Promise<void> {
    await podman(this.options, ['rm', '--force', '--time', '0', '--ignore', this.spec.name]);
  }
}
