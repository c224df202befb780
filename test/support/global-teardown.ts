import mariadb from 'mariadb';
import { connectionOptions } from '../../lib/db';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__coTemporal?.stop();
  const url = globalThis.__coTestDatabase;
  if (url) {
    const opts = connectionOptions(url);
    const conn = await mariadb.createConnection({ ...opts, database: undefined });
    await conn.query(`DROP DATABASE IF EXISTS \`${opts.database}\``);
    await conn.end();
  }
}
