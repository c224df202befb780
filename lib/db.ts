import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;

/** Prepared statements kept per connection (`?prepare_cache_length=` overrides it). */
export const PREPARE_CACHE_LENGTH = 32;

/** Connection settings for the mariadb driver, from a mysql:// URL. */
export function connectionOptions(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, ''),
    connectionLimit: Number(u.searchParams.get('connection_limit') ?? 10),
    // The adapter's default (0) prepares and closes a statement per query: three round trips for
    // one. Cached per connection, bounded (LRU): the server holds at most connections x this for
    // every process on it, against its max_prepared_stmt_count (16382 by default).
    prepareCacheLength: Number(u.searchParams.get('prepare_cache_length') ?? PREPARE_CACHE_LENGTH),
    connectTimeout: 5000,
    acquireTimeout: 5000,
    bigIntAsNumber: false,
    insertIdAsNumber: true,
  };
}

export function createDb(url: string): Db {
  return new PrismaClient({ adapter: new PrismaMariaDb(connectionOptions(url)) });
}
