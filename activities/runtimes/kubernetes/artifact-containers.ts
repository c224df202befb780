import type { V1Container, V1ContainerStateTerminated, V1Pod, V1Volume } from '@kubernetes/client-node';
import type { Failure } from './classify';
import { POD_WORKSPACE, type PodArtifacts, type StepLaunch } from '../runtime';

/**
 * Artifacts on a pod. The step's workspace is an emptyDir the pod's containers share:
 * - `artifacts-in`, an init container of the tool image, fetches `artifacts.in` from dockyard over
 *   HTTP and unpacks them into it, and the large outputs the step reads from files (`<NAME>_FILE`);
 * - `step` runs the step there, its command wrapped so that its exit code lands in a second, private
 *   emptyDir when it ends;
 * - `artifacts-out`, a container of the tool image, waits for that file and, when the step exited 0,
 *   packs and uploads `artifacts.out`, and stores the step's outputs file (CO_OUTPUTS points into the
 *   handoff volume then): values a 4 KiB termination message cannot carry go to dockyard, and its own
 *   termination message reports the outputs with references in their place.
 * A step's `cache:` takes the same path: `artifacts-in` computes its key (`hashFiles` over the pod's
 * workspace, once the input artifacts are in) and restores it, `artifacts-out` saves it when the step
 * exited 0 and the key missed. The key and whether it hit pass between them in a third emptyDir that
 * the step container does not mount.
 *
 * Why a second container and not the upload appended to the step's command: the step's image need not
 * have node, curl or tar, and the tool runs the very code the local runtime uses (path checks against
 * the workspace, streaming, digests). Why a file and not the pod's status: the tool needs no access to
 * the Kubernetes API (no service account), and the wrapper writes it whatever the exit code, so the
 * uploader never outlives a failed step by more than a poll. A step killed outright (OOM of the
 * wrapper, deadline) writes nothing; the worker then fails the step on the `step` container's exit and
 * deletes the pod, uploader included. The token reaches the tool containers only from the attempt's
 * Secret (`secretKeyRef`), never from the spec.
 */

export const WORKSPACE = { volume: 'workspace', path: POD_WORKSPACE } as const;
const HANDOFF = { volume: 'co-handoff', path: '/co-handoff' } as const;
const CACHE_STATE = { volume: 'co-cache', path: '/co-cache' } as const;
/** Where `artifacts-in` leaves the cache key it computed and whether it hit, for `artifacts-out`. */
export const CACHE_STATE_FILE = `${CACHE_STATE.path}/state.json`;
export const STEP_EXIT_FILE = `${HANDOFF.path}/step-exit-code`;
/** The line of the uploader's termination message after which its outputs follow (an outputs file's text). */
export const OUTPUTS_MARKER = '[containerops] outputs:';
/** The step's CO_OUTPUTS when the uploader stores its outputs (beyond a termination message's 4 KiB). */
export const OUTPUTS_FILE = `${HANDOFF.path}/outputs`;
export const ARTIFACTS_IN = 'artifacts-in';
export const ARTIFACTS_OUT = 'artifacts-out';
/** The Secret key of the dockyard token (an env variable of this very name gets a hashed key). */
export const TOKEN_KEY = 'containerops.dockyard-token';
/** The tool's exit code for an artifact refused (missing, or a path out of the workspace): the step's fault. */
export const REFUSED_EXIT = 2;
/** The tool's entry point inside the tool image (the platform's image: this repository, WORKDIR at its root). */
export const TOOL_COMMAND = ['node', 'bin/co-artifacts.js'];
const TOOL_TERMINATION_LOG = '/dev/termination-log';

/**
 * Runs the step's argv in the background so a TERM from the kubelet reaches it (a shell as PID 1
 * ignores TERM), then records its exit code for the uploader. The trap is set before the step
 * starts, and a TERM that comes before its pid is known is passed on as soon as it is. A trapped
 * signal interrupts `wait`, hence the loop: the code recorded is the step's own.
 */
