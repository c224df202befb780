/**
 * The step runtime: the one small interface every backend (local process, Kubernetes pod)
 * implements. A runtime knows nothing of Temporal, the database or the pipeline DSL: it
 * gets a fully resolved step and reports lines, liveness and an outcome.
 */

export type LogStream = 'stdout' | 'stderr';

/** The step runtimes a worker may run: host processes, podman containers, Kubernetes pods. */
export type RuntimeName = 'local' | 'container' | 'kubernetes';

/** `cpu` and `memory` quantities, as Kubernetes writes them */
type PodResources = { cpu?: string; memory?: string };

/** Kubernetes-only placement settings of a step's pod; ignored by the local runtime. */
export interface PodSettings {
  namespace?: string;
  resources?: { requests?: PodResources; limits?: PodResources };
  nodeSelector?: Record<string, string>;
  tolerations?: {
    key?: string;
    operator?: 'Exists' | 'Equal';
    value?: string;
    effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
    tolerationSeconds?: number;
  }[];
  serviceAccountName?: string;
  imagePullSecrets?: string[];
}

/** A service container started beside a step's container for the step's run (container runtime only). */
export interface SidecarLaunch {
  /** the host name the step reaches it by */
  name: string;
  image: string;
  env: Record<string, string>;
  entrypoint?: string[];
  command?: string[];
  /** TCP ports it listens on: the step starts once each accepts connections */
  ports: number[];
}

export interface StepLaunch {
  project: string;
  runId: string;
  stepId: string;
  /** Stable key of the matrix combination ('' when the step has no matrix). */
  matrixKey: string;
  /** 1-based attempt number (Temporal's activity attempt). */
  attempt: number;
  /** Container image (container runtimes); the local runtime ignores it. */
  image?: string;
  /** Shell script run with `sh -e -c`; the command when `command` is absent. */
  script?: string;
  /** Explicit argv (component entrypoints); overrides `script`. */
  command?: string[];
  /** Fully resolved environment, including CO_* variables. */
  env: Record<string, string>;
  /**
   * Secret variables, kept apart from `env`: a runtime delivers them to the step without writing
   * them into any spec (the Kubernetes runtime puts them in a per-attempt Secret).
   */
  secretEnv?: Record<string, string>;
  /** Per-run workspace directory shared by the run's steps (local runtime). */
  workspace: string;
  /** Hard limit for this attempt; the runtime kills the step when it passes. */
  timeoutMs?: number;
  pod?: PodSettings;
  /** The component this step runs (`name@x.y.z`), for messages. */
  component?: string;
  /** Host programs the step needs; the local runtime checks them before it starts anything. */
  requires?: string[];
  /**
   * Artifacts a container runtime moves itself, over HTTP, inside the step's pod. Absent when the
   * activity moves them around the step (the local runtime shares the worker's workspace).
   */
  podArtifacts?: PodArtifacts;
  /**
   * Steps that run one after another with the same key (a chain's) may share one container: a
   * container runtime keeps the container for the next step of the same image.
   */
  shareKey?: string;
  /** service containers the step reaches by name; only the container runtime runs them */
  sidecars?: SidecarLaunch[];
}

/** What a pod needs to fetch `artifacts.in`, upload `artifacts.out` and move its cache from dockyard itself. */
export interface PodArtifacts {
  /** dockyard's runs collection for the project: `<api>/api/v1/projects/<project>/runs` */
  runsUrl: string;
  /** the run-scoped, short-lived token: a runtime delivers it like a secret, never in a spec */
  token: string;
  /** the runs an input artifact is looked up in, in order (this run, then the one it continues) */
  runIds: string[];
  in: Array<{ name: string; from: string }>;
  out: Array<{ name: string; path: string }>;
  /** large output references the step reads from files (`<NAME>_FILE`), fetched into POD_REFS_DIR */
  refs: string[];
  /** the uploader stores the step's outputs file, so outputs may pass 4 KiB (up to 100 MB a value) */
  outputs?: boolean;
  /** `cache:` of the step: the pod computes its key, restores it before the step and saves it after */
  cache?: PodCache;
}

/** A step's cache as the pod moves it: key templates whose `${CO_HASH_n}` are `hashFiles` of its workspace. */
export interface PodCache {
  key: string;
  restoreKeys: string[];
  paths: string[];
  hashFiles: Record<string, string[]>;
}

/** Where a step pod's workspace is mounted (its working directory). */
export const POD_WORKSPACE = '/workspace';
/** Where a step pod finds the large outputs it uses, one file per digest (`<hex>`). */
export const POD_REFS_DIR = `${POD_WORKSPACE}/.co/refs`;

export interface StepHooks {
  /** One line of output, without its trailing newline; `continues`: the next call goes on with it. */
  onLine(stream: LogStream, line: string, continues?: boolean): void;
  /** Called periodically while the step is alive; throws when the activity is cancelled. */
  heartbeat(details?: unknown): void;
  /** Aborted when the step must stop (activity cancellation, worker shutdown). */
  signal: AbortSignal;
}

export type StepFailureKind =
  | 'exit' // non-zero exit code: retryable per the step's policy
  | 'timeout'
  | 'cancelled'
  | 'image' // image cannot be pulled or named: never retryable
  | 'invalid' // invalid spec: never retryable
  | 'oom'
  | 'evicted'
  | 'unschedulable'
  | 'infrastructure'; // node lost, API unreachable: retryable

export interface StepOutcome {
  exitCode: number | null;
  /** Outputs parsed from $CO_OUTPUTS and `[COUT] KEY=VALUE` lines. */
  outputs: Record<string, string>;
  failure?: { kind: StepFailureKind; message: string; retryable: boolean };
}

export interface StepRuntime {
  readonly name: RuntimeName;
  /** Runs one attempt of a step to completion; never throws for a step failure. */
  run(launch: StepLaunch, hooks: StepHooks): Promise<StepOutcome>;
  /**
   * Before an attempt runs again because its worker was lost: stop what the lost execution
   * left behind, given the last heartbeat details it sent.
   */
  reclaim?(launch: StepLaunch, lastHeartbeat: unknown): Promise<void>;
}
