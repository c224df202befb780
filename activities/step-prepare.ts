import fs from 'node:fs';
import path from 'node:path';
import { type RunStepInput, type RunStepResult } from '../contract';
import { envName } from '../contract/env-names';
import { componentLaunch, coData } from './component-launch';
import { StepCache } from './dockyard/cache/step-cache';
import { heartbeatWhile } from './heartbeat-while';
import { recordFingerprint } from './memoize/reuse';
import { WorkspaceChanges } from './memoize/workspace-changes';
import { memoizeStep } from './memoize/step-memo';
import { resolveComponent } from './nucleus/components';
import { dockyardFailure, isFinal, StepIo } from './dockyard/step-io';
import { inProcessStep } from './in-process-steps';
import { stepRuntimeName } from './step-runtime';
import { secretMasker, secretValuesOf, splitSecretEnv, type Masker } from './logarithm/mask';
import { LogSink } from './logarithm/sink';
import { recordStep, recordStepStarted } from './read-model';
import { injectSecrets, type StepSecrets } from './scaler/inject';
import { createRunSecrets } from './scaler/run-secrets';
import { createVault, SecretResolutionError } from './scaler/vault';
import type { PodArtifacts, StepLaunch } from './runtimes/runtime';

import {
  attemptId,
  FAILURE_STATUS,
  stepError,
  type AttemptContext,
  type AttemptKey,
  type Fail,
  type PreparedStep,
  type RunStepDeps,
} from './step-attempt';
/** What runs a step: its script and image, and what a component adds to them. */
export interface StepProgram {
  script: string | undefined;
  image: string | undefined;
  baseEnv: Record<string, string>;
  stepEnv: Record<string, string>;
  secretInputs: string[];
  secretNames: string[];
  requires: string[] | undefined;
  onHost: boolean;
  componentRef: string | undefined;
}

/** The environment of a step: component base, step env, the run's identity, matrix values (one builder). */
export function stepEnvironment(input: RunStepInput, key: AttemptKey, program: StepProgram) {
  const env: Record<string, string> = {
    ...program.baseEnv,
    ...input.env,
    ...program.stepEnv,
    CO_RUN_ID: input.runId,
    CO_STEP_ID: input.stepId,
    CO_ATTEMPT: String(input.attempt),
    CO_ATTEMPT_ID: attemptId(key),
    ...(input.matrixKey ? { CO_MATRIX_KEY: input.matrixKey } : {}),
  };
  for (const [k, v] of Object.entries(input.matrix ?? {})) env[envName('MATRIX', k)] = v;
  return env;
}