const WRAPPER = [
  'child=; stop=',
  `trap 'stop=1; [ -z "$child" ] || kill -TERM "$child" 2>/dev/null' TERM INT`,
  '"$@" &',
  'child=$!',
  '[ -z "$stop" ] || kill -TERM "$child" 2>/dev/null',
  'wait "$child"; rc=$?',
  'while kill -0 "$child" 2>/dev/null; do wait "$child"; rc=$?; done',
  'echo "$rc" > "$CO_STEP_EXIT_FILE"',
  'exit "$rc"',
].join('\n');

/** What the tool containers are told besides the token (CO_ARTIFACTS). */
export interface ToolOrders {
  runId: string;
  step: string;
  matrix: string;
  attempt: number;
  runIds: string[];
  in: PodArtifacts['in'];
  out: PodArtifacts['out'];
  refs: PodArtifacts['refs'];
  cache?: PodArtifacts['cache'];
  /** push stores the step's outputs file (its CO_OUTPUTS, in the handoff volume) */
  outputs?: boolean;
}

export interface ArtifactPodParts {
  volumes: V1Volume[];
  initContainers: V1Container[];
  containers: V1Container[];
  /** Changes to the step container: mounts, working directory, env, wrapped command. */
  step(container: V1Container): V1Container;
}

/** The volumes and containers that move a step's artifacts, or undefined when it has none. */
export function artifactPodParts(
  launch: StepLaunch,
  secretName: string,
  toolImage: string,
): ArtifactPodParts | undefined {
  const artifacts = launch.podArtifacts;
  if (!artifacts) return undefined;
  // the outputs go through the uploader only where the step's command can be wrapped; a cache is
  // restored by the fetcher and saved by the uploader
  const storesOutputs = !!artifacts.outputs && (!!launch.command?.length || launch.script !== undefined);
  const cache = artifacts.cache;
  const fetches = artifacts.in.length > 0 || artifacts.refs.length > 0 || cache !== undefined;
  const uploads = artifacts.out.length > 0 || storesOutputs || cache !== undefined;
  if (!fetches && !uploads) return undefined;
  const orders: ToolOrders = {
    runId: launch.runId,
    step: launch.stepId,
    matrix: launch.matrixKey,
    attempt: launch.attempt,
    runIds: artifacts.runIds,
    in: artifacts.in,
    out: artifacts.out,
    refs: artifacts.refs,
    ...(cache ? { cache } : {}),
    ...(storesOutputs ? { outputs: true } : {}),
  };
  const workspaceMount = { name: WORKSPACE.volume, mountPath: WORKSPACE.path };
  const handoffMount = { name: HANDOFF.volume, mountPath: HANDOFF.path };
  const cacheMounts = cache ? [{ name: CACHE_STATE.volume, mountPath: CACHE_STATE.path }] : [];
  const tool = (name: string, verb: 'pull' | 'push', extraMounts: (typeof handoffMount)[]): V1Container => ({
    name,
    image: toolImage,
    command: [...TOOL_COMMAND, verb],
    env: [
      { name: 'CO_DOCKYARD_URL', value: artifacts.runsUrl },
      { name: 'CO_DOCKYARD_TOKEN', valueFrom: { secretKeyRef: { name: secretName, key: TOKEN_KEY } } },
      { name: 'CO_ARTIFACTS', value: JSON.stringify(orders) },
      { name: 'CO_WORKSPACE', value: WORKSPACE.path },
      { name: 'CO_TERMINATION_LOG', value: TOOL_TERMINATION_LOG },
      ...(verb === 'push' ? [{ name: 'CO_STEP_EXIT_FILE', value: STEP_EXIT_FILE }] : []),
      ...(cache ? [{ name: 'CO_CACHE_STATE_FILE', value: CACHE_STATE_FILE }] : []),
      ...(verb === 'push' && storesOutputs ? [{ name: 'CO_OUTPUTS', value: OUTPUTS_FILE }] : []),
    ],
    volumeMounts: [workspaceMount, ...extraMounts, ...cacheMounts],
    terminationMessagePath: TOOL_TERMINATION_LOG,
    terminationMessagePolicy: 'FallbackToLogsOnError',
  });

  if ((artifacts.out.length || cache) && !launch.command?.length && launch.script === undefined) {
    const what = artifacts.out.length ? 'artifacts.out' : 'cache:';
    throw new Error(
      `step ${launch.stepId} has ${what}: on the kubernetes runtime it needs a run: script or a command, ` +
        `which the upload follows (the image's own entrypoint cannot be wrapped)`,
    );
  }
  return {
    volumes: [
      { name: WORKSPACE.volume, emptyDir: {} },
      ...(uploads ? [{ name: HANDOFF.volume, emptyDir: {} }] : []),
      ...(cache ? [{ name: CACHE_STATE.volume, emptyDir: {} }] : []),
    ],
    initContainers: fetches ? [tool(ARTIFACTS_IN, 'pull', [])] : [],
    containers: uploads ? [tool(ARTIFACTS_OUT, 'push', [handoffMount])] : [],
    step: (container) => ({
      ...container,
      ...(uploads && container.command
        ? { command: ['sh', '-c', WRAPPER, 'co-step', ...container.command] }
        : {}),
      workingDir: WORKSPACE.path,
      env: [
        ...(container.env ?? []).map((e) =>
          storesOutputs && e.name === 'CO_OUTPUTS' ? { name: e.name, value: OUTPUTS_FILE } : e,
        ),
        { name: 'CO_WORKSPACE', value: WORKSPACE.path },
        ...(uploads ? [{ name: 'CO_STEP_EXIT_FILE', value: STEP_EXIT_FILE }] : []),
      ],
      volumeMounts: [...(container.volumeMounts ?? []), workspaceMount, ...(uploads ? [handoffMount] : [])],
    }),
  };
}

