import type { Request } from 'express';
import type { Db } from '../../lib/db';
import { unauthorized } from '../../lib/errors';
import { hashToken } from './tokens';

export interface Actor {
  userId: string;
  name: string;
  isAdmin: boolean;
  tokenId: string;
}

const BEARER = /^Bearer\s+(\S{1,512})$/i;

/** Resolves the bearer token to its user; revoked, expired and disabled all answer 401 at once. */
export async function authenticate(db: Db, req: Request): Promise<Actor> {
  const header = req.headers.authorization;
  const match = header ? BEARER.exec(header) : null;
  if (!match?.[1]) throw unauthorized();
  const row = await db.apiToken.findUnique({ where: { hash: hashToken(match[1]) }, include: { user: true } });
  const now = new Date();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now) || row.user.disabled) {
    throw unauthorized('invalid, expired or revoked token');
  }
  // last-used time is informative: refresh at most once a minute to keep reads cheap
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    void db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } }).catch(() => undefined);
  }
  return { userId: row.user.id, name: row.user.name, isAdmin: row.user.isAdmin, tokenId: row.id };
}
