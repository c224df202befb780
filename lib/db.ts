import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;

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
    connectTimeout: 5000,
    acquireTimeout: 5000,
    bigIntAsNumber: false,
    insertIdAsNumber: true,
  };
}

export function createDb(url: string): Db {
  return new PrismaClient({ adapter: new PrismaMariaDb(connectionOptions(url)) });
}
