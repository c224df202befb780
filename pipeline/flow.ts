import { z } from 'zod';
import { durationMessage, parseDuration } from './duration';
import type { PathSegment, PipelineError } from './errors';
import { topologicalOrder } from './graph';
import type { SourceMap } from './parse';
import type { ExecutionPlan, PlanNode } from './plan';
import { ID_PATTERN } from './schema';
import { schemaErrors } from './schema-errors';

/** Most jobs one flow may declare, the same cap as native steps. */
const MAX_FLOW_JOBS = 2000;
/** Who may resume a `pause` stage when the flow names nobody. */
export const DEFAULT_PAUSE_APPROVERS = ['role:maintainer'];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SUBSCRIPTION = /^([^.[\]]+)\.([^.[\]]+)\.([^.[\]]+)\[([^\]]+)\]$/;
const scalar = z.union([z.string(), z.number(), z.boolean()]);
/** Original flows count timeouts in seconds (0 = none); durations such as 15m are accepted too. */
const timeout = z.union([z.number().int().nonnegative(), z.string()]);
const quantity = z.union([z.string().min(1), z.number().nonnegative()]);

const jobSchema = z.strictObject({
  type: z.literal('component'),
  name: z.string().min(1).optional(),
  title: z.string().optional(),
  endpoint: z.string().min(1),
  timeout: timeout.optional(),
  resources: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
  environments: z.array(z.record(z.string(), scalar)).optional(),
  outputs: z.array(z.string().min(1)).optional(),
  subscriptions: z.array(z.record(z.string(), z.string())).optional(),
});

const actionSchema = z.strictObject({
  name: z.string().min(1),
  title: z.string().optional(),
  jobs: z.array(jobSchema).min(1),
});

const stageSchema = z.strictObject({
  type: z.enum(['start', 'normal', 'pause', 'end']),
  name: z.string().min(1),
  title: z.string().optional(),
  sequencing: z.enum(['sequence', 'parallel']).optional(),
  actions: z.array(actionSchema).optional(),
  approvers: z.array(z.string().min(1)).optional(),
  timeout: timeout.optional(),
});

/** A ContainerOps flow document (the original project's format). */
export const flowSchema = z.strictObject({
  uri: z
    .string()
    .regex(
      /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/,
      'must be namespace/repository/name',
    ),
  title: z.string().optional(),
  version: z.union([z.string(), z.number()]).optional(),
  tag: z.string().optional(),
  timeout: timeout.optional(),
  stages: z.array(stageSchema).min(1),
});

export type FlowDocument = z.infer<typeof flowSchema>;
type FlowJob = z.infer<typeof jobSchema>;

export function isFlowDocument(doc: Record<string, unknown>): boolean {
  return 'uri' in doc && 'stages' in doc;
}

interface JobRef {
  id: string;
  job: FlowJob;
  path: PathSegment[];
  stage: number;
}

type FlowResult = { ok: true; plan: ExecutionPlan } | { ok: false; errors: PipelineError[] };

