import { durationMessage, parseDuration } from './duration';
import type { PathSegment, PipelineError } from './errors';
import { FlowIds, sanitiseId } from './flow-ids';
import {
  flowSchema,
  withoutUnknownKeys,
  type FlowDocument,
  type FlowEnvironments,
  type FlowJob,
} from './flow-schema';
import { ancestorIndex, topologicalOrder, type AncestorIndex } from './graph';
import type { SourceMap } from './parse';
import type { ExecutionPlan, PlanNode } from './plan';
import { schemaErrors } from './schema-errors';

/** Most jobs one flow may declare, the same cap as native steps. */
const MAX_FLOW_JOBS = 2000;
/** Who may resume a `pause` stage when the flow names nobody. */
export const DEFAULT_PAUSE_APPROVERS = ['role:maintainer'];
/** The component a `kubectl:` job runs, and the namespace the original defaulted to. */
export const KUBECTL_COMPONENT = { name: 'kubernetes-apply', range: '^1' };
export const DEFAULT_FLOW_NAMESPACE = 'default';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `stage.action.job[KEY]`, or a shorter suffix of it (`action[KEY]`, `job[KEY]`). */
const SUBSCRIPTION = /^([^[\]]+)\[([^\]]+)\]$/;

/** Any document with `stages:` is a flow, whatever else it has (2017 flows have no `uri`). */
export function isFlowDocument(doc: Record<string, unknown>): boolean {
  return 'stages' in doc;
}

interface JobRef {
  id: string;
  job: FlowJob;
  path: PathSegment[];
  stage: number;
  /** every name a subscription may use for this job */
  names: string[];
}

type Report = (path: PathSegment[], message: string) => void;

export type FlowResult =
  | { ok: true; plan: ExecutionPlan; warnings: PipelineError[] }
  | { ok: false; errors: PipelineError[]; warnings: PipelineError[] };

