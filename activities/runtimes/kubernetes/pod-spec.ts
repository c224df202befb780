import { createHash } from 'node:crypto';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { StepLaunch } from '../runtime';
import { artifactPodParts } from './artifact-containers';
import { secretEnvRefs } from './step-secret';

export const LABEL = {
  run: 'containerops.dev/run',
  step: 'containerops.dev/step',
  attempt: 'containerops.dev/attempt',
  project: 'containerops.dev/project',
  matrix: 'containerops.dev/matrix',
} as const;
/** Raw ids, which a label value may be too long or too loose to hold. */
export const ANNOTATION = {
  runId: 'containerops.dev/run-id',
  stepId: 'containerops.dev/step-id',
  matrixKey: 'containerops.dev/matrix-key',
  keepOnFailure: 'containerops.dev/keep-on-failure',
} as const;

export const CONTAINER_NAME = 'step';
export const TERMINATION_LOG = '/dev/termination-log';

export function shortHash(text: string, length = 10): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

/** A label value as is when valid, else a hash that still selects deterministically. */
export function labelValue(text: string): string {
  return /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/.test(text) ? text : `h-${shortHash(text, 20)}`;
}

export function stepLabels(launch: StepLaunch): Record<string, string> {
  return {
    [LABEL.project]: labelValue(launch.project),
    [LABEL.run]: labelValue(launch.runId),
    [LABEL.step]: labelValue(launch.stepId),
    [LABEL.matrix]: launch.matrixKey ? shortHash(launch.matrixKey) : 'none',
    [LABEL.attempt]: String(launch.attempt),
  };
}

/**
 * `co-<run>-<step>-<hash>-a<attempt>`: the same attempt always gets the same name, so a retried
 * activity finds the pod it created before. The hash covers the full ids, so truncating the
 * readable part to fit 63 characters cannot make two steps collide.
 */
export function podName(launch: StepLaunch): string {
  const hash = shortHash(JSON.stringify([launch.project, launch.runId, launch.stepId, launch.matrixKey]));
  const suffix = `-${hash}-a${launch.attempt}`;
  const readable = `co-${slug(launch.runId)}-${slug(launch.stepId)}`
    .slice(0, 63 - suffix.length)
    .replace(/-+$/, '');
  return readable + suffix;
}

function containerCommand(launch: StepLaunch): string[] | undefined {
  if (launch.command?.length) return launch.command;
  if (launch.script !== undefined) return ['sh', '-e', '-c', launch.script];
  return undefined; // the image's entrypoint
}

export interface PodSpecOptions {
  namespace: string;
  keepOnFailure: boolean;
  /** Extra annotations on every step pod (a service mesh's, the cluster autoscaler's, kwok's stage rules). */
  annotations?: Record<string, string>;
  /** Seconds added to the step timeout for the kubelet's own deadline, a backstop if the worker dies. */
  deadlineSlackSeconds?: number;
  /** Image of the containers that move artifacts (the platform's own image; see artifact-containers.ts). */
  toolImage?: string;
}

/** The platform's image as the Helm chart names it by default. */
export const DEFAULT_TOOL_IMAGE = 'containerops:0.1.0';

export function buildPod(launch: StepLaunch, options: PodSpecOptions): V1Pod {
  if (!launch.image) throw new Error(`step ${launch.stepId} has no image: the kubernetes runtime needs one`);
  const settings = launch.pod ?? {};
  const name = podName(launch);
  const secretNames = new Set(Object.keys(launch.secretEnv ?? {}));
  const env = Object.entries({ ...launch.env, CO_OUTPUTS: TERMINATION_LOG })
    .filter(([key]) => !secretNames.has(key))
    .map(([key, value]) => ({ name: key, value }));
  const command = containerCommand(launch);
  const resources = settings.resources;
  const artifacts = artifactPodParts(launch, name, options.toolImage ?? DEFAULT_TOOL_IMAGE);
  const step: V1Container = {
    name: CONTAINER_NAME,
    image: launch.image,
    ...(command ? { command } : {}),
    env: [...env, ...secretEnvRefs(launch, name)],
    ...(resources ? { resources } : {}),
    terminationMessagePath: TERMINATION_LOG,
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: options.namespace,
      labels: stepLabels(launch),
      annotations: {
        ...options.annotations,
        [ANNOTATION.runId]: launch.runId,
        [ANNOTATION.stepId]: launch.stepId,
        [ANNOTATION.matrixKey]: launch.matrixKey,
        ...(options.keepOnFailure ? { [ANNOTATION.keepOnFailure]: 'true' } : {}),
      },
    },
    spec: {
      restartPolicy: 'Never',
      enableServiceLinks: false,
      automountServiceAccountToken: settings.serviceAccountName !== undefined,
      ...(launch.timeoutMs
        ? { activeDeadlineSeconds: Math.ceil(launch.timeoutMs / 1000) + (options.deadlineSlackSeconds ?? 30) }
        : {}),
      ...(settings.serviceAccountName ? { serviceAccountName: settings.serviceAccountName } : {}),
      ...(settings.nodeSelector ? { nodeSelector: settings.nodeSelector } : {}),
      ...(settings.tolerations ? { tolerations: settings.tolerations } : {}),
      ...(settings.imagePullSecrets?.length
        ? { imagePullSecrets: settings.imagePullSecrets.map((name) => ({ name })) }
        : {}),
      ...(artifacts
        ? {
            volumes: artifacts.volumes,
            ...(artifacts.initContainers.length ? { initContainers: artifacts.initContainers } : {}),
          }
        : {}),
      containers: artifacts ? [artifacts.step(step), ...artifacts.containers] : [step],
    },
  };
}
