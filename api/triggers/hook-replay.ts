import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import { isUniqueViolation } from '../crew/names';

/**
 * How long a signed body is remembered. GitHub's signature covers the body only (no timestamp),
 * so a captured delivery stays valid forever: within this window it can start nothing again.
 * GitHub offers redelivery for 3 days; a week covers that with room.
 */
export const HOOK_REPLAY_WINDOW_MS = 7 * 24 * 60 * 60_000;

/** The 202 answer's reason for a replayed body. */
export const replayReason = (firstSeenAt: Date) =>
  `replay: this body was delivered at ${firstSeenAt.toISOString()} under another delivery id; ` +
  'a signed body starts at most one run within the replay window';

export type BodyClaim =
  /** first time (or a redelivery under the same id): go on; `release` forgets the body again */
  | { replay: false; release(): Promise<void> }
  /** the same body came before, under another delivery id or none */
  | { replay: true; firstSeenAt: Date };

/** The endpoint a signed body came to: a project webhook or a connected forge repository. */
export type BodyEndpoint = { webhookId: string } | { forgeRepositoryId: string };

interface Seen {
  source: string;
  digest: string;
}

const sourceOf = (e: BodyEndpoint) =>
  'webhookId' in e ? `hook:${e.webhookId}` : `forge:${e.forgeRepositoryId}`;

/**
 * Records the body's digest for this endpoint, durably (several API processes may take
 * deliveries): the primary key (source, digest) decides which of two racing deliveries is the first.
 */
export async function claimHookBody(
  db: Db,
  endpoint: BodyEndpoint,
  raw: Buffer,
  delivery: string | undefined,
  now = new Date(),
): Promise<BodyClaim> {
  const source = sourceOf(endpoint);
  const key: Seen = { source, digest: crypto.createHash('sha256').update(raw).digest('hex') };
  const expiresAt = new Date(now.getTime() + HOOK_REPLAY_WINDOW_MS);
  const data = { delivery: delivery?.slice(0, 255) ?? null, expiresAt, createdAt: now };
  const fresh = { replay: false as const, release: () => forget(db, key, expiresAt) };
  await db.webhookBodyDigest.deleteMany({ where: { source, expiresAt: { lte: now } } });
  try {
    await db.webhookBodyDigest.create({ data: { ...key, ...endpoint, ...data } });
    return fresh;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  const seen = await db.webhookBodyDigest.findUnique({ where: { source_digest: key } });
  // a redelivery under its own id: the delivery id's run answers it (startRun's idempotency key)
  if (seen && delivery !== undefined && seen.delivery === data.delivery) {
    return { replay: false, release: async () => undefined };
  }
  if (!seen) {
    // swept between the two queries: one more try, and a racing process may still win it
    const created = await db.webhookBodyDigest
      .create({ data: { ...key, ...endpoint, ...data } })
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) return undefined;
        throw err;
      });
    return created ? fresh : { replay: true, firstSeenAt: now };
  }
  if (seen.expiresAt <= now) {
    // expired since the sweep: take it over, once, whichever process gets there first
    const taken = await db.webhookBodyDigest.updateMany({
      where: { ...key, expiresAt: seen.expiresAt },
      data,
    });
    if (taken.count === 1) return fresh;
  }
  return { replay: true, firstSeenAt: seen.createdAt };
}

/** Used when the run could not be started: the sender's retry of the same body must not be a replay. */
async function forget(db: Db, key: Seen, expiresAt: Date): Promise<void> {
  await db.webhookBodyDigest.deleteMany({ where: { ...key, expiresAt } });
}