export function compileFlow(value: Record<string, unknown>, map: SourceMap): FlowResult {
  const declared = countJobs(value);
  if (declared > MAX_FLOW_JOBS) {
    const errors = [map.error(['stages'], `too many jobs: ${declared} declared, at most ${MAX_FLOW_JOBS}`)];
    return { ok: false, errors, warnings: [] };
  }
  const cleaned = withoutUnknownKeys(value, map);
  const warnings = cleaned.warnings;
  const warn: Report = (path, message) => warnings.push(map.error(path, message));
  const parsed = flowSchema.safeParse(cleaned.doc, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: schemaErrors(parsed.error, map), warnings };
  const doc = parsed.data;
  const errors: PipelineError[] = [];
  const err: Report = (path, message) => errors.push(map.error(path, message));

  const name = flowName(doc, err);
  const usesNamespace = doc.stages.some((s) => s?.actions?.some((a) => a?.jobs?.some((j) => j?.kubectl)));
  if (doc.namespace !== undefined && !usesNamespace)
    warn(['namespace'], 'namespace applies to kubectl jobs only, and this flow has none; ignored');
  const namespace = doc.namespace ?? DEFAULT_FLOW_NAMESPACE;
  if (doc.cluster !== undefined && !usesNamespace)
    warn(['cluster'], 'cluster applies to kubectl jobs only, and this flow has none; ignored');
  const hasReceivers = (doc.receivers ?? []).some((r) => r !== null);
  if (doc.smtp !== undefined && !hasReceivers)
    warn(['smtp'], 'smtp applies to receivers only, and this flow has none; ignored');

  const ids = new FlowIds();
  const needs = new Map<string, string[]>();
  const nodes = new Map<string, PlanNode>();
  const jobs: JobRef[] = [];
  const stages = doc.stages.flatMap((stage, s) => (stage ? [{ stage, s }] : []));
  doc.stages.forEach((stage, s) => {
    if (stage === null) warn(['stages', s], 'empty stage entry; skipped');
  });

  let previous: string[] = [];
  stages.forEach(({ stage, s }, position) => {
    const stagePath: PathSegment[] = ['stages', s];
    if ((stage.type === 'start' || stage.type === 'end' || stage.type === 'pause') && stage.actions?.length) {
      err([...stagePath, 'actions'], `a ${stage.type} stage cannot have actions`);
    }
    if (stage.type !== 'pause' && (stage.approvers || stage.timeout !== undefined)) {
      err(stagePath, `approvers and timeout apply to pause stages only`);
    }
    if (stage.type === 'start' && position !== 0)
      err([...stagePath, 'type'], 'the start stage must come first');
    if (stage.type === 'end' && position !== stages.length - 1)
      err([...stagePath, 'type'], 'the end stage must come last');
    if (stage.type === 'start' || stage.type === 'end') return;
    if (stage.type === 'pause') {
      const id = ids.claim(stage.name);
      const timeoutMs = flowTimeout(stage.timeout, [...stagePath, 'timeout'], err);
      needs.set(id, [...previous]);
      const approvers = stage.approvers ?? DEFAULT_PAUSE_APPROVERS;
      nodes.set(id, {
        ...emptyNode(id, [...previous], 'approval', map.locate(stagePath).line),
        approval: timeoutMs === undefined ? { approvers } : { approvers, timeoutMs },
      });
      previous = [id];
      return;
    }
    const actions = (stage.actions ?? []).flatMap((action, a) => {
      if (action === null) warn([...stagePath, 'actions', a], 'empty action entry; skipped');
      return action ? [{ action, a }] : [];
    });
    if (actions.length === 0) {
      warn(stagePath, `normal stage "${stage.name}" has no actions; it does nothing`);
      return;
    }
    const terminals: string[] = [];
    let chainFrom = previous;
    for (const { action, a } of actions) {
      const actionPath: PathSegment[] = [...stagePath, 'actions', a];
      let before = stage.sequencing === 'parallel' ? previous : chainFrom;
      const actionJobs = action.jobs ?? [];
      if (actionJobs.every((j) => j === null))
        warn(actionPath, `action "${action.name}" has no jobs; it does nothing`);
      const single = actionJobs.filter((j) => j !== null).length === 1;
      actionJobs.forEach((job, j) => {
        const path: PathSegment[] = [...actionPath, 'jobs', j];
        if (job === null) return warn(path, 'empty job entry; skipped');
        const id = ids.claim(`${stage.name}-${action.name}-${job.name ?? j}`);
        needs.set(id, [...before]);
        nodes.set(
          id,
          jobNode(id, [...before], job, path, { namespace, cluster: doc.cluster }, map, { err, warn }),
        );
        jobs.push({ id, job, path, stage: s, names: jobNames(stage.name, action.name, job.name, j, single) });
        before = [id];
      });
      if (stage.sequencing === 'parallel') terminals.push(...before);
      else chainFrom = before;
    }
    previous = stage.sequencing === 'parallel' ? terminals : chainFrom;
  });

  const errAtKey: Report = (path, message) => errors.push(map.error(path, message, map.locateKey(path)));
  // indexes built once: a scan per subscription (by name, then by ancestry) was cubic in the jobs
  const jobsByName = new Map<string, JobRef[]>();
  for (const ref of jobs) {
    for (const name of new Set(ref.names)) {
      const list = jobsByName.get(name);
      if (list) list.push(ref);
      else jobsByName.set(name, [ref]);
    }
  }
  // subscriptions add needs on earlier stages only, which never changes ancestry within a stage
  const ancestry = ancestorIndex([...nodes.keys()], needs);
  for (const ref of jobs) wireSubscriptions(ref, { jobsByName, ancestry }, needs, nodes, errAtKey);
  const env = environmentsOf(doc.environments, ['environments'], err);
  const timeoutMs = flowTimeout(doc.timeout, ['timeout'], err);
  if (errors.length > 0) return { ok: false, errors, warnings };

  const order = topologicalOrder([...nodes.keys()], needs);
  const planNodes = order.map((id) => ({ ...nodes.get(id)!, needs: needs.get(id)! }));
  const plan: ExecutionPlan = {
    version: 1,
    format: 'flow',
    name,
    params: [],
    env,
    maxParallel: 8,
    nodes: planNodes,
    finally: [],
    edges: planNodes.flatMap((n) => n.needs.map((from) => ({ from, to: n.id }))),
  };
  if (doc.title !== undefined) plan.description = doc.title;
  if (timeoutMs !== undefined) plan.timeoutMs = timeoutMs;
  const receivers = (doc.receivers ?? []).flatMap((r) => (r ? [{ type: r.type, address: r.address }] : []));
  if (receivers.length > 0) plan.receivers = receivers;
  if (receivers.length > 0 && doc.smtp !== undefined) plan.receiversService = doc.smtp;
  return { ok: true, plan, warnings };
}