function toolFailure(what: string, state: V1ContainerStateTerminated): Failure {
  const message = (state.message ?? '').trim() || state.reason || 'no message';
  if (state.exitCode === REFUSED_EXIT)
    return { kind: 'invalid', message: `dockyard: ${message}`, retryable: false };
  return {
    kind: 'infrastructure',
    message: `dockyard: ${what} failed (exit ${state.exitCode}): ${message}`,
    retryable: true,
  };
}

/** The failure of `artifacts-in`, once it has exited non-zero. */
export function fetchFailure(pod: V1Pod): Failure | undefined {
  const state = pod.status?.initContainerStatuses?.find((c) => c.name === ARTIFACTS_IN)?.state?.terminated;
  return state && state.exitCode !== 0 ? toolFailure('fetching artifacts.in', state) : undefined;
}

export type UploadState = { state: 'running' } | { state: 'done' } | { state: 'failed'; failure: Failure };

/** Where `artifacts-out` stands once the step exited 0 ('done' for a pod without one). */
export function uploadState(pod: V1Pod): UploadState {
  if (!pod.spec?.containers.some((c) => c.name === ARTIFACTS_OUT)) return { state: 'done' };
  const state = pod.status?.containerStatuses?.find((c) => c.name === ARTIFACTS_OUT)?.state?.terminated;
  if (!state) return { state: 'running' };
  if (state.exitCode !== 0)
    return { state: 'failed', failure: toolFailure('uploading artifacts.out', state) };
  return { state: 'done' };
}

/** What the tool containers reported (their termination messages, before any outputs), as log lines. */
export function toolLines(pod: V1Pod): string[] {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return [ARTIFACTS_IN, ARTIFACTS_OUT].flatMap((name) => {
    const message = statuses.find((c) => c.name === name)?.state?.terminated?.message ?? '';
    const at = message.indexOf(`${OUTPUTS_MARKER}\n`);
    const report = at < 0 ? message : message.slice(0, at);
    return report.split('\n').filter((line) => line.startsWith('[containerops]'));
  });
}

/** The outputs the uploader stored and reported (an outputs file's text); undefined when it did not. */
export function uploaderOutputs(pod: V1Pod): string | undefined {
  const message = pod.status?.containerStatuses?.find((c) => c.name === ARTIFACTS_OUT)?.state?.terminated
    ?.message;
  const at = message?.indexOf(`${OUTPUTS_MARKER}\n`) ?? -1;
  return at < 0 ? undefined : message!.slice(at + OUTPUTS_MARKER.length + 1);
}
