import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { STEP_ERROR_TYPES, type RunStepInput, type RunStepResult, type StepErrorDetails } from '../contract';
import { componentLaunch, coData } from './component-launch';
import { StepCache } from './dockyard/cache/step-cache';
import { heartbeatWhile } from './heartbeat-while';
import { recordFingerprint } from './memoize/reuse';
import { recordWorkspaceChanges } from './memoize/snapshot';
import { WorkspaceChanges } from './memoize/workspace-changes';
import { memoizeStep } from './memoize/step-memo';
import { resolveComponent } from './components';
import { dockyardFailure, isFinal, StepIo } from './dockyard/step-io';
import { inProcessStep } from './in-process-steps';
import { stepRuntimeName } from './step-runtime';
import { secretMasker, secretValuesOf, splitSecretEnv, type Masker } from './logs/mask';
import { LogSink } from './logs/sink';
import type { LogStore } from './logs/store';
import { recordStep, recordStepStarted } from './read-model';
import { reportsFailure } from './runtimes/cout';
import { injectSecrets, type StepSecrets } from './secrets/inject';
import { createRunSecrets } from './secrets/run-secrets';
import { createVault, SecretResolutionError } from './secrets/vault';
import type { PodArtifacts, RuntimeName, StepFailureKind, StepLaunch, StepRuntime } from './runtimes/runtime';

/** Outputs travel in Temporal payloads: larger values are stored in dockyard first, so only references count here. */
export const MAX_OUTPUT_BYTES = 64 * 1024;

export interface RunStepDeps {
  config: Config;
  db: Db;
  runtimes: Partial<Record<RuntimeName, StepRuntime>>;
  logStore: LogStore;
  /** the worker's cluster, for built-ins that talk to Kubernetes themselves */
  kubeConfig?: KubeConfig;
}

const FAILURE_STATUS: Partial<Record<StepFailureKind, 'timed_out' | 'cancelled'>> = {
  timeout: 'timed_out',
  cancelled: 'cancelled',
};

function stepError(
  kind: StepFailureKind,
  message: string,
  exitCode: number | null,
  retryable: boolean,
): ApplicationFailure {
  const type =
    kind === 'timeout'
      ? STEP_ERROR_TYPES.timedOut
      : kind === 'cancelled'
        ? STEP_ERROR_TYPES.cancelled
        : retryable
          ? STEP_ERROR_TYPES.failed
          : STEP_ERROR_TYPES.invalid;
  const details: StepErrorDetails = { exitCode, kind, retryable };
  return ApplicationFailure.create({ type, message, details: [details], nonRetryable: true });
}

/** Outputs with every secret masked, in their names as in their values (a secret used as a key). */
function maskOutputs(outputs: Record<string, string>, mask: Masker): Record<string, string> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [mask(k), mask(v)]));
}

/** Names one attempt of one step, the same each time Temporal re-executes it (at-least-once). */
export function attemptId(key: {
  runId: string;
  stepId: string;
  matrixKey: string;
  attempt: number;
}): string {
  return crypto
    .createHash('sha256')
    .update(`${key.runId}\0${key.stepId}\0${key.matrixKey}\0${key.attempt}`)
    .digest('hex')
    .slice(0, 32);
}

/** Temporal cancels running activities with reason WORKER_SHUTDOWN once the shutdown grace is over. */
const isWorkerShutdown = (signal: AbortSignal) =>
  signal.aborted && signal.reason instanceof CancelledFailure && signal.reason.message === 'WORKER_SHUTDOWN';

/** What one step attempt needs of the Temporal activity running it (a chain gives each of its steps its own). */
export interface AttemptContext {
  /** the worker that ran this attempt before was lost: logs continue, the runtime reclaims what it left */
  restarted: boolean;
  /** the runtime's last heartbeat before the loss */
  lastHeartbeat: unknown;
  heartbeat(details?: unknown): void;
  signal: AbortSignal;
  /** the chain this attempt belongs to: its steps of one image may share a container */
  chain?: string;
}

