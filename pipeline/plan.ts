import { z } from 'zod';
import { planCacheSchema } from './cache';
import { planMemoizeSchema } from './memoize';
import { planSidecarSchema } from './sidecars';
import { tolerationSchema } from './pod';
import { planConcurrencySchema, planTriggersSchema } from './triggers';

const stringRecord = z.record(z.string(), z.string());
const quantity = z.string();
const resources = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() });

export const planPodSchema = z.strictObject({
  namespace: z.string().optional(),
  resources: z.strictObject({ requests: resources.optional(), limits: resources.optional() }).optional(),
  nodeSelector: stringRecord.optional(),
  tolerations: z.array(tolerationSchema).optional(),
  serviceAccountName: z.string().optional(),
  imagePullSecrets: z.array(z.string()).optional(),
});

export const planNodeSchema = z.strictObject({
  id: z.string(),
  needs: z.array(z.string()),
  kind: z.enum(['run', 'uses', 'approval']),
  /** `run:` script with every `${{ }}` replaced by `${CO_EXPR_n}`. */
  script: z.string().optional(),
  /** CO_EXPR_n -> CEL source (without the `${{ }}` wrapper). */
  exprEnv: stringRecord,
  /** `version` is the one the range resolved to when the pipeline version was saved. */
  uses: z.strictObject({ name: z.string(), range: z.string(), version: z.string().optional() }).optional(),
  image: z.string().optional(),
  with: stringRecord,
  env: stringRecord,
  if: z.string().optional(),
  matrix: z.record(z.string(), z.array(z.string())).optional(),
  retry: z.strictObject({
    attempts: z.number().int().min(1),
    backoffMs: z.number().nonnegative(),
    factor: z.number().min(1),
    maxBackoffMs: z.number().nonnegative().optional(),
  }),
  timeoutMs: z.number().nonnegative().optional(),
  artifacts: z.strictObject({
    in: z.array(z.strictObject({ name: z.string(), from: z.string() })),
    out: z.array(z.strictObject({ name: z.string(), path: z.string() })),
  }),
  services: z.array(z.string()),
  runtime: z.enum(['local', 'container', 'kubernetes']).optional(),
  /** service containers started beside the step's (container runtime only) */
  sidecars: z.array(planSidecarSchema).optional(),
  continueOnError: z.boolean(),
  /** matrix steps: stop the other combinations once one fails (default: unless continueOnError) */
  failFast: z.boolean().optional(),
  /** matrix steps: most combinations at once (within the run's maxParallel) */
  maxParallel: z.number().int().min(1).optional(),
  approval: z
    .strictObject({ approvers: z.array(z.string()), timeoutMs: z.number().nonnegative().optional() })
    .optional(),
  pod: planPodSchema.optional(),
  cache: planCacheSchema.optional(),
  memoize: planMemoizeSchema.optional(),
  /** Source line of the step, for messages. */
  line: z.number().int().optional(),
});

/** The compiled, versioned, JSON-serialisable DAG the workflow interprets. */
export const executionPlanSchema = z.strictObject({
  version: z.literal(1),
  format: z.enum(['native', 'flow', 'github-actions', 'gitlab-ci']),
  name: z.string(),
  description: z.string().optional(),
  params: z.array(
    z.strictObject({
      name: z.string(),
      default: z.string().optional(),
      required: z.boolean(),
      description: z.string().optional(),
      secret: z.boolean().optional(),
    }),
  ),
  env: stringRecord,
  timeoutMs: z.number().nonnegative().optional(),
  maxParallel: z.number().int().min(1),
  /** `chainSteps:` of the document; absent: the platform's default when the run starts */
  chainSteps: z.boolean().optional(),
  /** Main steps in topological order. */
  nodes: z.array(planNodeSchema),
  /** Finally steps in declaration order. */
  finally: z.array(planNodeSchema),
  edges: z.array(z.strictObject({ from: z.string(), to: z.string() })),
  /** Flow `receivers`: who is mailed the result once the run has ended. */
  receivers: z.array(z.strictObject({ type: z.literal('mail'), address: z.string() })).optional(),
  /** The registered smtp service the receivers are mailed through; the worker's CO_SMTP_URL when absent. */
  receiversService: z.string().optional(),
  /** step id -> `name@x.y.z`: the component versions this plan is pinned to */
  components: z.record(z.string(), z.string()).optional(),
  /** `on:` of the document: webhook filters, schedules, upstream pipelines. */
  triggers: planTriggersSchema.optional(),
  /** `concurrency:`; the group is a template rendered when a run is triggered. */
  concurrency: planConcurrencySchema.optional(),
});

export type ExecutionPlan = z.infer<typeof executionPlanSchema>;
export type PlanNode = z.infer<typeof planNodeSchema>;
export type PlanPod = z.infer<typeof planPodSchema>;

/** Parses a stored plan; throws a ZodError when it does not match. */
export function validatePlan(plan: unknown): ExecutionPlan {
  return executionPlanSchema.parse(plan);
}
