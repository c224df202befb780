import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { killAttemptProcesses } from '../attempt-processes';
import { LAUNCHER_LOST, ProcessLauncher } from './launcher/launcher';
import { parseOutputsFile } from '../outputs';
import { stepLines } from '../step-lines';
import { missingPrograms, missingProgramsMessage } from '../requires';
import type { StepHooks, StepLaunch, StepOutcome, StepRuntime } from '../runtime';

/** Variables of the worker's own environment a step may see; nothing else leaks (DATABASE_URL...). */
const INHERITED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'USER', 'SHELL', 'TMPDIR'];
const HEARTBEAT_MS = 1000;

export interface LocalRuntimeOptions {
  /** time between SIGTERM and SIGKILL of the step's process group */
  killGraceMs: number;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

interface LocalHeartbeat {
  pid?: number;
  host: string;
}

/** True when process `pid` is a step process of this run and step (pids get reused). */
async function isStepProcess(pid: number, launch: StepLaunch): Promise<boolean> {
  const environ = await fs.promises.readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
  const vars = new Set(environ.split('\0'));
  return vars.has(`CO_RUN_ID=${launch.runId}`) && vars.has(`CO_STEP_ID=${launch.stepId}`);
}

/** Runs `run:` scripts as host processes with `/bin/sh -e -c`, each step in its own process group. */
export class LocalRuntime implements StepRuntime {
  readonly name = 'local';
  private readonly launcher = new ProcessLauncher();
  constructor(private readonly options: LocalRuntimeOptions) {}

  /** A lost worker's step processes live on in their own process group: end that group. */
  async reclaim(launch: StepLaunch, lastHeartbeat: unknown): Promise<void> {
    const last = lastHeartbeat as Partial<LocalHeartbeat> | undefined;
    if (!last?.pid || last.host !== os.hostname()) return;
    if (await isStepProcess(last.pid, launch)) killGroup(last.pid, 'SIGKILL');
    await killAttemptProcesses(launch.env.CO_ATTEMPT_ID, last.pid);
  }

  async run(launch: StepLaunch, hooks: StepHooks): Promise<StepOutcome> {
    if (!launch.script && !launch.command?.length) {
      return {
        exitCode: null,
        outputs: {},
        failure: {
          kind: 'invalid',
          retryable: false,
          message: `the local runtime cannot run image ${launch.image ?? '(none)'} without a script; use runtime: kubernetes`,
        },
      };
    }
    const missing = await missingPrograms(launch.requires ?? [], process.env.PATH ?? '');
    if (missing.length > 0) {
      return {
        exitCode: null,
        outputs: {},
        failure: {
          kind: 'invalid',
          retryable: false,
          message: missingProgramsMessage(launch.component ?? `step ${launch.stepId}`, missing),
        },
      };
    }
    const outputsDir = path.join(launch.workspace, '.co', 'outputs');
    await fs.promises.mkdir(outputsDir, { recursive: true });
    const id = crypto
      .createHash('sha1')
      .update(`${launch.stepId}\0${launch.matrixKey}\0${launch.attempt}`)
      .digest('hex');
    const outputsFile = path.join(outputsDir, `${id.slice(0, 16)}.env`);
    await fs.promises.writeFile(outputsFile, '');

    const env: Record<string, string> = {};
    for (const name of INHERITED) if (process.env[name] !== undefined) env[name] = process.env[name]!;
    Object.assign(env, launch.env, launch.secretEnv, {
      CO_OUTPUTS: outputsFile,
      CO_WORKSPACE: launch.workspace,
    });

    const [file, args] = launch.command?.length
      ? [launch.command[0]!, launch.command.slice(1)]
      : ['/bin/sh', ['-e', '-c', launch.script!]];
    const lines = stepLines(hooks.onLine);
    const child = this.launcher.launch(
      { file, args, cwd: launch.workspace, env },
      { onData: (stream, chunk) => lines.push(stream, chunk) },
    );
    const pid = await child.pid;

    let stopReason: 'timeout' | 'cancelled' | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (reason: 'timeout' | 'cancelled') => {
      if (stopReason || pid === undefined) return;
      stopReason = reason;
      killGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), this.options.killGraceMs);
    };
    const onAbort = () => stop('cancelled');
    hooks.signal.addEventListener('abort', onAbort);
    if (hooks.signal.aborted) onAbort();
    const timeout = launch.timeoutMs ? setTimeout(() => stop('timeout'), launch.timeoutMs) : undefined;
    const beat = () => {
      try {
        hooks.heartbeat({ pid, host: os.hostname() } satisfies LocalHeartbeat);
      } catch {
        // a heartbeat that throws means the activity is being cancelled; the signal handles it
      }
    };
    beat(); // at once: the pid must reach Temporal even if this worker dies in the next second
    const heartbeat = setInterval(beat, HEARTBEAT_MS);

    const result = await child.closed;
    if (pid !== undefined) killGroup(pid, 'SIGKILL');
    clearInterval(heartbeat);
    clearTimeout(timeout);
    clearTimeout(killTimer);
    hooks.signal.removeEventListener('abort', onAbort);
    lines.end();

    const fileOutputs = parseOutputsFile(await fs.promises.readFile(outputsFile, 'utf8').catch(() => ''));
    // the file may hold secret values: it must not outlive the step in the shared workspace
    await fs.promises.rm(outputsFile, { force: true });
    const outputs = { ...lines.cout.outputs, ...fileOutputs };
    if (result.error === LAUNCHER_LOST) {
      // the platform failed, not the step: Temporal retries the activity (and reclaim cleans up)
      throw ApplicationFailure.retryable(
        `the step launcher was lost: ${file} must run again`,
        'LauncherLost',
      );
    }
    if (result.error && result.code === null && result.signal === null) {
      return {
        exitCode: null,
        outputs,
        failure: {
          kind: 'invalid',
          retryable: false,
          message: `cannot start ${file}: ${result.error}`,
        },
      };
    }
    if (stopReason === 'timeout') {
      return {
        exitCode: result.code,
        outputs,
        failure: {
          kind: 'timeout',
          retryable: true,
          message: `step exceeded its timeout of ${launch.timeoutMs} ms and was killed`,
        },
      };
    }
    if (stopReason === 'cancelled') {
      return {
        exitCode: result.code,
        outputs,
        failure: {
          kind: 'cancelled',
          retryable: false,
          message: 'step was cancelled and its processes killed',
        },
      };
    }
    if (result.code !== 0) {
      const how = result.code === null ? `killed by ${result.signal}` : `exited with code ${result.code}`;
      return {
        exitCode: result.code,
        outputs,
        failure: { kind: 'exit', retryable: true, message: `step ${how}` },
      };
    }
    return { exitCode: 0, outputs };
  }
}
