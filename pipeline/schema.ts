import { z } from 'zod';
import { cacheSchema } from './cache';
import { memoizeSchema } from './memoize';
import { sidecarsSchema } from './sidecars';
import { tolerationSchema } from './pod';
import { DURATION_SYNTAX, durationMessage, parseDuration } from './duration';
import { concurrencySchema, onSchema } from './triggers';

/** Step ids and pipeline names: lowercase, starts with a letter, at most 63 characters. */
export const ID_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const QUANTITY = /^\d+(\.\d+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/;

const id = z.string().regex(ID_PATTERN, 'must match [a-z][a-z0-9-]{0,62}');
const name = z
  .string()
  .regex(NAME_PATTERN, 'must be a letter or underscore followed by letters, digits, underscores');
const durationError = (issue: { input?: unknown }) =>
  issue.input === undefined ? undefined : durationMessage(String(issue.input));
const duration = z
  .string({ error: durationError })
  .regex(DURATION_SYNTAX, { error: durationError })
  .refine((s) => parseDuration(s) !== undefined, { error: durationError })
  .describe('duration such as 90s, 15m, 2h, 1h30m, 500ms, 1d');
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const stringMap = z.record(z.string(), scalar);
const quantity = z.union([
  z.string().regex(QUANTITY, 'must be a Kubernetes quantity such as 500m, 2, 4Gi'),
  z.number().nonnegative(),
]);

const resourceList = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() });

export const podSchema = z.strictObject({
  namespace: id.optional(),
  resources: z
    .strictObject({ requests: resourceList.optional(), limits: resourceList.optional() })
    .optional(),
  nodeSelector: z.record(z.string(), z.string()).optional(),
  tolerations: z.array(tolerationSchema).optional(),
  serviceAccountName: z.string().min(1).optional(),
  imagePullSecrets: z.array(z.string().min(1)).optional(),
});

export const stepSchema = z.strictObject({
  id,
  needs: z.array(z.string()).optional(),
  uses: z.string().min(1).optional(),
  run: z.string().min(1).optional(),
  approval: z
    .strictObject({ approvers: z.array(z.string().min(1)).min(1), timeout: duration.optional() })
    .optional(),
  image: z.string().min(1).optional(),
  with: stringMap.optional(),
  env: stringMap.optional(),
  if: z.string().min(1).optional(),
  matrix: z
    .record(z.string().regex(NAME_PATTERN, 'matrix axis names must be identifiers'), z.array(scalar))
    .optional(),
  retry: z
    .strictObject({
      attempts: z.number().int().min(1).max(100).optional(),
      backoff: duration.optional(),
      factor: z.number().min(1).max(10).optional(),
      maxBackoff: duration.optional(),
    })
    .optional(),
  timeout: duration.optional(),
  artifacts: z
    .strictObject({
      in: z.array(z.strictObject({ name: z.string().min(1), from: z.string() })).optional(),
      out: z.array(z.strictObject({ name: z.string().min(1), path: z.string().min(1) })).optional(),
    })
    .optional(),
  services: z.array(z.string().min(1)).optional(),
  runtime: z.enum(['local', 'container', 'kubernetes']).optional(),
  /** service containers beside the step's container (pipeline/sidecars.ts) */
  sidecars: sidecarsSchema.optional(),
  continueOnError: z.boolean().optional(),
  pod: podSchema.optional(),
  /** restored before the step, saved after it succeeds (pipeline/cache.ts) */
  cache: cacheSchema.optional(),
  /** reuse a successful attempt with the same fingerprint instead of running (activities/memoize) */
  memoize: memoizeSchema.optional(),
});

export const paramSchema = z.strictObject({
  name,
  default: scalar.optional(),
  description: z.string().optional(),
  required: z.boolean().optional(),
  /** stored sealed, masked in logs, resolved only inside the step activity */
  secret: z.boolean().optional(),
});

/** The native pipeline document, `apiVersion: containerops/v1`, `kind: Pipeline`. */
export const pipelineSchema = z.strictObject({
  apiVersion: z.literal('containerops/v1'),
  kind: z.literal('Pipeline'),
  name: id,
  description: z.string().optional(),
  params: z.array(paramSchema).optional(),
  env: stringMap.optional(),
  timeout: duration.optional(),
  maxParallel: z.number().int().min(1).max(1000).optional(),
  /** run consecutive plain steps of a linear pipeline in one activity; unset: the platform's CO_CHAIN_STEPS */
  chainSteps: z.boolean().optional(),
  steps: z.array(stepSchema).min(1),
  finally: z.array(stepSchema).optional(),
  on: onSchema.optional(),
  concurrency: concurrencySchema.optional(),
  /** `memoize:` for every step that does not set its own */
  memoize: memoizeSchema.optional(),
});

export type PipelineDocument = z.infer<typeof pipelineSchema>;
export type StepDocument = z.infer<typeof stepSchema>;
export type PodDocument = z.infer<typeof podSchema>;

/** JSON Schema (draft 2020-12) of the native format, for editors and docs. */
export function pipelineJsonSchema(): object {
  return z.toJSONSchema(pipelineSchema, { target: 'draft-2020-12' });
}
