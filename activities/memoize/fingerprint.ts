import crypto from 'node:crypto';
import { findOutputRefs, parseOutputRef } from '../../contract/output-refs';
import { hasMarker } from '../../pipeline/secrets';
import type { RunStepInput } from '../../contract';

/** One thing that decides a step's result, as the run JSON shows it: a name and a digest, never a value. */
export interface FingerprintInput {
  name: string;
  digest: string;
  /** the digest is keyed (HMAC): a secret's digest must not let anyone guess the secret */
  secret?: true;
}

export interface Fingerprint {
  digest: string;
  inputs: FingerprintInput[];
}

/** What the step activity knows of a step once its component is resolved and its secrets injected. */
export interface FingerprintFacts {
  /** the input as the workflow sent it: templates rendered, secrets still as markers */
  input: RunStepInput;
  /** `name@version` of the component, or undefined for `run:` steps */
  component?: string;
  image?: string;
  /** env after secret injection: where a marker stood, the secret's value */
  resolvedEnv: Record<string, string>;
  /** a value with its secret markers swapped for the secrets' values (`with:` values) */
  resolveSecrets: (value: string) => string;
  /** digests of the input artifacts, by name */
  artifactDigests: Record<string, string>;
  /** keys the HMAC of secret values */
  secretKey: Buffer;
}

const sha256 = (s: string) => `sha256:${crypto.createHash('sha256').update(s).digest('hex')}`;

/** A large output reference names the run that stored it: only its content (digest) decides a result. */
function stable(value: string): string {
  let out = value;
  for (const ref of findOutputRefs(value)) out = out.split(ref).join(parseOutputRef(ref)?.digest ?? ref);
  return out;
}

/** Env names that change with every run or attempt and decide nothing about the result. */
const VOLATILE_ENV = /^(CO_RUN_ID|CO_STEP_ID|CO_ATTEMPT|CO_ATTEMPT_ID|CO_MATRIX_KEY)$/;

/**
 * The fingerprint of a step: sha256 over what decides its result — component and image, script,
 * env and `with:` after interpolation (secrets by keyed digest), matrix values, input artifact
 * digests, upstream outputs (through the templates that read them), declared outputs and services.
 */
export function stepFingerprint(f: FingerprintFacts): Fingerprint {
  const { input } = f;
  const inputs: FingerprintInput[] = [];
  const add = (name: string, value: string) => inputs.push({ name, digest: sha256(stable(value)) });
  // a secret enters by its value, keyed: a new value runs the step again, the digest reveals nothing
  const addSecret = (name: string, resolved: string) => {
    const digest = crypto.createHmac('sha256', f.secretKey).update(resolved).digest('hex');
    inputs.push({ name, digest: `hmac-sha256:${digest}`, secret: true });
  };
  add('step', input.stepId);
  add('component', f.component ?? 'run');
  if (f.image !== undefined) add('image', f.image);
  if (input.script !== undefined) add('script', input.script);
  for (const [name, value] of Object.entries(input.env).sort(([a], [b]) => a.localeCompare(b))) {
    if (VOLATILE_ENV.test(name)) continue;
    if (hasMarker(value)) addSecret(`env.${name}`, f.resolvedEnv[name] ?? f.resolveSecrets(value));
    else add(`env.${name}`, value);
  }
  for (const [name, value] of Object.entries(input.data).sort(([a], [b]) => a.localeCompare(b))) {
    if (hasMarker(value)) addSecret(`with.${name}`, f.resolveSecrets(stable(value)));
    else add(`with.${name}`, value);
  }
  for (const [axis, value] of Object.entries(input.matrix ?? {})) add(`matrix.${axis}`, value);
  for (const [name, digest] of Object.entries(f.artifactDigests)) {
    inputs.push({ name: `artifact.${name}`, digest });
  }
  add('artifacts.out', JSON.stringify(input.artifacts?.out ?? []));
  if (input.services.length) add('services', JSON.stringify(input.services));
  const digest = sha256(JSON.stringify(inputs.map((i) => [i.name, i.digest])));
  return { digest, inputs };
}