/** The attempt context of a `runStep` activity: the activity's own. */
export function activityAttemptContext(): AttemptContext {
  const ctx = Context.current();
  return {
    restarted: ctx.info.attempt > 1,
    lastHeartbeat: ctx.info.heartbeatDetails,
    heartbeat: (details) => ctx.heartbeat(details),
    signal: ctx.cancellationSignal,
  };
}

export type RunStep = (input: RunStepInput, ctx: AttemptContext) => Promise<RunStepResult>;

/** Runs one attempt of one step on its runtime, streaming logs and recording status. */
export function createRunStep(deps: RunStepDeps): RunStep {
  const vault = createVault(deps);
  const runSecretValues = createRunSecrets(deps);
  return async function runStep(input, ctx) {
    const key = {
      runId: input.runId,
      stepId: input.stepId,
      matrixKey: input.matrixKey,
      attempt: input.attempt,
    };
    const startedAt = new Date();
    // written while the step is prepared; awaited before its process starts and before any other record of it
    const started = recordStepStarted(deps.db, { ...key, matrix: input.matrix, at: startedAt });
    started.catch(() => undefined);

    const fail = async (
      kind: StepFailureKind,
      message: string,
      exitCode: number | null,
      retryable: boolean,
      outputs?: Record<string, string>,
    ) => {
      const status = FAILURE_STATUS[kind] ?? 'failed';
      await started;
      await recordStep(deps.db, {
        ...key,
        matrix: input.matrix,
        status,
        error: message,
        exitCode,
        outputs,
        at: Date.now(),
      });
      return stepError(kind, message, exitCode, retryable);
    };

    const workspace = path.join(deps.config.dataDir, 'workspaces', input.workspaceId ?? input.runId);
    await fs.promises.mkdir(workspace, { recursive: true });
    // dockyard: input artifacts unpacked, large outputs this step uses fetched in full; a pod has
    // its own workspace, so there the pod moves its artifacts itself (in-process steps run here)
    const artifactsInPod =
      stepRuntimeName(input, deps.config.CO_RUNTIME) === 'kubernetes' && !inProcessStep(input.uses?.name);
    const ioLines: string[] = [];
    const io = new StepIo(deps, input, workspace, (line) => ioLines.push(line), artifactsInPod);
    let podArtifacts: PodArtifacts | undefined;
    try {
      input = { ...input, ...(await io.prepare({ env: input.env, data: input.data, script: input.script })) };
      podArtifacts = await io.podArtifacts();
    } catch (err) {
      throw await fail(...dockyardFailure(err), null, !isFinal(err));
    }

    let script = input.script;
    let image = input.image;
    let baseEnv: Record<string, string> = {};
    let stepEnv: Record<string, string> = {
      // a flow job sets CO_DATA itself in `environments`
      CO_DATA:
        Object.keys(input.data).length === 0 && input.env.CO_DATA !== undefined
          ? input.env.CO_DATA
          : coData(input.data),
    };
    let secretInputs: string[] = [];
    let secretNames: string[] = [];
    let requires: string[] | undefined;
    let onHost = false;
    let componentRef: string | undefined;
    if (input.kind === 'uses' && input.uses) {
      const component = await resolveComponent(deps.db, input.uses);
      if (!component) {
        const wanted = input.uses.version
          ? `${input.uses.name}@${input.uses.version}`
          : `${input.uses.name}@${input.uses.range}`;
        throw await fail('invalid', `component ${wanted} is not in the catalog`, null, false);
      }
      componentRef = `${component.name}@${component.version}`;
      const launch = componentLaunch(component, input.data);
      if (launch.problem) throw await fail('invalid', launch.problem, null, false);
      script = launch.script;
      image ??= launch.image;
      baseEnv = launch.baseEnv;
      stepEnv = launch.env;
      secretInputs = launch.secretValues;
      secretNames = launch.secretEnvNames;
      requires = launch.requires;
      onHost = launch.host;
    }
    const runtimeName = stepRuntimeName(input, deps.config.CO_RUNTIME, onHost);
    const runtime = deps.runtimes[runtimeName];
    if (!runtime)
      throw await fail('invalid', `runtime ${runtimeName} is not configured on this worker`, null, false);
    if (input.sidecars?.length && runtimeName !== 'container')
      throw await fail(
        'invalid',
        `sidecars run only on the container runtime, not ${runtimeName}`,
        null,
        false,
      );

    const env: Record<string, string> = {
      ...baseEnv,
      ...input.env,
      ...stepEnv,
      CO_RUN_ID: input.runId,
      CO_STEP_ID: input.stepId,
      CO_ATTEMPT: String(input.attempt),
      CO_ATTEMPT_ID: attemptId(key),
      ...(input.matrixKey ? { CO_MATRIX_KEY: input.matrixKey } : {}),
    };
    for (const [k, v] of Object.entries(input.matrix ?? {}))
      env[`MATRIX_${k.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`] = v;

    let secrets: StepSecrets;
    try {
      secrets = await injectSecrets(vault, {
        project: input.project,
        runId: input.runId,
        stepId: input.stepId,
        env,
        services: input.services,
        secretsDir: path.join(deps.config.dataDir, 'secrets'),
      });
    } catch (err) {
      if (!(err instanceof SecretResolutionError)) throw err;
      throw await fail('invalid', err.message, null, false);
    }
    // run-wide: a value given to another step of the run (read back from a workspace file) is masked here too
    const mask = secretMasker([
      ...secretValuesOf({ ...secrets.env, ...secrets.secretEnv }, deps.config.CO_SECRET_ENV_PATTERN),
      ...secretInputs,
      ...secrets.values,
      ...(await runSecretValues(input.runId)),
    ]);
    // a second execution of the same attempt (the worker was lost) continues the numbering
    const resume = ctx.restarted ? await deps.logStore.storedSoFar(key) : undefined;
    const sink = new LogSink(deps.logStore, key, mask, {
      resume,
      maxBytes: deps.config.CO_LOG_MAX_BYTES_PER_STEP,
    });
    if (ctx.restarted) {
      sink.push(
        'stderr',
        `[containerops] the worker running this attempt was lost; attempt ${input.attempt} restarted`,
      );
    }
    for (const line of ioLines.splice(0)) sink.push('stderr', line);

    // around the runtime, dockyard transfers heartbeat for the attempt (the runtime's last details kept)
    let beat: unknown = ctx.lastHeartbeat;
    const alive = <T>(work: () => Promise<T>) => heartbeatWhile(() => ctx.heartbeat(beat), work);
    // the input as the workflow sent it (templates rendered, secrets as markers) is what a fingerprint is made of
    let changes: WorkspaceChanges | undefined;
    if (input.memoize) {
      const resolvedEnv = { ...secrets.env, ...secrets.secretEnv };
      const facts = { component: componentRef, image, resolvedEnv, resolveSecrets: secrets.resolve };
      const memo = await alive(() =>
        memoizeStep(deps, input, facts, workspace, (l) => sink.push('stderr', l)),
      );
      await started;
      if (memo.reused) {
        const { runId, number, outputs, exitCode } = memo.reused;
        await Promise.all([secrets.cleanup(), sink.close()]);
        await recordStep(deps.db, { ...key, status: 'succeeded', outputs, exitCode, at: Date.now() });
        await recordFingerprint(deps.db, key, memo.fingerprint, { runId, number });
        return { outputs, exitCode };
      }
      await recordFingerprint(deps.db, key, memo.fingerprint);
      // before the cache: a reuse restores no cache, so what it brings is part of the result
      if (!artifactsInPod) changes = await alive(() => WorkspaceChanges.before(workspace));
    }
    // after memoize: a step that does not run needs no cache; a pod moves its own (podArtifacts)
    const cache =
      input.cache && !artifactsInPod
        ? new StepCache(deps, { ...input, cache: input.cache }, workspace, (l) => sink.push('stderr', l))
        : undefined;
    if (cache) await alive(() => cache.restore());

    const split = splitSecretEnv(secrets.env, deps.config.CO_SECRET_ENV_PATTERN);
    for (const name of secretNames) {
      // secret inputs (and CO_DATA, which repeats them) travel like other secret env
      if (name in split.env) split.secretEnv[name] = split.env[name]!;
      delete split.env[name];
    }
    const launch: StepLaunch = {
      project: input.project,
      runId: input.runId,
      stepId: input.stepId,
      matrixKey: input.matrixKey,
      attempt: input.attempt,
      image,
      script,
      env: split.env,
      secretEnv: { ...split.secretEnv, ...secrets.secretEnv },
      workspace,
      timeoutMs: input.timeoutMs,
      pod: input.pod,
      component: input.uses?.name,
      requires,
    };
    if (podArtifacts) launch.podArtifacts = podArtifacts;
    if (ctx.chain) launch.shareKey = ctx.chain;
    if (input.sidecars?.length) launch.sidecars = input.sidecars;
    if (ctx.restarted && ctx.lastHeartbeat !== undefined) {
      await runtime.reclaim?.(launch, ctx.lastHeartbeat);
    }
    const hooks = {
      onLine: (stream: 'stdout' | 'stderr', line: string, continues?: boolean) =>
        sink.push(stream, line, continues),
      heartbeat: (details?: unknown) => ctx.heartbeat((beat = details)),
      signal: ctx.signal,
    };
    const inProcess = inProcessStep(launch.component);
    const outcome = await started
      .then(() => (inProcess ? inProcess(launch, hooks, deps.kubeConfig) : runtime.run(launch, hooks)))
      .finally(() => secrets.cleanup());
    let finished: { outputs: Record<string, string> } | { error: unknown } | undefined;
    if (!outcome.failure && !ctx.signal.aborted) {
      // masked first: a stored large output is shown to viewers like any other
      const masked = maskOutputs(outcome.outputs, mask);
      finished = await alive(() => io.finish(masked)).then(
        (outputs) => ({ outputs }),
        (error: unknown) => ({ error }),
      );
      if ('outputs' in finished && !reportsFailure(outcome.outputs)) {
        const snapshot = changes;
        await alive(async () => {
          await cache?.save();
          if (snapshot) await recordWorkspaceChanges(deps, input, snapshot, (l) => sink.push('stderr', l));
        });
      }
      for (const line of ioLines.splice(0)) sink.push('stderr', line);
    }
    await sink.close();
    // outputs are shown to viewers and travel in Temporal history: never a secret value in them
    outcome.outputs = maskOutputs(outcome.outputs, mask);

    if (isWorkerShutdown(ctx.signal)) {
      // the platform is stopping, not the user: the attempt runs again on the next worker
      throw ApplicationFailure.retryable(
        'the worker stopped while the step ran; it runs again',
        'WorkerShutdown',
      );
    }
    if (outcome.failure?.kind === 'cancelled' || ctx.signal.aborted) {
      await recordStep(deps.db, {
        ...key,
        status: 'cancelled',
        error: 'cancelled',
        exitCode: outcome.exitCode,
        at: Date.now(),
      });
      throw new CancelledFailure('step cancelled; its processes were stopped');
    }
    if (outcome.failure) {
      const { kind, message, retryable } = outcome.failure;
      throw await fail(kind, mask(message), outcome.exitCode, retryable);
    }
    if (reportsFailure(outcome.outputs)) {
      const message = `the component reported [COUT] CO_RESULT = false (exit code ${outcome.exitCode})`;
      // as the original recorded them: the [COUT] results of a failed component stay visible
      throw await fail('exit', message, outcome.exitCode, true, outcome.outputs);
    }
    if (finished && 'error' in finished) {
      const err = finished.error;
      throw await fail(...dockyardFailure(err), outcome.exitCode, !isFinal(err));
    }
    const outputs = finished?.outputs ?? outcome.outputs;
    const size = Buffer.byteLength(JSON.stringify(outputs));
    if (size > MAX_OUTPUT_BYTES) {
      throw await fail(
        'invalid',
        `step outputs are ${size} bytes; the limit is ${MAX_OUTPUT_BYTES}`,
        outcome.exitCode,
        false,
      );
    }
    await recordStep(deps.db, {
      ...key,
      status: 'succeeded',
      outputs,
      exitCode: outcome.exitCode,
      at: Date.now(),
    });
    return { outputs, exitCode: outcome.exitCode };
  };
}
