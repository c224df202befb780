import { z } from 'zod';

/** Names of projects, teams and users: lowercase, URL-safe, at most 63 characters. */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

export const resourceName = z
  .string()
  .regex(NAME_PATTERN, 'must match [a-z][a-z0-9-]{0,62}: lowercase letters, digits and dashes');

/** Prisma's unique-constraint violation. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'P2002';
}