/** `uri: namespace/repository/name`, or the 2017 `name: namespace/flow/run-number`. */
function flowName(doc: FlowDocument, err: Report): string {
  if (doc.uri !== undefined) return sanitiseId(doc.uri.split('/')[2]!).slice(0, 63);
  if (doc.name === undefined) {
    err([], 'a flow needs uri: namespace/repository/name (or name: in the 2017 dialect)');
    return 'flow';
  }
  const parts = doc.name.split('/').filter((p) => p.length > 0);
  // the 2017 dialect ends the name with the run number the old engine wrote back
  const named = parts.length > 1 && /^\d+$/.test(parts[parts.length - 1]!) ? parts.slice(0, -1) : parts;
  return sanitiseId(named[named.length - 1] ?? doc.name).slice(0, 63);
}

function jobNames(
  stage: string,
  action: string,
  job: string | undefined,
  index: number,
  single: boolean,
): string[] {
  const names = [`${stage}.${action}.${index}`, `${action}.${index}`];
  if (job !== undefined) names.push(`${stage}.${action}.${job}`, `${action}.${job}`, job);
  if (single) names.push(`${stage}.${action}`, action);
  return names;
}

function jobNode(
  id: string,
  needs: string[],
  job: FlowJob,
  path: PathSegment[],
  target: { namespace: string; cluster?: string },
  map: SourceMap,
  report: { err: Report; warn: Report },
): PlanNode {
  const { err, warn } = report;
  const { namespace, cluster } = target;
  const kubectl = job.kubectl?.trim() ? job.kubectl.trim() : undefined;
  if (job.kubectl !== undefined && kubectl === undefined)
    warn([...path, 'kubectl'], 'kubectl is empty; ignored');
  const node = emptyNode(id, needs, kubectl ? 'uses' : 'run', map.locate(path).line);
  if (kubectl) {
    if (job.endpoint !== undefined)
      warn(
        [...path, 'endpoint'],
        'a kubectl job applies its manifest; endpoint is ignored, as in the original',
      );
    node.uses = { ...KUBECTL_COMPONENT };
    node.with = { manifests: kubectl, namespace, mode: 'replace' };
    // kubernetes-apply applies to the cluster of the step's first service
    if (cluster !== undefined) node.services = [cluster];
  } else if (job.endpoint === undefined) {
    err(path, 'a job needs endpoint (the image to run) or kubectl (a manifest to apply)');
  } else {
    // an image with its own entrypoint and no script: the worker runs it on the container
    // runtime, or on Kubernetes when its default is host processes (activities/step-runtime.ts)
    node.image = job.endpoint;
  }
  node.env = environmentsOf(job.environments, [...path, 'environments'], err);
  const timeoutMs = flowTimeout(job.timeout, [...path, 'timeout'], err);
  if (timeoutMs !== undefined) node.timeoutMs = timeoutMs;
  // the original wrote 0 for "no request"
  const requests: { cpu?: string; memory?: string } = {};
  if (job.resources?.cpu !== undefined && job.resources.cpu !== 0) requests.cpu = String(job.resources.cpu);
  if (job.resources?.memory !== undefined && job.resources.memory !== 0)
    requests.memory = String(job.resources.memory);
  if (requests.cpu !== undefined || requests.memory !== undefined) node.pod = { resources: { requests } };
  return node;
}

