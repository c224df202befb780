import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { connectionOptions } from '../lib/db';
import { mysqlConnection } from '../lib/mysql';

/**
 * Applies prisma/migrations/* /migration.sql in order and records each in `_prisma_migrations`
 * exactly as `prisma migrate deploy` does (Prisma's migrate engine is a native download we
 * cannot rely on offline), so `prisma migrate status` agrees wherever the engine exists.
 */

export const MIGRATIONS_DIR = path.resolve(__dirname, '../prisma/migrations');

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
  id VARCHAR(36) PRIMARY KEY NOT NULL,
  checksum VARCHAR(64) NOT NULL,
  finished_at DATETIME(3),
  migration_name VARCHAR(255) NOT NULL,
  logs TEXT,
  rolled_back_at DATETIME(3),
  started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  applied_steps_count INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

/** Splits a migration into statements: our migrations end every statement with `;` at end of line. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) =>
      s
        .split('\n')
        .filter((l) => !l.trim().startsWith('--'))
        .join('\n')
        .trim(),
    )
    .filter(Boolean);
}

export async function createDatabaseIfMissing(url: string): Promise<void> {
  const { database } = connectionOptions(url);
  const conn = await mysqlConnection(url, { database: false });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await conn.end();
  }
}

/** Applies pending migrations; returns the names applied. Safe to run from several processes at once. */
export async function applyMigrations(url: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  await createDatabaseIfMissing(url);
  const conn = await mysqlConnection(url);
  const applied: string[] = [];
  try {
    const [[lock]] = await conn.query<RowDataPacket[]>("SELECT GET_LOCK('containerops_migrate', 60) AS ok");
    if (Number(lock?.ok) !== 1) throw new Error('could not take the migration lock within 60 s');
    await conn.query(CREATE_MIGRATIONS_TABLE);
    const [rows] = await conn.query<RowDataPacket[]>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations',
    );
    for (const m of readMigrations(dir)) {
      const done = rows.find((r) => r.migration_name === m.name && r.rolled_back_at === null);
      if (done?.finished_at) continue;
      if (done) {
        throw new Error(
          `migration ${m.name} failed earlier and is recorded as unfinished; repair the database, then mark it rolled back in _prisma_migrations`,
        );
      }
      const id = crypto.randomUUID();
      await conn.query('INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES (?, ?, ?)', [
        id,
        m.checksum,
        m.name,
      ]);
      try {
        for (const statement of splitStatements(m.sql)) await conn.query(statement);
      } catch (err) {
        await conn.query('UPDATE _prisma_migrations SET logs = ? WHERE id = ?', [String(err), id]);
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
      }
      await conn.query(
        'UPDATE _prisma_migrations SET finished_at = CURRENT_TIMESTAMP(3), applied_steps_count = 1 WHERE id = ?',
        [id],
      );
      applied.push(m.name);
    }
    return applied;
  } finally {
    await conn.query("SELECT RELEASE_LOCK('containerops_migrate')").catch(() => undefined);
    await conn.end();
  }
}

if (require.main === module) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is required, e.g. mysql://root@127.0.0.1:3306/containerops');
    process.exit(1);
  }
  applyMigrations(url).then(
    (names) => console.log(names.length ? `applied: ${names.join(', ')}` : 'database is up to date'),
    (err) => {
      console.error(`migrate: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
