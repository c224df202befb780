import { z } from 'zod';
import type { PathSegment } from '../../errors';

/**
 * The shape of a GitHub Actions workflow, as far as the platform runs it. Keys GitHub accepts
 * that the platform does not run are listed in UNSUPPORTED with the reason, so the error names
 * the feature; any other unknown key is an "unknown key" error.
 */

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const env = z.record(z.string(), scalar.nullable());
const stringOrList = z.union([z.string(), z.array(z.string())]);
const minutes = z
  .number()
  .positive()
  .max(60 * 24 * 35);
const runDefaults = z.strictObject({
  run: z
    .strictObject({ shell: z.string().min(1).optional(), 'working-directory': z.string().optional() })
    .optional(),
});

export const stepSchema = z.strictObject({
  id: z
    .string()
    .regex(
      /^[A-Za-z_][A-Za-z0-9_-]*$/,
      'must start with a letter or _ and contain only letters, digits, - and _',
    )
    .optional(),
  name: z.string().optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  run: z.string().optional(),
  uses: z.string().min(1).optional(),
  with: z.record(z.string(), scalar.nullable()).optional(),
  env: env.optional(),
  shell: z.string().min(1).optional(),
  'working-directory': z.string().optional(),
  'continue-on-error': z.boolean().optional(),
  'timeout-minutes': minutes.optional(),
});

const matrixSchema = z
  .record(z.string(), z.union([z.array(z.unknown()), z.string()]))
  .refine((m) => Object.keys(m).length > 0, 'a matrix needs at least one entry');

export const jobSchema = z.strictObject({
  name: z.string().optional(),
  'runs-on': z.union([z.string(), z.array(z.string()), z.record(z.string(), z.unknown())]).optional(),
  needs: stringOrList.optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  env: env.optional(),
  defaults: runDefaults.optional(),
  steps: z.array(stepSchema).min(1),
  outputs: z.record(z.string(), z.string()).optional(),
  strategy: z
    .strictObject({
      matrix: z.union([matrixSchema, z.string()]).optional(),
      'fail-fast': z.boolean().optional(),
      'max-parallel': z.number().int().min(1).optional(),
    })
    .optional(),
  'timeout-minutes': minutes.optional(),
  'continue-on-error': z.boolean().optional(),
  permissions: z.unknown().optional(),
  /** checked key by key in services.ts */
  services: z.record(z.string(), z.unknown()).optional(),
  container: z
    .union([
      z.string().min(1),
      z.strictObject({
        image: z.string().min(1),
        env: env.optional(),
        options: z.unknown().optional(),
        credentials: z.unknown().optional(),
        volumes: z.unknown().optional(),
        ports: z.unknown().optional(),
      }),
    ])
    .optional(),
});

const inputSchema = z.strictObject({
  description: z.string().optional(),
  required: z.boolean().optional(),
  default: scalar.optional(),
  type: z.enum(['string', 'boolean', 'choice', 'number', 'environment']).optional(),
  options: z.array(scalar).optional(),
});

const branchFilter = z.strictObject({
  branches: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  paths: z.array(z.string()).optional(),
  types: z.array(z.string()).optional(),
});

export const onObjectSchema = z.strictObject({
  push: branchFilter.nullable().optional(),
  pull_request: branchFilter.nullable().optional(),
  workflow_dispatch: z
    .strictObject({ inputs: z.record(z.string(), inputSchema).optional() })
    .nullable()
    .optional(),
  schedule: z.array(z.strictObject({ cron: z.string() })).optional(),
});

export const workflowSchema = z.strictObject({
  name: z.string().optional(),
  'run-name': z.string().optional(),
  on: z.union([z.string(), z.array(z.string()), onObjectSchema]),
  env: env.optional(),
  defaults: runDefaults.optional(),
  permissions: z.unknown().optional(),
  concurrency: z
    .union([
      z.string(),
      z.strictObject({ group: z.string().min(1), 'cancel-in-progress': z.boolean().optional() }),
    ])
    .optional(),
  jobs: z
    .record(z.string(), jobSchema)
    .refine((j) => Object.keys(j).length > 0, 'a workflow needs at least one job'),
});

export type Workflow = z.infer<typeof workflowSchema>;
export type Job = z.infer<typeof jobSchema>;
export type Step = z.infer<typeof stepSchema>;
export type WorkflowInput = z.infer<typeof inputSchema>;

/** Keys GitHub accepts that the platform does not run: why, per level. */
const UNSUPPORTED: Record<'workflow' | 'job' | 'step' | 'on' | 'trigger', Record<string, string>> = {
  workflow: {},
  job: {
    environment: 'environment: deployment environments (protection rules, their secrets) are not supported',
    concurrency: 'job-level concurrency is not supported (workflow-level concurrency is)',
    uses: 'uses: reusable workflows are not supported',
    with: 'with: belongs to reusable workflows, which are not supported',
    secrets: 'secrets: belongs to reusable workflows, which are not supported',
  },
  step: {},
  on: {},
  trigger: {
    'branches-ignore': 'branches-ignore is not supported (list the branches to run on in branches:)',
    'tags-ignore': 'tags-ignore is not supported (list the tags in tags:)',
    'paths-ignore': 'paths-ignore is not supported (list the paths in paths:)',
  },
};

export interface KeyProblem {
  path: PathSegment[];
  message: string;
}

/** Unsupported GitHub features in a raw workflow document, each at its key. */
export function unsupportedKeys(doc: Record<string, unknown>): KeyProblem[] {
  const out: KeyProblem[] = [];
  const check = (value: unknown, path: PathSegment[], level: keyof typeof UNSUPPORTED) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return;
    for (const key of Object.keys(value)) {
      const why = UNSUPPORTED[level][key];
      if (why) out.push({ path: [...path, key], message: why });
    }
  };
  const on = doc.on;
  if (on && typeof on === 'object' && !Array.isArray(on)) {
    for (const [event, filter] of Object.entries(on)) {
      if (!(event in onObjectSchema.shape)) {
        out.push({
          path: ['on', event],
          message: `the "${event}" event is not supported (supported: push, pull_request, workflow_dispatch, schedule)`,
        });
      } else check(filter, ['on', event], 'trigger');
    }
  }
  const jobs = doc.jobs;
  if (jobs && typeof jobs === 'object') {
    for (const [id, job] of Object.entries(jobs)) check(job, ['jobs', id], 'job');
  }
  return out;
}

/** Drops the keys reported by unsupportedKeys, so the schema reports only other problems. */
export function withoutUnsupported(
  doc: Record<string, unknown>,
  problems: KeyProblem[],
): Record<string, unknown> {
  const copy = structuredCloneJson(doc) as Record<string, unknown>;
  for (const { path } of problems) {
    let target: unknown = copy;
    for (const seg of path.slice(0, -1)) target = (target as Record<string | number, unknown>)?.[seg];
    if (target && typeof target === 'object') delete (target as Record<string, unknown>)[String(path.at(-1))];
  }
  return copy;
}

function structuredCloneJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
