import type { z } from 'zod';
import { invalid } from './errors';

/** Parses input with a zod schema; failures become 422 with one error per path. */
export function parseOr422<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = 'request body',
): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw invalid(
    `${what} is invalid`,
    result.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message })),
  );
}
