import { z } from 'zod';
import { DURATION_SYNTAX, durationMessage, parseDuration } from './duration';

const maxAge = z
  .string()
  .regex(DURATION_SYNTAX, { error: (i) => durationMessage(String(i.input)) })
  .refine((s) => parseDuration(s) !== undefined, { error: (i) => durationMessage(String(i.input)) });

/** `memoize:` of a step or a pipeline: true, false, or `{maxAge: 7d}`. */
export const memoizeSchema = z.union([z.boolean(), z.strictObject({ maxAge: maxAge.optional() })]);
export type MemoizeDocument = z.infer<typeof memoizeSchema>;

/** Compiled: present when the step may be reused; `maxAgeMs` absent means any age. */
export const planMemoizeSchema = z.strictObject({ maxAgeMs: z.number().nonnegative().optional() });
export type PlanMemoize = z.infer<typeof planMemoizeSchema>;

/** A step's own `memoize:` wins over the pipeline's; false turns it off. */
export function buildMemoize(
  step: MemoizeDocument | undefined,
  pipeline: MemoizeDocument | undefined,
): PlanMemoize | undefined {
  const chosen = step ?? pipeline;
  if (chosen === undefined || chosen === false) return undefined;
  if (chosen === true || chosen.maxAge === undefined) return {};
  return { maxAgeMs: parseDuration(chosen.maxAge)! };
}
