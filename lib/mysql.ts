import mysql from 'mysql2/promise';
import { connectionOptions } from './db';

/**
 * Plain SQL through mysql2, the driver the platform names, for the paths where Prisma is in the way:
 * log ingest (one multi-row INSERT per batch), the migrator and test and benchmark set-up.
 */
export function mysqlOptions(url: string, opts: { database?: boolean } = {}): mysql.ConnectionOptions {
  const o = connectionOptions(url);
  return {
    host: o.host,
    port: o.port,
    user: o.user,
    password: o.password,
    database: opts.database === false ? undefined : o.database,
    connectTimeout: o.connectTimeout,
    supportBigNumbers: true,
    charset: 'utf8mb4_unicode_ci',
    // DATETIME columns hold UTC, as Prisma writes them
    timezone: 'Z',
  };
}

export function mysqlConnection(url: string, opts: { database?: boolean } = {}): Promise<mysql.Connection> {
  return mysql.createConnection(mysqlOptions(url, opts));
}

export function mysqlPool(url: string, connectionLimit: number): mysql.Pool {
  return mysql.createPool({ ...mysqlOptions(url), connectionLimit, waitForConnections: true });
}

/** Drops a database (tests and benchmarks create their own). */
export async function dropDatabase(url: string): Promise<void> {
  const conn = await mysqlConnection(url, { database: false });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${connectionOptions(url).database}\``);
  } finally {
    await conn.end();
  }
}
