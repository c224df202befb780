import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killAttemptProcesses } from '../attempt-processes';
import { parseOutputsFile } from '../outputs';
import { stepLines } from '../step-lines';
import {
  POD_WORKSPACE,
  type StepHooks,
  type StepLaunch,
  type StepOutcome,
  type StepRuntime,
} from '../runtime';
import { commandScript, removeJob, writeJob } from './agent';
import { imageCommand } from './entrypoint';
import { LABELS, ownerLabel } from './labels';
import { podman } from './podman';
import { SessionPool } from './pool';
import { pullImage, resolveImage, type RegistryAccess } from './pull';
import { COMPONENT_MOUNT, type ContainerSession, type JobResult } from './session';
import { outcomeOf, type StopReason } from './outcome';
import { removeSidecars, startSidecars, type RunningSidecars } from './sidecars';

const HEARTBEAT_MS = 1000;

export interface ContainerRuntimeOptions {
  podman?: string;
  /** time between SIGTERM to a step's processes and the container's removal */
  killGraceMs: number;
  /** the image of a step that names none */
  defaultImage?: string;
  /** where job files live on the host (a tmpfs: secrets never touch a disk); default /dev/shm */
  controlRoot?: string;
  /** how images missing here are pulled (dockyard's address and an authfile) */
  registry?: RegistryAccess;
}

interface ContainerHeartbeat {
  container: string;
  host: string;
  /** the step's sidecar containers */
  sidecars?: string[];
}

const failed = (kind: 'invalid' | 'image' | 'infrastructure', message: string): StepOutcome => ({
  exitCode: null,
  outputs: {},
  failure: { kind, message, retryable: kind === 'infrastructure' },
});

/** Host paths inside the workspace as the container sees them (outputs file, `<NAME>_FILE` refs). */
function inContainer(workspace: string, env: Record<string, string>): Record<string, string> {
  const prefix = workspace.endsWith('/') ? workspace : `${workspace}/`;
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      v === workspace ? POD_WORKSPACE : v.split(prefix).join(`${POD_WORKSPACE}/`),
    ]),
  );
}

/** What a step's containers (its own and its sidecars) carry: the sweeper and reclaim find them by it. */
function stepLabels(launch: StepLaunch): Record<string, string> {
  return {
    [LABELS.run]: launch.runId,
    [LABELS.step]: launch.stepId,
    [LABELS.attempt]: String(launch.attempt),
    [LABELS.owner]: ownerLabel(),
  };
}

const shortHash = (text: string) => crypto.createHash('sha256').update(text).digest('hex').slice(0, 12);

/**
 * Runs each step in a container with podman + runc: its image, the run's workspace at /workspace,
 * its variables and secrets from files the agent inside reads (agent.ts). Steps of one chain
 * with the same image share one container, started once.
 */
export class ContainerRuntime implements StepRuntime {
  readonly name = 'container';
  private readonly podmanOptions: { podman: string };
  private readonly pool: SessionPool;
  private readonly controlRoot: string;

  constructor(private readonly options: ContainerRuntimeOptions) {
    this.podmanOptions = { podman: options.podman ?? 'podman' };
    this.pool = new SessionPool(this.podmanOptions);
    const shm = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
    this.controlRoot = options.controlRoot ?? path.join(shm, 'containerops-steps');
  }

  /** A lost worker's step container is removed with whatever runs in it. */
  async reclaim(launch: StepLaunch, lastHeartbeat: unknown): Promise<void> {
    const last = lastHeartbeat as Partial<ContainerHeartbeat> | undefined;
    if (last?.container && last.host === os.hostname()) {
      const names = [last.container, ...(last.sidecars ?? [])];
      await podman(this.podmanOptions, ['rm', '--force', '--time', '0', '--ignore', ...names]);
    }
    await killAttemptProcesses(launch.env.CO_ATTEMPT_ID);
  }

  /** Removes every container this runtime started (worker shutdown, tests). */
  async close(): Promise<void> {
    await this.pool.closeAll();
  }

  async run(launch: StepLaunch, hooks: StepHooks): Promise<StepOutcome> {
    if (!launch.sidecars?.length) return this.runStep(launch, hooks);
    const prefix = `co-${shortHash(launch.runId)}-${crypto.randomBytes(6).toString('hex')}`;
    const started = await startSidecars(launch.sidecars, {
      options: this.podmanOptions,
      registry: this.options.registry,
      prefix,
      labels: stepLabels(launch),
      controlDir: path.join(this.controlRoot, `${prefix}-sidecars`),
      hooks,
    });
    if (!started.ok) return failed(started.kind, started.message);
    try {
      // a step with sidecars has a container of its own: the next step of the chain must not reach them
      return await this.runStep({ ...launch, shareKey: undefined }, hooks, started.sidecars);
    } finally {
      await removeSidecars(this.podmanOptions, started.sidecars);
    }
  }

