/** Prisma codes for a database that is busy or gone, not for a bad request: the client may retry. */
const TRANSIENT_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2034']);
const TRANSIENT_MESSAGE =
  /pool timeout|timed out fetching a new connection|ECONNREFUSED|ECONNRESET|too many connections|deadlock|lock wait timeout/i;

/** A database that does not exist or refuses our credentials is misconfigured: retrying will not help. */
const MISCONFIGURED = /unknown database|access denied/i;

export function isTransientDatabaseError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, name, message, meta } = err as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    meta?: unknown;
  };
  // the driver's own reason hides in the adapter error's cause: a pool timeout may be an unknown database
  if (MISCONFIGURED.test(`${String(message)} ${JSON.stringify(meta ?? null)}`)) return false;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  if (name === 'PrismaClientInitializationError') return true;
  return typeof message === 'string' && name !== 'HttpError' && TRANSIENT_MESSAGE.test(message);
}