export function compileFlow(value: Record<string, unknown>, map: SourceMap): FlowResult {
  const declared = countJobs(value);
  if (declared > MAX_FLOW_JOBS) {
    return {
      ok: false,
      errors: [map.error(['stages'], `too many jobs: ${declared} declared, at most ${MAX_FLOW_JOBS}`)],
    };
  }
  const parsed = flowSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: schemaErrors(parsed.error, map) };
  const doc = parsed.data;
  const errors: PipelineError[] = [];
  const err = (path: PathSegment[], message: string) => errors.push(map.error(path, message));

  const needs = new Map<string, string[]>();
  const nodes = new Map<string, PlanNode>();
  const jobs = new Map<string, JobRef>();
  const claim = (raw: string, path: PathSegment[], what: string): string | undefined => {
    const id = sanitiseId(raw);
    if (nodes.has(id)) {
      err(path, `step id "${id}" of ${what} is already used by another job or stage`);
      return undefined;
    }
    return id;
  };

  let previous: string[] = [];
  doc.stages.forEach((stage, s) => {
    const stagePath: PathSegment[] = ['stages', s];
    if ((stage.type === 'start' || stage.type === 'end' || stage.type === 'pause') && stage.actions?.length) {
      err([...stagePath, 'actions'], `a ${stage.type} stage cannot have actions`);
    }
    if (stage.type !== 'pause' && (stage.approvers || stage.timeout !== undefined)) {
      err(stagePath, `approvers and timeout apply to pause stages only`);
    }
    if (stage.type === 'start' && s !== 0) err([...stagePath, 'type'], 'the start stage must come first');
    if (stage.type === 'end' && s !== doc.stages.length - 1)
      err([...stagePath, 'type'], 'the end stage must come last');
    if (stage.type === 'start' || stage.type === 'end') return;
    if (stage.type === 'pause') {
      const id = claim(stage.name, [...stagePath, 'name'], `pause stage "${stage.name}"`);
      if (!id) return;
      const timeoutMs = flowTimeout(stage.timeout, [...stagePath, 'timeout'], err);
      needs.set(id, [...previous]);
      nodes.set(id, {
        ...emptyNode(id, [...previous], 'approval', map.locate(stagePath).line),
        approval:
          timeoutMs === undefined
            ? { approvers: stage.approvers ?? DEFAULT_PAUSE_APPROVERS }
            : { approvers: stage.approvers ?? DEFAULT_PAUSE_APPROVERS, timeoutMs },
      });
      previous = [id];
      return;
    }
    if (!stage.actions?.length) {
      err(stagePath, `normal stage "${stage.name}" has no actions`);
      return;
    }
    const terminals: string[] = [];
    let chainFrom = previous;
    stage.actions.forEach((action, a) => {
      let before = stage.sequencing === 'parallel' ? previous : chainFrom;
      action.jobs.forEach((job, j) => {
        const path: PathSegment[] = [...stagePath, 'actions', a, 'jobs', j];
        const id = claim(
          `${stage.name}-${action.name}-${job.name ?? j}`,
          path,
          `job ${stage.name}.${action.name}.${job.name ?? j}`,
        );
        if (!id) return;
        needs.set(id, [...before]);
        nodes.set(id, jobNode(id, [...before], job, path, map, err));
        const ref: JobRef = { id, job, path, stage: s };
        jobs.set(`${stage.name}.${action.name}.${job.name ?? j}`, ref);
        if (job.name !== undefined) jobs.set(`${stage.name}.${action.name}.${j}`, ref);
        before = [id];
      });
      if (stage.sequencing === 'parallel') terminals.push(...before);
      else chainFrom = before;
    });
    previous = stage.sequencing === 'parallel' ? terminals : chainFrom;
  });

  const errAtKey = (path: PathSegment[], message: string) =>
    errors.push(map.error(path, message, map.locateKey(path)));
  for (const ref of new Set(jobs.values())) wireSubscriptions(ref, jobs, needs, nodes, errAtKey);
  if (errors.length > 0) return { ok: false, errors };

  const declaredOrder = [...nodes.keys()];
  const order = topologicalOrder(declaredOrder, needs);
  const planNodes = order.map((id) => ({ ...nodes.get(id)!, needs: needs.get(id)! }));
  const timeoutMs = flowTimeout(doc.timeout, ['timeout'], err);
  if (errors.length > 0) return { ok: false, errors };
  const plan: ExecutionPlan = {
    version: 1,
    format: 'flow',
    name: sanitiseId(doc.uri.split('/')[2]!),
    params: [],
    env: {},
    maxParallel: 8,
    nodes: planNodes,
    finally: [],
    edges: planNodes.flatMap((n) => n.needs.map((from) => ({ from, to: n.id }))),
  };
  if (doc.title !== undefined) plan.description = doc.title;
  if (timeoutMs !== undefined) plan.timeoutMs = timeoutMs;
  return { ok: true, plan };
}

function jobNode(
  id: string,
  needs: string[],
  job: FlowJob,
  path: PathSegment[],
  map: SourceMap,
  err: (path: PathSegment[], message: string) => void,
): PlanNode {
  const node = emptyNode(id, needs, 'run', map.locate(path).line);
  node.image = job.endpoint;
  (job.environments ?? []).forEach((entry, i) => {
    const keys = Object.keys(entry);
    if (keys.length !== 1)
      return err([...path, 'environments', i], 'each environment entry must be a single NAME: value');
    const name = keys[0]!;
    const value = String(entry[name]);
    if (!ENV_NAME.test(name))
      err([...path, 'environments', i, name], `invalid environment variable name "${name}"`);
    else if (name in node.env)
      err([...path, 'environments', i, name], `environment variable "${name}" is set twice`);
    if (value.includes('${{'))
      err([...path, 'environments', i, name], 'expressions are not supported in flow documents');
    node.env[name] = value;
  });
  const timeoutMs = flowTimeout(job.timeout, [...path, 'timeout'], err);
  if (timeoutMs !== undefined) node.timeoutMs = timeoutMs;
  if (job.resources && (job.resources.cpu !== undefined || job.resources.memory !== undefined)) {
    const requests: { cpu?: string; memory?: string } = {};
    if (job.resources.cpu !== undefined) requests.cpu = String(job.resources.cpu);
    if (job.resources.memory !== undefined) requests.memory = String(job.resources.memory);
    node.pod = { resources: { requests } };
  }
  return node;
}

