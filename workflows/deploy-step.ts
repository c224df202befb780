import { parseAllDocuments } from 'yaml';
import { parseDuration } from '../pipeline/duration';
import { MAX_MANIFEST_DEPTH, scanNesting } from '../pipeline/nesting';
import type { PlanNode } from '../pipeline/plan';
import type { DeploymentInput } from './deployment';

/** The built-in component that runs the `deployment` workflow instead of a pod or process. */
export const DEPLOY_COMPONENT = 'kubernetes-deploy';
const DEFAULT_ROLLOUT_TIMEOUT_MS = 10 * 60_000;

export function isDeployStep(node: PlanNode): boolean {
  return node.kind === 'uses' && node.uses?.name === DEPLOY_COMPONENT;
}

/**
 * `with:` of a kubernetes-deploy step, rendered: `manifests` (YAML, one or more documents),
 * optional `namespace` and `timeout`; the cluster is the step's first service. Throws with a
 * message for the step when something is wrong. Manifests are small, so parsing them here is cheap.
 */
export function deploymentInput(
  node: PlanNode,
  data: Record<string, string>,
  project?: string,
  /** false replays histories recorded before the nesting bound (patch in interpreter.ts) */
  boundNesting = true,
): DeploymentInput {
  const source = data.manifests;
  if (!source?.trim())
    throw new Error(`${DEPLOY_COMPONENT} needs with.manifests: the Kubernetes manifests as YAML`);
  // before the recursive parser: a stack overflow in it can abort the whole worker process
  if (boundNesting && scanNesting(source, MAX_MANIFEST_DEPTH))
    throw new Error(`with.manifests is nested deeper than ${MAX_MANIFEST_DEPTH} levels`);
  const manifests: object[] = [];
  for (const doc of parseAllDocuments(source)) {
    if (doc.errors.length) throw new Error(`with.manifests is not valid YAML: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value))
      throw new Error('with.manifests: every document must be a mapping');
    manifests.push(value);
  }
  if (manifests.length === 0) throw new Error('with.manifests holds no manifest');
  const timeout = data.timeout ? parseDuration(data.timeout) : DEFAULT_ROLLOUT_TIMEOUT_MS;
  if (timeout === undefined)
    throw new Error(`with.timeout: ${JSON.stringify(data.timeout)} is not a duration`);
  return {
    manifests,
    namespace: data.namespace || node.pod?.namespace || 'default',
    rolloutTimeoutMs: timeout,
    // `project/service`: the activities resolve the service's kubeconfig (never a secret in here)
    cluster: node.services[0] && project ? `${project}/${node.services[0]}` : node.services[0],
  };
}
