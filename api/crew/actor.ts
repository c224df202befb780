import type { Request } from 'express';
import type { Db } from '../../lib/db';
import { Prisma } from '../../generated/prisma/client';
import { unauthorized } from '../../lib/errors';
import { verifyToken } from '../../lib/signed-tokens';
import { bearerToken } from '../http/bearer';
import { hashToken } from './tokens';
import { cachedToken, rememberToken, tokenGeneration, type TokenRow } from './token-cache';

export interface Actor {
  userId: string;
  name: string;
  isAdmin: boolean;
  tokenId: string;
  /** set for a step's run token: it acts in this one run of this one project, on dockyard routes only */
  run?: { runId: string; projectId: string };
  /** set for the worker's maintenance token (dockyard GC): valid on routes that accept it only */
  maintenance?: boolean;
}

/**
 * Resolves the bearer token to its user; revoked, expired and disabled all answer 401 at once in
 * the process that made the change, within TOKEN_CACHE_MS in any other API process.
 */
export async function authenticate(db: Db, req: Request): Promise<Actor> {
  const token = bearerToken(req.headers.authorization);
  if (!token) throw unauthorized();
  return actorForToken(db, token, req.app?.locals.signingKey as Buffer | undefined);
}

/** An API token, or a dockyard signed token (run or registry) when the app has a signing key. */
export async function actorForToken(db: Db, token: string, signingKey?: Buffer): Promise<Actor> {
  const signed = signingKey ? verifyToken(signingKey, token) : undefined;
  if (signed?.kind === 'run') {
    const run = { runId: signed.runId, projectId: signed.projectId };
    return { userId: `run:${signed.runId}`, name: `run ${signed.runId}`, isAdmin: false, tokenId: '', run };
  }
  if (signed?.kind === 'maintenance') {
    return {
      userId: 'maintenance',
      name: 'dockyard maintenance',
      isAdmin: false,
      tokenId: '',
      maintenance: true,
    };
  }
  const by = signed?.kind === 'registry' ? { id: signed.tokenId } : { hash: hashToken(token) };
  const key = 'hash' in by ? `h:${by.hash}` : `i:${by.id}`;
  const now = new Date();
  const cached = cachedToken(db, key, now.getTime());
  const generation = tokenGeneration(db);
  const row = cached ?? (await tokenWithUser(db, by));
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now) || row.disabled) {
    throw unauthorized('invalid, expired or revoked token');
  }
  if (!cached) rememberToken(db, key, row, now.getTime(), generation);
  // last-used time is informative: refresh at most once a minute to keep reads cheap
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    row.lastUsedAt = now; // a cached row: the next requests need not write it again
    void db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } }).catch(() => undefined);
  }
  return { userId: row.userId, name: row.name, isAdmin: row.isAdmin, tokenId: row.id };
}

const dateOf = (v: unknown) =>
  v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v));
const flag = (v: unknown) => v === true || Number(v) === 1;

/**
 * A token and its user in one statement (every authenticated request reads it; an include
 * would be two): by its hash, or by id for a registry token.
 */
async function tokenWithUser(db: Db, by: { hash: string } | { id: string }): Promise<TokenRow | undefined> {
  const select = Prisma.sql`SELECT t.id, t.userId, u.name, u.isAdmin, u.disabled, t.expiresAt, t.lastUsedAt, t.revokedAt
    FROM ApiToken t JOIN User u ON u.id = t.userId`;
  const rows = await db.$queryRaw<Record<string, unknown>[]>(
    'hash' in by
      ? Prisma.sql`${select} WHERE t.hash = ${by.hash}`
      : Prisma.sql`${select} WHERE t.id = ${by.id}`,
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    id: String(r.id),
    userId: String(r.userId),
    name: String(r.name),
    isAdmin: flag(r.isAdmin),
    disabled: flag(r.disabled),
    expiresAt: dateOf(r.expiresAt),
    lastUsedAt: dateOf(r.lastUsedAt),
    revokedAt: dateOf(r.revokedAt),
  };
}
