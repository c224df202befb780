import type { Db } from '../../lib/db';
import { ConfigError } from '../../lib/config';
import { needsReseal, open, seal, sealedKeyId, type Keyring } from '../../lib/secret-box';

/** Every column that holds sealed values; rotation and the start-up key check walk them all. */
export const SEALED_COLUMNS = [
  { table: 'ProjectSecret', keys: ['id'], column: 'value' },
  { table: 'Service', keys: ['id'], column: 'secret' },
  { table: 'RunSecret', keys: ['runId', 'name'], column: 'value' },
  { table: 'Webhook', keys: ['id'], column: 'secret' },
] as const;

type SealedColumn = (typeof SEALED_COLUMNS)[number];

/** A column another module has not created (yet) is skipped, not an error. */
async function columnExists(db: Db, c: SealedColumn): Promise<boolean> {
  const rows = await db.$queryRawUnsafe<unknown[]>(
    'SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?',
    c.table,
    c.column,
  );
  return rows.length > 0;
}

/** Key ids in use, with a row count each, for one column. */
async function keyIdsIn(db: Db, c: SealedColumn): Promise<Map<string, number>> {
  const rows = await db.$queryRawUnsafe<{ kid: string; n: bigint }[]>(
    `SELECT SUBSTRING_INDEX(SUBSTRING_INDEX(\`${c.column}\`, '.', 2), '.', -1) AS kid, COUNT(*) AS n
       FROM \`${c.table}\` WHERE \`${c.column}\` LIKE 'v1.%' GROUP BY kid`,
  );
  return new Map(rows.map((r) => [r.kid, Number(r.n)]));
}

/**
 * Start-up check: every sealed value in the database must be openable with the configured keys,
 * so a wrong CO_SECRETS_KEY stops the process with one line instead of failing steps later.
 */
export async function assertKeyringOpensDatabase(db: Db, keyring: Keyring): Promise<void> {
  const unknown = new Map<string, number>();
  for (const c of SEALED_COLUMNS) {
    if (!(await columnExists(db, c))) continue;
    for (const [kid, n] of await keyIdsIn(db, c))
      if (!keyring.byId.has(kid)) unknown.set(kid, (unknown.get(kid) ?? 0) + n);
  }
  if (unknown.size === 0) return;
  const list = [...unknown].map(([kid, n]) => `${n} sealed with key ${kid}`).join(', ');
  throw new ConfigError(
    `invalid configuration: CO_SECRETS_KEY: does not open the stored secrets (${list}); set the key they were sealed with, or put it in CO_SECRETS_KEY_PREVIOUS while rotating`,
  );
}

export interface ResealReport {
  table: string;
  resealed: number;
  current: number;
}

/** Re-seals every value not sealed with the current key (key rotation). Idempotent. */
export async function resealAll(db: Db, keyring: Keyring): Promise<ResealReport[]> {
  const reports: ResealReport[] = [];
  for (const c of SEALED_COLUMNS) {
    if (!(await columnExists(db, c))) continue;
    const keyList = c.keys.map((k) => `\`${k}\``).join(', ');
    const rows = await db.$queryRawUnsafe<Record<string, string>[]>(
      `SELECT ${keyList}, \`${c.column}\` AS sealed FROM \`${c.table}\` WHERE \`${c.column}\` LIKE 'v1.%'`,
    );
    let resealed = 0;
    for (const row of rows) {
      const sealed = row.sealed!;
      sealedKeyId(sealed);
      if (!needsReseal(keyring, sealed)) continue;
      const fresh = seal(keyring, open(keyring, sealed));
      const where = c.keys.map((k) => `\`${k}\` = ?`).join(' AND ');
      // compare-and-set: a value replaced meanwhile through the API is already current
      resealed += await db.$executeRawUnsafe(
        `UPDATE \`${c.table}\` SET \`${c.column}\` = ? WHERE ${where} AND \`${c.column}\` = ?`,
        fresh,
        ...c.keys.map((k) => row[k]),
        sealed,
      );
    }
    reports.push({ table: c.table, resealed, current: rows.length - resealed });
  }
  return reports;
}
