/**
 * Validation of what the runtime sends, against the official Kubernetes OpenAPI schemas
 * (kubernetes-models compiles them to validators), plus the name and label rules the API
 * server checks in code. Returns every problem found.
 */
import type { KubeObject } from './store';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** The relaxed rule, on by default since v1.34: printable ASCII except '='. */
const ENV_NAME = /^[\x20-\x3c\x3e-\x7e]+$/;

type Validator = { validate(): void };
type ModelClass = new (data: unknown) => Validator;

function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  try {
    // kubernetes-models/<group>/<version>/<Kind>, core group without a prefix.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, ModelClass>;
    return mod[kind];
  } catch {
    return undefined;
  }
}

export function validateObject(obj: KubeObject): string[] {
  const errors: string[] = [];
  const Model = modelFor(obj.apiVersion, obj.kind);
  if (!Model) errors.push(`no schema for ${obj.apiVersion} ${obj.kind}`);
  else {
    try {
      new Model(obj).validate();
    } catch (err) {
      errors.push(`schema: ${(err as Error).message}`);
    }
  }
  const meta = obj.metadata ?? {};
  if (!meta.name || meta.name.length > 253 || !DNS1123_SUBDOMAIN.test(meta.name)) {
    errors.push(`metadata.name: Invalid value: "${meta.name}": must be a lowercase RFC 1123 subdomain`);
  }
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    if (!validKey(k)) errors.push(`metadata.labels: Invalid key: "${k}"`);
    if (v.length > 63 || !LABEL_VALUE.test(v)) errors.push(`metadata.labels: Invalid value: "${v}"`);
  }
  for (const k of Object.keys(meta.annotations ?? {}))
    if (!validKey(k)) errors.push(`metadata.annotations: Invalid key: "${k}"`);
  const podSpec = obj.kind === 'Pod' ? obj.spec : obj.spec?.template?.spec;
  if (podSpec) errors.push(...validatePodSpec(podSpec, obj.kind === 'Pod' ? 'spec' : 'spec.template.spec'));
  return errors;
}

function validKey(key: string): boolean {
  const [prefix, name] = key.includes('/') ? key.split('/', 2) : [undefined, key];
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return false;
  return !!name && name.length <= 63 && QUALIFIED_NAME.test(name);
}

function validatePodSpec(spec: any, path: string): string[] {
  const errors: string[] = [];
  if (spec.restartPolicy && !['Always', 'OnFailure', 'Never'].includes(spec.restartPolicy)) {
    errors.push(`${path}.restartPolicy: Unsupported value: "${spec.restartPolicy}"`);
  }
  (spec.containers ?? []).forEach((c: any, i: number) => {
    if (!DNS1123_LABEL.test(c.name ?? ''))
      errors.push(`${path}.containers[${i}].name: Invalid value: "${c.name}"`);
    if (!c.image) errors.push(`${path}.containers[${i}].image: Required value`);
    (c.env ?? []).forEach((e: any, j: number) => {
      if (!ENV_NAME.test(e.name ?? ''))
        errors.push(
          `${path}.containers[${i}].env[${j}].name: Invalid value: "${e.name}": a valid environment variable name must consist only of printable ASCII characters other than '='`,
        );
    });
    const policy = c.terminationMessagePolicy;
    if (policy && !['File', 'FallbackToLogsOnError'].includes(policy)) {
      errors.push(`${path}.containers[${i}].terminationMessagePolicy: Unsupported value: "${policy}"`);
    }
  });
  return errors;
}