/** The StepRun row's start, and how a failure is recorded (after the start, never before it). */
function beginAttempt(deps: RunStepDeps, input: RunStepInput) {
  const key = {
    runId: input.runId,
    stepId: input.stepId,
    matrixKey: input.matrixKey,
    attempt: input.attempt,
  };
  // written while the step is prepared; awaited before its process starts and before any other record of it
  const started = recordStepStarted(deps.db, { ...key, matrix: input.matrix, at: new Date() });
  started.catch(() => undefined);
  const fail: Fail = async (kind, message, exitCode, retryable, outputs) => {
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
  return { key, started, fail };
}

/** The workspace with dockyard's inputs in it (a pod moves its artifacts itself). */
async function openIo(deps: RunStepDeps, input: RunStepInput, fail: Fail) {
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
  return { input, workspace, io, ioLines, podArtifacts, artifactsInPod };
}

/** The step's script and image, or its component's from the catalog. */
async function resolveProgram(deps: RunStepDeps, input: RunStepInput, fail: Fail): Promise<StepProgram> {
  const program: StepProgram = {
    script: input.script,
    image: input.image,
    baseEnv: {},
    // a flow job sets CO_DATA itself in `environments`
    stepEnv: {
      CO_DATA:
        Object.keys(input.data).length === 0 && input.env.CO_DATA !== undefined
          ? input.env.CO_DATA
          : coData(input.data),
    },
    secretInputs: [],
    secretNames: [],
    requires: undefined,
    onHost: false,
    componentRef: undefined,
  };
  if (input.kind !== 'uses' || !input.uses) return program;
  const component = await resolveComponent(deps.db, input.uses);
  if (!component) {
    const wanted = input.uses.version
      ? `${input.uses.name}@${input.uses.version}`
      : `${input.uses.name}@${input.uses.range}`;
    throw await fail('invalid', `component ${wanted} is not in the catalog`, null, false);
  }
  const launch = componentLaunch(component, input.data);
  if (launch.problem) throw await fail('invalid', launch.problem, null, false);
  return {
    script: launch.script,
    image: program.image ?? launch.image,
    baseEnv: launch.baseEnv,
    stepEnv: launch.env,
    secretInputs: launch.secretValues,
    secretNames: launch.secretEnvNames,
    requires: launch.requires,
    onHost: launch.host,
    componentRef: `${component.name}@${component.version}`,
  };
}

/** The log sink of the attempt; a second execution of it (the worker was lost) continues the numbering. */
async function openSink(
  deps: RunStepDeps,
  key: AttemptKey,
  input: RunStepInput,
  ctx: AttemptContext,
  mask: Masker,
): Promise<LogSink> {
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
  return sink;
}

type SecretSources = {
  vault: ReturnType<typeof createVault>;
  runSecretValues: ReturnType<typeof createRunSecrets>;
};

/** The step's env with its secrets and services resolved, and the masker of every secret value the run knows. */
async function openSecrets(
  deps: RunStepDeps,
  secretsOf: SecretSources,
  step: { key: AttemptKey; input: RunStepInput; program: StepProgram; fail: Fail },
): Promise<{ secrets: StepSecrets; mask: Masker }> {
  const { input, program, fail } = step;
  let secrets: StepSecrets;
  try {
    secrets = await injectSecrets(secretsOf.vault, {
      project: input.project,
      runId: input.runId,
      stepId: input.stepId,
      env: stepEnvironment(input, step.key, program),
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
    ...program.secretInputs,
    ...secrets.values,
    ...(await secretsOf.runSecretValues(input.runId)),
  ]);
  return { secrets, mask };
}

/** memoize: the result of an earlier run of the same fingerprint (the attempt then ends here), else undefined. */
async function reuseMemoized(
  deps: RunStepDeps,
  step: {
    key: AttemptKey;
    input: RunStepInput;
    started: Promise<unknown>;
    program: StepProgram;
    secrets: StepSecrets;
    sink: LogSink;
    workspace: string;
    alive: PreparedStep['alive'];
  },
): Promise<RunStepResult | undefined> {
  const { key, program, secrets, sink } = step;
  const resolvedEnv = { ...secrets.env, ...secrets.secretEnv };
  const facts = {
    component: program.componentRef,
    image: program.image,
    resolvedEnv,
    resolveSecrets: secrets.resolve,
  };
  const memo = await step.alive(() =>
    memoizeStep(deps, step.input, facts, step.workspace, (l) => sink.push('stderr', l)),
  );
  await step.started;
  if (memo.reused) {
    const { runId, number, outputs, exitCode } = memo.reused;
    await Promise.all([secrets.cleanup(), sink.close()]);
    await recordStep(deps.db, { ...key, status: 'succeeded', outputs, exitCode, at: Date.now() });
    await recordFingerprint(deps.db, key, memo.fingerprint, { runId, number });
    return { outputs, exitCode };
  }
  await recordFingerprint(deps.db, key, memo.fingerprint);
  return undefined;
}

/**
 * memoize, then the cache: an earlier result of the same fingerprint ends the attempt here; else
 * the workspace is noted (what the step changes is stored with its result) and the cache restored.
 */
async function beforeRun(
  deps: RunStepDeps,
  step: Parameters<typeof reuseMemoized>[1] & { artifactsInPod: boolean },
): Promise<{ reused: RunStepResult } | Pick<PreparedStep, 'changes' | 'cache'>> {
  const { input, workspace, artifactsInPod, alive } = step;
  let changes: WorkspaceChanges | undefined;
  // the input as the workflow sent it (templates rendered, secrets as markers) is what a fingerprint is made of
  if (input.memoize) {
    const reused = await reuseMemoized(deps, step);
    if (reused) return { reused };
    // before the cache: a reuse restores no cache, so what it brings is part of the result
    if (!artifactsInPod) changes = await alive(() => WorkspaceChanges.before(workspace));
  }
  // after memoize: a step that does not run needs no cache; a pod moves its own (podArtifacts)
  const log = (l: string) => step.sink.push('stderr', l);
  const cache =
    input.cache && !artifactsInPod
      ? new StepCache(deps, { ...input, cache: input.cache }, workspace, log)
      : undefined;
  if (cache) await alive(() => cache.restore());
  return { changes, cache };
}

/** Part 1: everything an attempt needs before it runs; `reused` when memoize found an earlier result. */
export async function prepareStep(
  deps: RunStepDeps,
  secretsOf: SecretSources,
  given: RunStepInput,
  ctx: AttemptContext,
): Promise<PreparedStep | { reused: RunStepResult }> {
  const { key, started, fail } = beginAttempt(deps, given);
  const { input, workspace, io, ioLines, podArtifacts, artifactsInPod } = await openIo(deps, given, fail);
  const program = await resolveProgram(deps, input, fail);
  const runtimeName = stepRuntimeName(input, deps.config.CO_RUNTIME, program.onHost);
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
  const { secrets, mask } = await openSecrets(deps, secretsOf, { key, input, program, fail });
  const sink = await openSink(deps, key, input, ctx, mask);
  for (const line of ioLines.splice(0)) sink.push('stderr', line);

  const beat = { last: ctx.lastHeartbeat };
  const alive = <T>(work: () => Promise<T>) => heartbeatWhile(() => ctx.heartbeat(beat.last), work);
  const before = await beforeRun(deps, {
    ...{ key, input, started, program, secrets, sink, workspace, alive, artifactsInPod },
  });
  if ('reused' in before) return before;
  const { changes, cache } = before;

  const launch = launchOf(deps, input, program, secrets, workspace);
  if (podArtifacts) launch.podArtifacts = podArtifacts;
  if (ctx.chain) launch.shareKey = ctx.chain;
  if (input.sidecars?.length) launch.sidecars = input.sidecars;
  if (ctx.restarted && ctx.lastHeartbeat !== undefined) {
    await runtime.reclaim?.(launch, ctx.lastHeartbeat);
  }
  const parts = { key, input, started, fail, io, ioLines, sink, mask, secrets, cache, changes };
  return { ...parts, runtime, launch, beat, alive };
}

/** What the runtime is given: secret env apart from the rest. */
function launchOf(
  deps: RunStepDeps,
  input: RunStepInput,
  program: StepProgram,
  secrets: StepSecrets,
  workspace: string,
): StepLaunch {
  const split = splitSecretEnv(secrets.env, deps.config.CO_SECRET_ENV_PATTERN);
  for (const name of program.secretNames) {
    // secret inputs (and CO_DATA, which repeats them) travel like other secret env
    if (name in split.env) split.secretEnv[name] = split.env[name]!;
    delete split.env[name];
  }
  return {
    project: input.project,
    runId: input.runId,
    stepId: input.stepId,
    matrixKey: input.matrixKey,
    attempt: input.attempt,
    image: program.image,
    script: program.script,
    env: split.env,
    secretEnv: { ...split.secretEnv, ...secrets.secretEnv },
    workspace,
    timeoutMs: input.timeoutMs,
    pod: input.pod,
    component: input.uses?.name,
    requires: program.requires,
  };
}
