import {
  PatchStrategy,
  setHeaderOptions,
  type CoreV1Api,
  type V1EnvVar,
  type V1Pod,
  type V1Secret,
} from '@kubernetes/client-node';
import type { StepLaunch } from '../runtime';
import { apiProblem, isNotFound } from './api-errors';
import { TOKEN_KEY } from './artifact-containers';
import { ANNOTATION, shortHash, stepLabels } from './pod-spec';

/**
 * Secret variables never enter the pod spec: each attempt gets its own Secret, named like its pod,
 * that the container reads through `secretKeyRef`. Once the pod exists the Secret is owned by it,
 * so the garbage collector deletes it with the pod. The dockyard token of a step with artifacts
 * travels the same way, to the containers that move them.
 */

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** A Secret data key for an env name: the name itself when it is a valid key (and not the token's), else a hash. */
export function secretKey(envName: string): string {
  return SECRET_KEY.test(envName) && envName.length <= 253 && envName !== TOKEN_KEY
    ? envName
    : `env-${shortHash(envName, 20)}`;
}

/** Whether the attempt has anything to keep out of its pod spec: secret variables or a dockyard token. */
export function needsStepSecret(launch: StepLaunch): boolean {
  return Object.keys(launch.secretEnv ?? {}).length > 0 || launch.podArtifacts !== undefined;
}

/** The env entries of the step container that read the secret variables from the attempt's Secret. */
export function secretEnvRefs(launch: StepLaunch, secretName: string): V1EnvVar[] {
  return Object.keys(launch.secretEnv ?? {}).map((name) => ({
    name,
    valueFrom: { secretKeyRef: { name: secretName, key: secretKey(name) } },
  }));
}

export function buildStepSecret(launch: StepLaunch, name: string, namespace: string): V1Secret {
  const data: Record<string, string> = {};
  for (const [env, value] of Object.entries(launch.secretEnv ?? {}))
    data[secretKey(env)] = Buffer.from(value, 'utf8').toString('base64');
  if (launch.podArtifacts)
    data[TOKEN_KEY] = Buffer.from(launch.podArtifacts.token, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      labels: stepLabels(launch),
      annotations: { [ANNOTATION.runId]: launch.runId },
    },
    type: 'Opaque',
    immutable: true,
    data,
  };
}

/** Creates the attempt's Secret; one left by an earlier try of the same attempt is kept (same values). */
export async function createStepSecret(core: CoreV1Api, secret: V1Secret): Promise<void> {
  try {
    await core.createNamespacedSecret({ namespace: secret.metadata?.namespace ?? 'default', body: secret });
  } catch (err) {
    if (apiProblem(err).code !== 409) throw err;
  }
}

/** Hands the Secret to its pod: from now on it lives exactly as long as the pod. */
export async function adoptStepSecret(core: CoreV1Api, pod: V1Pod): Promise<void> {
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? 'default';
  const uid = pod.metadata?.uid;
  if (!uid) throw new Error(`pod ${name} has no uid`);
  await core.patchNamespacedSecret(
    {
      name,
      namespace,
      body: {
        metadata: {
          ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name, uid, blockOwnerDeletion: false }],
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

export async function deleteStepSecret(core: CoreV1Api, namespace: string, name: string): Promise<void> {
  try {
    await core.deleteNamespacedSecret({ name, namespace });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
