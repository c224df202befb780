import crypto from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { STEP_ERROR_TYPES, type RunStepInput, type StepErrorDetails } from '../contract';
import { StepCache } from './dockyard/cache/step-cache';
import type { WorkspaceChanges } from './memoize/workspace-changes';
import { StepIo } from './dockyard/step-io';
import { type Masker } from './logarithm/mask';
import { LogSink } from './logarithm/sink';
import type { LogStore } from './logarithm/store';
import { type StepSecrets } from './scaler/inject';
import type { RuntimeName, StepFailureKind, StepLaunch, StepRuntime } from './runtimes/runtime';

/** What every part of a step attempt shares: its deps, its Temporal context, its key, how it fails. */
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

export const FAILURE_STATUS: Partial<Record<StepFailureKind, 'timed_out' | 'cancelled'>> = {
  timeout: 'timed_out',
  cancelled: 'cancelled',
};

export function stepError(
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
export function maskOutputs(outputs: Record<string, string>, mask: Masker): Record<string, string> {
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
export const isWorkerShutdown = (signal: AbortSignal) =>
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

export type AttemptKey = Parameters<typeof attemptId>[0];
export type Fail = (
  kind: StepFailureKind,
  message: string,
  exitCode: number | null,
  retryable: boolean,
  outputs?: Record<string, string>,
) => Promise<ApplicationFailure>;

/**
 * One attempt, prepared (part 1 of 3): its records begun, inputs in the workspace, secrets
 * resolved, the log sink open, the cache restored and the runtime's launch built. `execute`
 * (part 2) runs it, `conclude` (part 3) records how it ended.
 */
export interface PreparedStep {
  key: AttemptKey;
  input: RunStepInput;
  /** the StepRun row's start, awaited before the process starts and before any other record */
  started: Promise<unknown>;
  fail: Fail;
  io: StepIo;
  /** lines of dockyard's work, moved to the log at the next point one is open */
  ioLines: string[];
  sink: LogSink;
  mask: Masker;
  secrets: StepSecrets;
  cache: StepCache | undefined;
  /** a memoized step's workspace as it was before it ran: what it changed is stored with its result */
  changes: WorkspaceChanges | undefined;
  runtime: StepRuntime;
  launch: StepLaunch;
  /** the runtime's last heartbeat details, sent again while dockyard moves files around the step */
  beat: { last: unknown };
  /** runs dockyard work (a cache, a snapshot, outputs) while heartbeating for the attempt */
  alive: <T>(work: () => Promise<T>) => Promise<T>;
}
