import { z } from 'zod';
import type { PathSegment, PipelineError } from './errors';
import type { SourceMap } from './parse';

/**
 * The ContainerOps flow format as real flows (2017-2018) wrote it. Parsing is as lenient as
 * the original engine where real files depend on it: unknown keys and the run state the old
 * engine wrote back become warnings, empty list entries (`-` alone) are allowed and skipped.
 */

const scalar = z.union([z.string(), z.number(), z.boolean()]);
/** Original flows count timeouts in seconds (0 = none); durations such as 15m are accepted too. */
const timeout = z.union([z.number().int().nonnegative(), z.string()]);
const quantity = z.union([z.string().min(1), z.number().nonnegative()]);
/** `- NAME: value` entries (the original's form) or a plain mapping; an empty value is ''. */
const environments = z.union([
  z.array(z.record(z.string(), scalar.nullable()).nullable()),
  z.record(z.string(), scalar.nullable()),
]);

export const flowJobSchema = z.strictObject({
  type: z.literal('component'),
  name: z.string().min(1).optional(),
  title: z.string().optional(),
  endpoint: z.string().min(1).optional(),
  /** a manifest path or URL: the job applies it (delete, then create) in the flow's namespace */
  kubectl: z.string().nullable().optional(),
  timeout: timeout.optional(),
  resources: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
  environments: environments.optional(),
  outputs: z.array(z.string().min(1)).optional(),
  /** the 2017 dialect's spelling of `outputs` */
  output: z.array(z.string().min(1)).optional(),
  subscriptions: z.array(z.record(z.string(), z.string()).nullable()).optional(),
});

export const flowActionSchema = z.strictObject({
  name: z.string().min(1),
  title: z.string().optional(),
  jobs: z.array(flowJobSchema.nullable()).optional(),
});

export const flowStageSchema = z.strictObject({
  type: z.enum(['start', 'normal', 'pause', 'end']),
  name: z.string().min(1),
  title: z.string().optional(),
  sequencing: z.enum(['sequence', 'parallel']).optional(),
  actions: z.array(flowActionSchema.nullable()).optional(),
  approvers: z.array(z.string().min(1)).optional(),
  timeout: timeout.optional(),
});

export const flowReceiverSchema = z.strictObject({
  type: z.literal('mail'),
  address: z.email(),
});

/** A ContainerOps flow document (the original project's format). */
export const flowSchema = z.strictObject({
  uri: z
    .string()
    .regex(
      /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/,
      'must be namespace/repository/name',
    )
    .optional(),
  /** the 2017 dialect's `<namespace>/<flow>/<run-number>` in place of `uri` */
  name: z.string().min(1).optional(),
  title: z.string().optional(),
  version: z.union([z.string(), z.number()]).optional(),
  tag: z.string().optional(),
  timeout: timeout.optional(),
  /** Kubernetes namespace of the flow's `kubectl:` jobs (default `default`) */
  namespace: z.string().min(1).optional(),
  /** (ours) a registered kubernetes-cluster service the `kubectl:` jobs apply to (default: the worker's cluster) */
  cluster: z.string().min(1).optional(),
  /** (ours) a registered smtp service the `receivers` are mailed through (default: the worker's CO_SMTP_URL) */
  smtp: z.string().min(1).optional(),
  environments: environments.optional(),
  receivers: z.array(flowReceiverSchema.nullable()).optional(),
  stages: z.array(flowStageSchema.nullable()).min(1),
});

export type FlowDocument = z.infer<typeof flowSchema>;
export type FlowStage = z.infer<typeof flowStageSchema>;
export type FlowAction = z.infer<typeof flowActionSchema>;
export type FlowJob = z.infer<typeof flowJobSchema>;
export type FlowEnvironments = z.infer<typeof environments>;

/** Fields the original engine wrote back into the flow while it ran; never inputs. */
const RUN_STATE = new Set(['number', 'status', 'logs']);

type Warn = (path: PathSegment[], message: string) => void;

/**
 * A copy of the document without the keys the schema does not know, each reported as a
 * warning at its key, so the strict schema then checks only what we honour. Lists keep their
 * indices (empty entries stay null), so paths in later errors point at the source.
 */
export function withoutUnknownKeys(
  doc: Record<string, unknown>,
  map: SourceMap,
): {
  doc: Record<string, unknown>;
  warnings: PipelineError[];
} {
  const warnings: PipelineError[] = [];
  const warn: Warn = (path, message) => warnings.push(map.error(path, message, map.locateKey(path)));
  const out = known(doc, flowSchema, [], warn);
  if (typeof out.uri === 'string' && out.name !== undefined) {
    warn(['name'], '"name" is the 2017 spelling of "uri"; "uri" is used and "name" ignored');
    delete out.name;
  }
  out.stages = mapList(out.stages, ['stages'], (stage, path) => {
    const s = known(stage, flowStageSchema, path, warn);
    s.actions = mapList(s.actions, [...path, 'actions'], (action, apath) => {
      const a = known(action, flowActionSchema, apath, warn);
      a.jobs = mapList(a.jobs, [...apath, 'jobs'], (job, jpath) => {
        const j = known(job, flowJobSchema, jpath, warn);
        if (isRecord(j.resources))
          j.resources = known(j.resources, resourcesSchema, [...jpath, 'resources'], warn);
        return j;
      });
      return a;
    });
    return s;
  });
  out.receivers = mapList(out.receivers, ['receivers'], (receiver, path) => {
    if (receiver.type !== undefined && receiver.type !== 'mail') {
      warn(
        [...path, 'type'],
        `receiver type ${JSON.stringify(receiver.type)} is not supported (only mail); ignored`,
      );
      return null;
    }
    return known(receiver, flowReceiverSchema, path, warn);
  });
  return { doc: out, warnings };
}

const resourcesSchema = flowJobSchema.shape.resources.unwrap();

function known(
  value: Record<string, unknown>,
  schema: { shape: Record<string, unknown> },
  path: PathSegment[],
  warn: Warn,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key in schema.shape) out[key] = v;
    else if (RUN_STATE.has(key))
      warn([...path, key], `"${key}" is run state the original engine wrote back; ignored`);
    else warn([...path, key], `unknown key "${key}"; ignored`);
  }
  return out;
}

/** Applies `f` to each mapping of a list; anything else is left for the schema to judge. */
function mapList(
  value: unknown,
  path: PathSegment[],
  f: (entry: Record<string, unknown>, path: PathSegment[]) => Record<string, unknown> | null,
): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((entry, i) => (isRecord(entry) ? f(entry, [...path, i]) : entry));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
