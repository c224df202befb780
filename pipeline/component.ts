import semver from 'semver';
import { z } from 'zod';
import { DURATION_SYNTAX, durationMessage, parseDuration } from './duration';
import { sortErrors, type PipelineError } from './errors';
import { parseYaml } from './parse';
import { ID_PATTERN } from './schema';
import { schemaErrors } from './schema-errors';

/** component.yaml: the one source of a component's types (catalog, compiler, runtimes, docs). */

export const INPUT_TYPES = ['string', 'integer', 'number', 'boolean', 'enum', 'list', 'object'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

const INPUT_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const PROGRAM = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

const inputSchema = z
  .strictObject({
    name: z.string().regex(INPUT_NAME, 'must match [a-z][a-z0-9_-]{0,62}'),
    type: z.enum(INPUT_TYPES).default('string'),
    description: z.string().max(1000).optional(),
    required: z.boolean().default(false),
    default: z.unknown().optional(),
    secret: z.boolean().default(false),
    values: z.array(z.string()).min(1).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.type === 'enum' && !input.values)
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'an enum input lists its values' });
    if (input.type !== 'enum' && input.values)
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'values is only for type enum' });
    if (input.default !== undefined) {
      if (input.secret)
        ctx.addIssue({ code: 'custom', path: ['default'], message: 'a secret input has no default' });
      const problem = literalProblem(input, input.default);
      if (problem) ctx.addIssue({ code: 'custom', path: ['default'], message: problem });
    }
  });

const outputSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/, 'must be a letter or _ then letters, digits, _ -'),
  description: z.string().max(1000).optional(),
});

/** A component's README (markdown) is capped so a catalog page stays small. */
export const README_MAX_CHARS = 64 * 1024;

export const componentSchema = z
  .strictObject({
    apiVersion: z.literal('containerops/v1'),
    kind: z.literal('Component'),
    name: z.string().regex(ID_PATTERN, 'must match [a-z][a-z0-9-]{0,62}'),
    version: z
      .string()
      .max(64)
      .refine((v) => semver.valid(v) === v, 'must be a semantic version such as 1.0.0'),
    description: z.string().max(1000).optional(),
    /** container image for container runtimes */
    image: z.string().min(1).max(512).optional(),
    /** sh script: run by the local runtime, and the container's command when an image is set */
    run: z
      .string()
      .min(1)
      .max(64 * 1024)
      .optional(),
    /** host programs the local runtime checks for before running the step */
    requires: z.array(z.string().regex(PROGRAM, 'must be a program name such as git')).optional(),
    /** runs as a host process on the container runtime too (a tool such as buildah that cannot nest) */
    host: z.boolean().optional(),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
    inputs: z.array(inputSchema).max(100).default([]),
    outputs: z.array(outputSchema).max(100).default([]),
    timeout: z
      .string()
      .regex(DURATION_SYNTAX, { error: (i) => durationMessage(String(i.input)) })
      .optional(),
    /** markdown shown on the component's page; stored beside the version, not part of its digest */
    readme: z.string().max(README_MAX_CHARS, `must be at most ${README_MAX_CHARS} characters`).optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.image && !c.run)
      ctx.addIssue({
        code: 'custom',
        path: ['run'],
        message: 'a component needs an image, a run script or both',
      });
    if (c.timeout !== undefined && parseDuration(c.timeout) === undefined)
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: durationMessage(c.timeout) });
    duplicates(
      c.inputs.map((i) => i.name),
      ['inputs'],
      ctx,
    );
    duplicates(
      c.outputs.map((o) => o.name),
      ['outputs'],
      ctx,
    );
    const envNames = new Set<string>();
    c.inputs.forEach((input, i) => {
      const env = inputEnvName(input.name);
      if (envNames.has(env))
        ctx.addIssue({ code: 'custom', path: ['inputs', i, 'name'], message: `two inputs map to ${env}` });
      envNames.add(env);
    });
  });

function duplicates(names: string[], at: (string | number)[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (seen.has(name))
      ctx.addIssue({ code: 'custom', path: [...at, i, 'name'], message: `duplicate name ${name}` });
    seen.add(name);
  });
}

export type ComponentSpec = z.infer<typeof componentSchema>;
export type ComponentInput = ComponentSpec['inputs'][number];

export type ComponentParseResult = { ok: true; spec: ComponentSpec } | { ok: false; errors: PipelineError[] };

/** component.yaml (or its JSON) -> spec or every error with path and line:col. Never throws. */
export function parseComponentSource(source: string): ComponentParseResult {
  const parsed = parseYaml(source);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const result = componentSchema.safeParse(parsed.value, { reportInput: true });
  if (!result.success) return { ok: false, errors: sortErrors(schemaErrors(result.error, parsed.map)) };
  return { ok: true, spec: result.data };
}

/** `INPUT_<NAME>`: upper case, `-` as `_`. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

const INTEGER = /^[-+]?\d+$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Why `value` cannot be a literal of the input's type, or undefined when it can. Scalars from
 * YAML and their string forms both count (`depth: 1` and `depth: "1"`), as the step sees a string.
 */
export function literalProblem(
  input: Pick<ComponentInput, 'type' | 'values'>,
  value: unknown,
): string | undefined {
  const text = typeof value === 'string' ? value.trim() : undefined;
  const got = `got ${JSON.stringify(value)}`;
  switch (input.type) {
    case 'string':
      return ['string', 'number', 'boolean'].includes(typeof value) ? undefined : `expected a string, ${got}`;
    case 'integer':
      return (typeof value === 'number' && Number.isInteger(value)) ||
        (text !== undefined && INTEGER.test(text))
        ? undefined
        : `expected an integer, ${got}`;
    case 'number':
      return (typeof value === 'number' && Number.isFinite(value)) ||
        (text !== undefined && NUMBER.test(text))
        ? undefined
        : `expected a number, ${got}`;
    case 'boolean':
      return typeof value === 'boolean' || text === 'true' || text === 'false'
        ? undefined
        : `expected true or false, ${got}`;
    case 'enum':
      return input.values?.includes(String(value))
        ? undefined
        : `expected one of ${input.values?.join(', ')}, ${got}`;
    case 'list':
      return Array.isArray(value) || jsonOf(text, Array.isArray)
        ? undefined
        : `expected a list (JSON array), ${got}`;
    case 'object':
      return isObject(value) || jsonOf(text, isObject)
        ? undefined
        : `expected an object (JSON object), ${got}`;
  }
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonOf(text: string | undefined, test: (v: unknown) => boolean): boolean {
  if (text === undefined) return false;
  try {
    return test(JSON.parse(text));
  } catch {
    return false;
  }
}

/** A default as the step sees it: lists and objects as JSON, scalars as text. */
export function inputText(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** The canonical form a digest is taken of: keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
