import type { CelInput } from '@bufbuild/cel';

/** What started a run, as expressions see it (`trigger.*`). Every field is optional but `event`. */
export interface TriggerContext {
  /** api, rerun, push, pull_request, schedule, pipeline */
  event: string;
  ref?: string;
  branch?: string;
  tag?: string;
  sha?: string;
  repository?: string;
  actor?: string;
  /** the code host's delivery id */
  delivery?: string;
  /** pull request action (opened, synchronize, ...) */
  action?: string;
  /** pull requests: the branch it targets */
  baseBranch?: string;
  /** pull requests: the head is in another repository (a fork); its runs read caches, never write them, and get no secrets or service credentials */
  fork?: boolean;
  /** the repository's default branch, when the code host says it */
  defaultBranch?: string;
  /** a connected repository's run: the pipeline file it ran, as it was at `sha` */
  file?: string;
  /** a pull request's number on its code host */
  pullRequest?: number;
  /** the webhook body, size-capped (absent when it was larger than the cap) */
  payload?: unknown;
  /** the upstream run of a pipeline trigger */
  run?: {
    project: string;
    pipeline: string;
    id: string;
    number: number;
    status: string;
    /** outputs of its steps: outputs.<step>.<key> */
    outputs: Record<string, Record<string, string>>;
  };
}

/** The string fields of `trigger`; expressions also know `payload` and `run`. */
export const TRIGGER_STRING_FIELDS = [
  'event',
  'ref',
  'branch',
  'tag',
  'sha',
  'repository',
  'actor',
  'delivery',
  'action',
  'file',
] as const;

/** The `trigger` binding: string fields default to '', so conditions such as trigger.branch == 'main' always evaluate. */
export function triggerBinding(trigger: TriggerContext | undefined): CelInput {
  const out = new Map<string, CelInput>();
  for (const f of TRIGGER_STRING_FIELDS) out.set(f, trigger?.[f] ?? '');
  out.set('payload', jsonToCel(trigger?.payload ?? {}));
  if (trigger?.run) {
    const r = trigger.run;
    const outputs = new Map<string, CelInput>(
      Object.entries(r.outputs).map(([step, o]) => [step, new Map<string, CelInput>(Object.entries(o))]),
    );
    out.set(
      'run',
      new Map<string, CelInput>([
        ['project', r.project],
        ['pipeline', r.pipeline],
        ['id', r.id],
        ['number', BigInt(Math.trunc(r.number))],
        ['status', r.status],
        ['outputs', outputs],
      ]),
    );
  }
  return out;
}

function jsonToCel(value: unknown): CelInput {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(jsonToCel);
  if (typeof value === 'object') {
    return new Map<string, CelInput>(Object.entries(value).map(([k, v]) => [k, jsonToCel(v)]));
  }
  return String(value);
}