/** Subscriptions become data edges: env NAME = the producer's output, producer made an ancestor. */
function wireSubscriptions(
  consumer: JobRef,
  jobs: Map<string, JobRef>,
  needs: Map<string, string[]>,
  nodes: Map<string, PlanNode>,
  err: (path: PathSegment[], message: string) => void,
): void {
  (consumer.job.subscriptions ?? []).forEach((entry, i) => {
    const at: PathSegment[] = [...consumer.path, 'subscriptions', i];
    const keys = Object.keys(entry);
    if (keys.length !== 1)
      return err(at, 'each subscription must be a single "stage.action.job[KEY]: ENVNAME" entry');
    const key = keys[0]!;
    const envName = entry[key]!;
    const match = SUBSCRIPTION.exec(key);
    if (!match) return err([...at, key], `subscription "${key}" must look like stage.action.job[KEY]`);
    const [, stage, action, job, output] = match;
    const producer = jobs.get(`${stage}.${action}.${job}`);
    if (!producer)
      return err([...at, key], `subscription "${key}" refers to unknown job "${stage}.${action}.${job}"`);
    if (!ENV_NAME.test(envName)) return err([...at, key], `invalid environment variable name "${envName}"`);
    const declared = producer.job.outputs;
    if (declared && declared.length > 0 && !declared.includes(output!)) {
      return err([...at, key], `job "${stage}.${action}.${job}" does not declare output "${output}"`);
    }
    const node = nodes.get(consumer.id)!;
    if (envName in node.env) return err([...at, key], `environment variable "${envName}" is set twice`);
    const own = needs.get(consumer.id)!;
    if (producer.stage < consumer.stage) {
      if (!own.includes(producer.id)) own.push(producer.id);
    } else if (producer.id === consumer.id || !isAncestor(producer.id, consumer.id, needs)) {
      return err(
        [...at, key],
        `subscription "${key}": job "${producer.id}" does not run before "${consumer.id}" (it must be in an earlier stage, an earlier action of a sequence stage, or earlier in the same action)`,
      );
    }
    node.env[envName] = `\${{ ${outputReference(producer.id, output!)} }}`;
  });
}

/** `steps['build-app'].outputs.KEY`: ids with dashes need CEL's index syntax. */
export function outputReference(stepId: string, key: string): string {
  const part = (name: string) =>
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
  return `steps${part(stepId)}.outputs${part(key)}`;
}

function isAncestor(candidate: string, of: string, needs: Map<string, string[]>): boolean {
  const seen = new Set<string>();
  const stack = [...(needs.get(of) ?? [])];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === candidate) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(needs.get(id) ?? []));
  }
  return false;
}

function flowTimeout(
  value: number | string | undefined,
  path: PathSegment[],
  err: (path: PathSegment[], message: string) => void,
): number | undefined {
  if (value === undefined || value === 0) return undefined;
  if (typeof value === 'number') return value * 1000;
  const ms = parseDuration(value);
  if (ms === undefined) err(path, durationMessage(value));
  return ms;
}

function emptyNode(id: string, needs: string[], kind: PlanNode['kind'], line: number): PlanNode {
  return {
    id,
    needs,
    kind,
    exprEnv: {},
    with: {},
    env: {},
    retry: { attempts: 1, backoffMs: 1000, factor: 2 },
    artifacts: { in: [], out: [] },
    services: [],
    continueOnError: false,
    line,
  };
}

/** Lowercases and replaces anything outside [a-z0-9-] so flow names become valid step ids. */
export function sanitiseId(raw: string): string {
  let id = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(id)) id = `s-${id}`.replace(/-+$/, '');
  id = id.slice(0, 63).replace(/-+$/, '');
  return ID_PATTERN.test(id) ? id : 's';
}

function countJobs(value: Record<string, unknown>): number {
  let count = 0;
  for (const stage of asArray(value.stages)) {
    for (const action of asArray((stage as { actions?: unknown })?.actions)) {
      count += asArray((action as { jobs?: unknown })?.jobs).length;
    }
  }
  return count;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
