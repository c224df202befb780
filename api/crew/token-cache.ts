import type { Db } from '../../lib/db';

/**
 * How long a token found valid is believed without reading it again. The API process that
 * revokes a token, or disables or changes its user, forgets every entry at once; another API
 * process (replicas) keeps accepting the token for at most this long.
 */
export const TOKEN_CACHE_MS = 1000;
/** Entries kept per database; past it the oldest go first. */
const MAX_ENTRIES = 10_000;

/** What authentication read of a token and its user. */
export interface TokenRow {
  id: string;
  userId: string;
  name: string;
  isAdmin: boolean;
  disabled: boolean;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface Entry {
  row: TokenRow;
  until: number;
}

interface Cache {
  entries: Map<string, Entry>;
  /** bumped by forgetTokens: a read begun before it may have seen the token still valid */
  generation: number;
}

/** Tokens found valid, per database client (tests run several apps in one process), keyed by the token's hash. */
const caches = new WeakMap<Db, Cache>();

function cacheOf(db: Db): Cache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = { entries: new Map(), generation: 0 }));
  return cache;
}

/** Taken before reading a token: rememberToken drops a row read across a forgetTokens. */
export function tokenGeneration(db: Db): number {
  return cacheOf(db).generation;
}

/** A token row read less than TOKEN_CACHE_MS ago; only valid tokens are ever cached. */
export function cachedToken(db: Db, key: string, now: number): TokenRow | undefined {
  const { entries } = cacheOf(db);
  const entry = entries.get(key);
  if (!entry) return undefined;
  if (entry.until > now) return entry.row;
  entries.delete(key);
  return undefined;
}

export function rememberToken(db: Db, key: string, row: TokenRow, now: number, generation: number): void {
  const { entries, generation: current } = cacheOf(db);
  if (generation !== current) return;
  entries.delete(key);
  entries.set(key, { row, until: now + TOKEN_CACHE_MS });
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
}

/** After a revocation or a change to a user: this process reads every token again from now on. */
export function forgetTokens(db: Db): void {
  const cache = cacheOf(db);
  cache.generation++;
  cache.entries.clear();
}
