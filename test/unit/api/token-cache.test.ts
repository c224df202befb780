import type { Db } from '../../../lib/db';
import {
  cachedToken,
  forgetTokens,
  rememberToken,
  TOKEN_CACHE_MS,
  tokenGeneration,
  type TokenRow,
} from '../../../api/crew/token-cache';

const row: TokenRow = {
  id: 't1',
  userId: 'u1',
  name: 'alice',
  isAdmin: false,
  disabled: false,
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
};
const newDb = () => ({}) as Db;

describe('token cache', () => {
  it('believes a valid token for TOKEN_CACHE_MS, then reads it again', () => {
    const db = newDb();
    rememberToken(db, 'h:a', row, 1000, tokenGeneration(db));
    expect(cachedToken(db, 'h:a', 1000 + TOKEN_CACHE_MS - 1)).toBe(row);
    expect(cachedToken(db, 'h:a', 1000 + TOKEN_CACHE_MS)).toBeUndefined();
  });

  it('forgets every token at once on a revocation or a user change', () => {
    const db = newDb();
    rememberToken(db, 'h:a', row, 0, tokenGeneration(db));
    rememberToken(db, 'h:b', { ...row, id: 't2' }, 0, tokenGeneration(db));
    forgetTokens(db);
    expect(cachedToken(db, 'h:a', 1)).toBeUndefined();
    expect(cachedToken(db, 'h:b', 1)).toBeUndefined();
  });

  it('does not remember a row read before a revocation that finished while it was read', () => {
    const db = newDb();
    const before = tokenGeneration(db); // the read starts
    forgetTokens(db); // the token is revoked meanwhile
    rememberToken(db, 'h:a', row, 0, before); // the read ends with the row as it was
    expect(cachedToken(db, 'h:a', 1)).toBeUndefined();
  });

  it('keeps one cache per database client', () => {
    const one = newDb();
    const other = newDb();
    rememberToken(one, 'h:a', row, 0, tokenGeneration(one));
    expect(cachedToken(other, 'h:a', 1)).toBeUndefined();
    forgetTokens(other);
    expect(cachedToken(one, 'h:a', 1)).toBe(row);
  });
});
