import type { Request } from 'express';
import type { Db } from '../../lib/db';
import { unauthorized } from '../../lib/errors';
import { verifyToken } from '../../lib/signed-tokens';
import { bearerToken } from '../http/bearer';
import { hashToken } from './tokens';

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

/** Resolves the bearer token to its user; revoked, expired and disabled all answer 401 at once. */
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
  const row = await db.apiToken.findUnique({
    where: signed?.kind === 'registry' ? { id: signed.tokenId } : { hash: hashToken(token) },
    include: { user: true },
  });
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
