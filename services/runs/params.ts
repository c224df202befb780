import { z } from 'zod';
import type { ExecutionPlan } from '../../pipeline';
import { invalid, type FieldError } from '../../lib/errors';
import { parseOr422 } from '../../lib/validate';

const paramValue = z.union([z.string().max(4096), z.number(), z.boolean()]).transform(String);
export const paramsSchema = z
  .record(z.string().max(64), paramValue)
  .refine((p) => Object.keys(p).length <= 100, {
    message: 'at most 100 params',
  });

/** Run params: declared names only, required ones present, defaults filled in. */
export function resolveParams(plan: ExecutionPlan, raw: unknown): Record<string, string> {
  const given = parseOr422(paramsSchema, raw ?? {}, 'params');
  const errors: FieldError[] = [];
  const declared = new Map(plan.params.map((p) => [p.name, p]));
  for (const name of Object.keys(given)) {
    if (!declared.has(name))
      errors.push({ path: `params.${name}`, message: `pipeline ${plan.name} declares no param ${name}` });
  }
  const params: Record<string, string> = {};
  for (const p of plan.params) {
    const value = given[p.name] ?? p.default;
    if (value === undefined) {
      if (p.required) errors.push({ path: `params.${p.name}`, message: 'is required' });
      else params[p.name] = '';
      continue;
    }
    params[p.name] = value;
  }
  if (errors.length) throw invalid('params are invalid', errors);
  return params;
}