/** `- NAME: value` entries or a mapping, as env; flow-level ones apply to every job, job ones win. */
function environmentsOf(
  value: FlowEnvironments | undefined,
  path: PathSegment[],
  err: Report,
): Record<string, string> {
  const env: Record<string, string> = {};
  const set = (name: string, raw: unknown, at: PathSegment[]) => {
    const v = raw === null || raw === undefined ? '' : String(raw);
    if (!ENV_NAME.test(name)) err(at, `invalid environment variable name "${name}"`);
    else if (name in env) err(at, `environment variable "${name}" is set twice`);
    if (v.includes('${{')) err(at, 'expressions are not supported in flow documents');
    env[name] = v;
  };
  if (value === undefined) return env;
  if (!Array.isArray(value)) {
    for (const [name, v] of Object.entries(value)) set(name, v, [...path, name]);
    return env;
  }
  value.forEach((entry, i) => {
    if (entry === null) return;
    for (const [name, v] of Object.entries(entry)) set(name, v, [...path, i, name]);
  });
  return env;
}

/** Subscriptions become data edges: env NAME = the producer's output, producer made an ancestor. */
interface JobIndex {
  jobsByName: ReadonlyMap<string, JobRef[]>;
  ancestry: AncestorIndex;
}

function wireSubscriptions(
  consumer: JobRef,
  { jobsByName, ancestry }: JobIndex,
  needs: Map<string, string[]>,
  nodes: Map<string, PlanNode>,
  err: Report,
): void {
  (consumer.job.subscriptions ?? []).forEach((entry, i) => {
    if (entry === null) return;
    const at: PathSegment[] = [...consumer.path, 'subscriptions', i];
    const keys = Object.keys(entry);
    if (keys.length !== 1)
      return err(at, 'each subscription must be a single "stage.action.job[KEY]: ENVNAME" entry');
    const key = keys[0]!;
    const envName = entry[key]!;
    const match = SUBSCRIPTION.exec(key);
    if (!match) return err([...at, key], `subscription "${key}" must look like stage.action.job[KEY]`);
    const [, source = '', output = ''] = match;
    const named = (jobsByName.get(source) ?? []).filter((j) => j !== consumer);
    const runsBefore = (p: JobRef) => p.stage < consumer.stage || ancestry.has(consumer.id, p.id);
    // a repeated name is fine as long as only one job of that name runs before this one
    const candidates = named.length > 1 ? named.filter(runsBefore) : named;
    if (named.length === 0)
      return err([...at, key], `subscription "${key}" refers to unknown job "${source}"`);
    if (candidates.length > 1) {
      return err(
        [...at, key],
        `subscription "${key}": "${source}" names ${candidates.length} jobs (${listed(candidates.map((c) => c.id))}); use stage.action.job`,
      );
    }
    const producer = candidates[0] ?? named[0]!;
    if (!ENV_NAME.test(envName)) return err([...at, key], `invalid environment variable name "${envName}"`);
    const declared = [...(producer.job.outputs ?? []), ...(producer.job.output ?? [])];
    if (declared.length > 0 && !declared.includes(output)) {
      return err([...at, key], `job "${source}" does not declare output "${output}"`);
    }
    const node = nodes.get(consumer.id)!;
    if (envName in node.env) return err([...at, key], `environment variable "${envName}" is set twice`);
    const own = needs.get(consumer.id)!;
    if (producer.stage < consumer.stage) {
      if (!own.includes(producer.id)) own.push(producer.id);
    } else if (!ancestry.has(consumer.id, producer.id)) {
      return err(
        [...at, key],
        `subscription "${key}": job "${producer.id}" does not run before "${consumer.id}" (it must be in an earlier stage, an earlier action of a sequence stage, or earlier in the same action)`,
      );
    }
    node.env[envName] = `\${{ ${outputReference(producer.id, output)} }}`;
  });
}

/** `steps['build-app'].outputs.KEY`: ids with dashes need CEL's index syntax. */
export function outputReference(stepId: string, key: string): string {
  const part = (name: string) =>
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
  return `steps${part(stepId)}.outputs${part(key)}`;
}

/** At most five ids, then how many more: an error message stays small whatever the document. */
function listed(ids: string[]): string {
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;
}

function flowTimeout(
  value: number | string | undefined,
  path: PathSegment[],
  err: Report,
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
