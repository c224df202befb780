import { z } from 'zod';
import type { PathSegment } from './errors';

/** Pull request actions a `pull_request` trigger may filter on (GitHub's names; GitLab's are mapped). */
export const PULL_REQUEST_TYPES = [
  'opened',
  'synchronize',
  'reopened',
  'closed',
  'edited',
  'ready_for_review',
] as const;
/** Temporal's schedule overlap policies, in the DSL's spelling. */
export const OVERLAP_POLICIES = [
  'skip',
  'buffer_one',
  'buffer_all',
  'cancel_other',
  'terminate_other',
  'allow_all',
] as const;
export const UPSTREAM_STATUSES = ['succeeded', 'failed', 'cancelled', 'timed_out'] as const;
export const MAX_SCHEDULES = 10;

const globs = z.array(z.string().min(1).max(256)).min(1).max(100);
const identifier = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must match [a-z][a-z0-9-]{0,62}');

export const onSchema = z.strictObject({
  push: z
    .strictObject({ branches: globs.optional(), tags: globs.optional(), paths: globs.optional() })
    .optional(),
  pull_request: z
    .strictObject({
      branches: globs.optional(),
      types: z.array(z.enum(PULL_REQUEST_TYPES)).min(1).optional(),
    })
    .optional(),
  schedule: z
    .array(
      z.strictObject({
        cron: z.string().min(1).max(128),
        timezone: z.string().min(1).max(64).optional(),
        params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
        overlap: z.enum(OVERLAP_POLICIES).optional(),
      }),
    )
    .min(1)
    .max(MAX_SCHEDULES)
    .optional(),
  pipeline: z
    .array(
      z.strictObject({
        name: identifier,
        status: z.array(z.enum(UPSTREAM_STATUSES)).min(1).optional(),
      }),
    )
    .min(1)
    .max(20)
    .optional(),
});

export const concurrencySchema = z.strictObject({
  group: z.string().min(1).max(200),
  cancelInProgress: z.boolean().optional(),
});

export type OnDocument = z.infer<typeof onSchema>;

/** The triggers part of a plan: what the API, the schedules and the upstream hook act on. */
export const planTriggersSchema = z.strictObject({
  push: z
    .strictObject({
      branches: z.array(z.string()).optional(),
      tags: z.array(z.string()).optional(),
      paths: z.array(z.string()).optional(),
    })
    .optional(),
  pull_request: z
    .strictObject({
      branches: z.array(z.string()).optional(),
      types: z.array(z.enum(PULL_REQUEST_TYPES)).optional(),
    })
    .optional(),
  schedule: z
    .array(
      z.strictObject({
        cron: z.string(),
        timezone: z.string(),
        params: z.record(z.string(), z.string()),
        overlap: z.enum(OVERLAP_POLICIES),
      }),
    )
    .optional(),
  pipeline: z
    .array(z.strictObject({ name: z.string(), status: z.array(z.enum(UPSTREAM_STATUSES)), line: z.number() }))
    .optional(),
});

export const planConcurrencySchema = z.strictObject({ group: z.string(), cancelInProgress: z.boolean() });

export type PlanTriggers = z.infer<typeof planTriggersSchema>;
export type PlanConcurrency = z.infer<typeof planConcurrencySchema>;

const CRON_MACROS = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
]);
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const CRON_FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 7, names: DAYS },
];

/** A five-field cron expression (or a macro such as @daily); the problem, or undefined when valid. */
export function cronProblem(cron: string): string | undefined {
  const text = cron.trim();
  if (CRON_MACROS.has(text.toLowerCase())) return undefined;
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    return `cron must have 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  }
  for (const [i, field] of fields.entries()) {
    const spec = CRON_FIELDS[i]!;
    for (const item of field.split(',')) {
      const problem = cronItemProblem(item, spec);
      if (problem) return `cron ${spec.name} field "${field}": ${problem}`;
    }
  }
  return undefined;
}

function cronItemProblem(item: string, spec: (typeof CRON_FIELDS)[number]): string | undefined {
  const [range, step, extra] = item.split('/');
  if (extra !== undefined || range === undefined || range === '') return `"${item}" is not a value or range`;
  if (step !== undefined && !/^[1-9]\d{0,2}$/.test(step)) return `step "${step}" must be a positive number`;
  if (range === '*') return undefined;
  const bounds = range.split('-');
  if (bounds.length > 2) return `"${range}" is not a value or range`;
  const values = bounds.map((b) => cronValue(b, spec));
  if (values.some((v) => v === undefined)) {
    return `"${range}" is outside ${spec.min}-${spec.max}${spec.names ? ` (or ${spec.names[0]}-${spec.names.at(-1)})` : ''}`;
  }
  if (values.length === 2 && values[0]! > values[1]!) return `range "${range}" runs backwards`;
  return undefined;
}

function cronValue(text: string, spec: (typeof CRON_FIELDS)[number]): number | undefined {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + (spec.names === MONTHS ? 1 : 0);
  if (!/^\d{1,2}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= spec.min && n <= spec.max ? n : undefined;
}

/** True when the IANA time zone is known to the runtime's Intl data (Temporal uses the same database). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Semantic checks of `on:`; reports through `err` with paths under `on`. */
export function validateTriggers(
  on: OnDocument,
  params: ReadonlySet<string>,
  pipelineName: string,
  err: (path: PathSegment[], message: string) => void,
): void {
  (on.schedule ?? []).forEach((s, i) => {
    const problem = cronProblem(s.cron);
    if (problem) err(['on', 'schedule', i, 'cron'], problem);
    if (s.timezone !== undefined && !isTimeZone(s.timezone)) {
      err(
        ['on', 'schedule', i, 'timezone'],
        `unknown time zone "${s.timezone}" (use an IANA name such as Europe/Paris)`,
      );
    }
    for (const [key, value] of Object.entries(s.params ?? {})) {
      if (!params.has(key)) err(['on', 'schedule', i, 'params', key], `unknown param "${key}"`);
      if (typeof value === 'string' && value.includes('${{')) {
        err(['on', 'schedule', i, 'params', key], 'expressions are not allowed in schedule params');
      }
    }
  });
  const seen = new Set<string>();
  (on.pipeline ?? []).forEach((p, i) => {
    if (p.name === pipelineName) err(['on', 'pipeline', i, 'name'], 'a pipeline cannot trigger itself');
    if (seen.has(p.name)) err(['on', 'pipeline', i, 'name'], `duplicate upstream pipeline "${p.name}"`);
    seen.add(p.name);
  });
}

export function buildTriggers(on: OnDocument, lineOf: (path: PathSegment[]) => number): PlanTriggers {
  const triggers: PlanTriggers = {};
  if (on.push) triggers.push = { ...on.push };
  if (on.pull_request) triggers.pull_request = { ...on.pull_request };
  if (on.schedule) {
    triggers.schedule = on.schedule.map((s) => ({
      cron: s.cron.trim(),
      timezone: s.timezone ?? 'UTC',
      params: Object.fromEntries(Object.entries(s.params ?? {}).map(([k, v]) => [k, String(v)])),
      overlap: s.overlap ?? 'skip',
    }));
  }
  if (on.pipeline) {
    triggers.pipeline = on.pipeline.map((p, i) => ({
      name: p.name,
      status: p.status ?? ['succeeded'],
      line: lineOf(['on', 'pipeline', i, 'name']),
    }));
  }
  return triggers;
}
