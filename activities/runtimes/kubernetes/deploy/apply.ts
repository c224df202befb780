import {
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';

export const FIELD_MANAGER = 'containerops';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [field: string]: unknown;
}

export interface AppliedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** metadata.generation after the apply: the rollout is done once the controller observed it. */
  generation?: number;
}

export function asManifest(value: object, namespace: string): Manifest {
  const m = value as Partial<Manifest>;
  if (
    typeof m.apiVersion !== 'string' ||
    typeof m.kind !== 'string' ||
    typeof m.metadata?.name !== 'string'
  ) {
    throw new TypeError('every manifest needs apiVersion, kind and metadata.name');
  }
  return { ...m, metadata: { ...m.metadata, namespace: m.metadata.namespace ?? namespace } } as Manifest;
}

/** Server-side apply (fieldManager containerops, force): idempotent, so a retried apply changes nothing twice. */
export async function serverSideApply(kc: KubeConfig, manifest: Manifest): Promise<AppliedObject> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  const result = await client.patch(
    manifest as KubernetesObject,
    undefined,
    undefined,
    FIELD_MANAGER,
    true,
    PatchStrategy.ServerSideApply,
  );
  return {
    apiVersion: manifest.apiVersion,
    kind: manifest.kind,
    name: manifest.metadata.name,
    namespace: manifest.metadata.namespace,
    generation: result.metadata?.generation,
  };
}

export async function readObject(
  kc: KubeConfig,
  target: AppliedObject,
): Promise<KubernetesObject & { status?: any; spec?: any }> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  return client.read({
    apiVersion: target.apiVersion,
    kind: target.kind,
    metadata: { name: target.name, namespace: target.namespace },
  });
}
