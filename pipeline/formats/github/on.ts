import type { PathSegment } from '../../errors';
import type { Origins } from '../generated';
import type { KeyProblem, Workflow, WorkflowInput } from './schema';

/** `on:` of a workflow in the native trigger model, and workflow_dispatch inputs as params. */
export interface Triggers {
  on?: Record<string, unknown>;
  params: Record<string, unknown>[];
  inputs: Set<string>;
  /** boolean inputs: inputs.NAME is a bool in expressions, as on GitHub */
  booleans: Set<string>;
}

const EVENTS = ['push', 'pull_request', 'workflow_dispatch', 'schedule'];
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function translateOn(on: Workflow['on'], origins: Origins, problems: KeyProblem[]): Triggers {
  const out: Triggers = { params: [], inputs: new Set(), booleans: new Set() };
  const events: Record<string, unknown> =
    typeof on === 'string'
      ? { [on]: null }
      : Array.isArray(on)
        ? Object.fromEntries(on.map((e) => [e, null]))
        : on;
  const native: Record<string, unknown> = {};
  Object.keys(events).forEach((event, i) => {
    const at: PathSegment[] =
      typeof on === 'object' && !Array.isArray(on) ? ['on', event] : Array.isArray(on) ? ['on', i] : ['on'];
    if (!EVENTS.includes(event)) {
      problems.push({
        path: at,
        message: `the "${event}" event is not supported (supported: ${EVENTS.join(', ')})`,
      });
      return;
    }
    const filter = (events[event] ?? {}) as Record<string, unknown>;
    origins.set(['on', event], at);
    if (event === 'push') native.push = pick(filter, ['branches', 'tags', 'paths'], at, problems);
    if (event === 'pull_request') native.pull_request = pick(filter, ['branches', 'types'], at, problems);
    if (event === 'schedule')
      native.schedule = (events.schedule as { cron: string }[]).map((s) => ({
        cron: s.cron,
        timezone: 'UTC',
      }));
    if (event === 'workflow_dispatch')
      dispatchInputs(filter.inputs as Record<string, WorkflowInput> | undefined, at, out, origins, problems);
  });
  if (Object.keys(native).length > 0) out.on = native;
  return out;
}

function pick(
  filter: Record<string, unknown>,
  keys: string[],
  at: PathSegment[],
  problems: KeyProblem[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (keys.includes(key)) out[key] = value;
    else
      problems.push({
        path: [...at, key],
        message: `${key} is not supported for this event (supported: ${keys.join(', ')})`,
      });
  }
  return out;
}

function dispatchInputs(
  inputs: Record<string, WorkflowInput> | undefined,
  at: PathSegment[],
  out: Triggers,
  origins: Origins,
  problems: KeyProblem[],
): void {
  for (const [name, input] of Object.entries(inputs ?? {})) {
    const path = [...at, 'inputs', name];
    if (!PARAM_NAME.test(name)) {
      problems.push({
        path,
        message: `input "${name}": names must be letters, digits and _ (a letter or _ first)`,
      });
      continue;
    }
    origins.set(['params', out.params.length], path);
    out.inputs.add(name);
    if (input.type === 'boolean') out.booleans.add(name);
    const param: Record<string, unknown> = {
      name,
      required: input.required === true && input.default === undefined,
    };
    if (input.default !== undefined) param.default = String(input.default);
    else if (input.type === 'boolean') param.default = 'false';
    else if (!param.required) param.default = '';
    if (input.description) param.description = input.description;
    out.params.push(param);
  }
}
