import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import type { ApiToken, User } from '../../generated/prisma/client';
import { invalid, notFound } from '../../lib/errors';
import type { Actor } from './actor';
import { audit } from './audit';
import { forgetTokens } from './token-cache';
import { newToken } from './tokens';

/** A token as listed: never its value nor its hash. */
export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function apiTokenView(token: ApiToken): ApiTokenView {
  return {
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}

/** Issues a token; its value is returned this once and only its sha256 is stored. */
export async function createApiToken(
  db: Db,
  actor: Actor,
  user: User,
  input: { name: string; expiresAt?: Date },
): Promise<ApiTokenView & { token: string }> {
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw invalid('expiresAt is in the past', [{ path: 'expiresAt', message: 'must be in the future' }]);
  }
  const { token, hash, prefix } = newToken();
  const row = await db.apiToken.create({
    data: {
      id: crypto.randomUUID(),
      userId: user.id,
      name: input.name,
      hash,
      prefix,
      expiresAt: input.expiresAt,
    },
  });
  await audit(db, {
    actor,
    action: 'token.created',
    target: `user:${user.name}`,
    details: { tokenId: row.id, name: row.name, expiresAt: row.expiresAt?.toISOString() ?? null },
  });
  return { ...apiTokenView(row), token };
}

export async function listApiTokens(db: Db, user: User): Promise<ApiTokenView[]> {
  const rows = await db.apiToken.findMany({ where: { userId: user.id }, orderBy: { createdAt: 'asc' } });
  return rows.map(apiTokenView);
}

/** Revocation is immediate here (the token cache is emptied), within TOKEN_CACHE_MS on other API processes. Revoking twice is harmless. */
export async function revokeApiToken(db: Db, actor: Actor, user: User, tokenId: string): Promise<void> {
  const row = await db.apiToken.findFirst({ where: { id: tokenId, userId: user.id } });
  if (!row) throw notFound(`token ${JSON.stringify(tokenId)}`);
  if (row.revokedAt) return;
  await db.apiToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
  forgetTokens(db);
  await audit(db, {
    actor,
    action: 'token.revoked',
    target: `user:${user.name}`,
    details: { tokenId: row.id, name: row.name },
  });
}
