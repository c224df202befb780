import { z } from 'zod';
import { parseOr422 } from '../../lib/validate';

/** The columns' ranges: MySQL INT (attempts, versions) and BIGINT (log line and audit ids). */
export const INT_MAX = 2_147_483_647;
export const BIGINT_MAX = 2n ** 63n - 1n;

// digits only: no sign, exponent, hex, blanks or fraction, which Number() would all accept
const DIGITS = /^\d{1,40}$/;

/**
 * A query, path or header parameter holding a plain decimal integer within [min, max], as a bigint.
 * Text beyond the column's range is refused here, before it reaches the database driver.
 */
export function plainBigInt(min: bigint, max: bigint) {
  return z
    .string({ error: 'must be given once, as a plain decimal integer' })
    .regex(DIGITS, 'must be a plain decimal integer')
    .transform((text) => BigInt(text))
    .refine((n) => n >= min && n <= max, `must be an integer from ${min} to ${max}`);
}

/** As plainBigInt, as a number: for INT columns and small counts. */
export function plainInt(min: number, max = INT_MAX) {
  return plainBigInt(BigInt(min), BigInt(max)).transform((n) => Number(n));
}

/** One parameter, validated: a 422 problem naming it when it is not a plain integer in range. */
export function integerParam<T>(
  name: string,
  value: unknown,
  schema: z.ZodType<T, string>,
  where: 'query' | 'path' | 'header' = 'query',
): T | undefined {
  if (value === undefined) return undefined;
  return parseOr422(z.object({ [name]: schema }), { [name]: value }, `${where} parameter ${name}`)[name] as T;
}