  private async runStep(
    launch: StepLaunch,
    hooks: StepHooks,
    sidecars?: RunningSidecars,
  ): Promise<StepOutcome> {
    const named = launch.image ?? this.options.defaultImage;
    const image = named && resolveImage(named, this.options.registry);
    if (!image) return failed('invalid', 'the step names no image and CO_CONTAINER_IMAGE is not set');
    const job = crypto.randomBytes(8).toString('hex');
    const outputsFile = path.join(launch.workspace, '.co', 'outputs', `${job}.env`);
    await fs.promises.mkdir(path.dirname(outputsFile), { recursive: true });
    await fs.promises.writeFile(outputsFile, '');
    const componentDir = launch.env.CO_COMPONENT_DIR;
    const env = inContainer(launch.workspace, {
      ...launch.env,
      ...(componentDir ? { CO_COMPONENT_DIR: COMPONENT_MOUNT } : {}),
      CO_OUTPUTS: outputsFile,
      CO_WORKSPACE: launch.workspace,
    });
    // the step's processes carry it: a timeout or a cancellation finds them by it
    env.CO_ATTEMPT_ID ??= job;

    const key = launch.shareKey && `${launch.shareKey}\0${image}\0${launch.workspace}\0${componentDir ?? ''}`;
    const acquired = await this.acquire(launch, hooks, key, image, componentDir, sidecars?.hosts);
    if (!('session' in acquired)) return acquired;
    const session = acquired.session;
    const controlDir = session.spec.controlDir;
    let command = launch.command;
    if (!launch.script && !command?.length) {
      // an image that runs by itself (an original ContainerOps endpoint): its entrypoint
      const own = await imageCommand(this.podmanOptions, image);
      if ('problem' in own) {
        this.pool.release(key, session, true);
        await fs.promises.rm(outputsFile, { force: true });
        return failed('image', own.problem);
      }
      command = own.command;
    }
    const script = command?.length ? commandScript(command) : launch.script!;
    const skipped = await writeJob(controlDir, job, { env, secretEnv: launch.secretEnv, script });
    for (const name of skipped)
      hooks.onLine('stderr', `[containerops] variable ${name} is not a shell name; it was left out`);

    const lines = stepLines(hooks.onLine);
    const { result, stopped } = await this.supervise(
      launch,
      hooks,
      session,
      env.CO_ATTEMPT_ID,
      sidecars,
      () => session.run(job, (stream, text) => lines.push(stream, text)),
    );
    lines.end();
    await removeJob(controlDir, job);
    this.pool.release(key, session, !stopped && 'code' in result);
    const fileOutputs = parseOutputsFile(await fs.promises.readFile(outputsFile, 'utf8').catch(() => ''));
    // the file may hold secret values: it must not outlive the step in the shared workspace
    await fs.promises.rm(outputsFile, { force: true });
    return { ...outcomeOf(launch, result, stopped), outputs: { ...lines.cout.outputs, ...fileOutputs } };
  }

  /** A ready container for the step: the chain's, or a new one (pulling its image when missing). */
  private async acquire(
    launch: StepLaunch,
    hooks: StepHooks,
    key: string | undefined,
    image: string,
    componentDir: string | undefined,
    hosts?: Record<string, string>,
  ): Promise<{ session: ContainerSession } | StepOutcome> {
    const spec = () => {
      const name = `co-${shortHash(launch.runId)}-${crypto.randomBytes(6).toString('hex')}`;
      return {
        name,
        image,
        workspace: launch.workspace,
        controlDir: path.join(this.controlRoot, name),
        componentDir,
        labels: stepLabels(launch),
        ...(hosts && { hosts }),
      };
    };
    let got = await this.pool.acquire(key, spec);
    if (!got.start.ok && got.start.missingImage) {
      const log = (line: string) => hooks.onLine('stderr', line);
      const pulled = await pullImage(this.podmanOptions, image, this.options.registry, log);
      if (!pulled.ok) return failed('image', pulled.message);
      got = await this.pool.acquire(key, spec);
    }
    if (!got.start.ok) {
      const kind = got.start.missingImage ? 'image' : 'infrastructure';
      return failed(kind, `cannot start a container of ${image}: ${got.start.message}`);
    }
    return { session: got.session };
  }

  /** Heartbeats while the job runs; a timeout or cancellation stops it: SIGTERM, grace, container removed. */
  private async supervise(
    launch: StepLaunch,
    hooks: StepHooks,
    session: ContainerSession,
    attemptId: string,
    sidecars: RunningSidecars | undefined,
    start: () => Promise<JobResult>,
  ): Promise<{ result: JobResult; stopped?: StopReason }> {
    let stopped: StopReason | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (reason: StopReason) => {
      if (stopped) return;
      stopped = reason;
      void killAttemptProcesses(attemptId, 0, 'SIGTERM');
      killTimer = setTimeout(() => void session.kill(), this.options.killGraceMs);
    };
    const onAbort = () => stop('cancelled');
    hooks.signal.addEventListener('abort', onAbort);
    const timeout = launch.timeoutMs ? setTimeout(() => stop('timeout'), launch.timeoutMs) : undefined;
    const beat = () => {
      try {
        const details: ContainerHeartbeat = { container: session.spec.name, host: os.hostname() };
        if (sidecars) details.sidecars = sidecars.containers;
        hooks.heartbeat(details);
      } catch {
        // a heartbeat that throws means the activity is being cancelled; the signal handles it
      }
    };
    beat();
    const heartbeat = setInterval(beat, HEARTBEAT_MS);
    const running = start();
    if (hooks.signal.aborted) onAbort();
    const result = await running;
    clearInterval(heartbeat);
    clearTimeout(timeout);
    clearTimeout(killTimer);
    hooks.signal.removeEventListener('abort', onAbort);
    if (stopped) await session.kill();
    return { result, stopped };
  }
}
