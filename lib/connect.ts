import type { Connection } from '@temporalio/client';
import { createDb, type Db } from './db';
import { connectTemporal } from './temporal';

export class StartupError extends Error {
  override name = 'StartupError';
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable URL>';
  }
}

/** The last non-empty line of an error: drivers put the cause there, after their own context. */
function lastLine(err: unknown): string {
  return (
    String((err as Error)?.message ?? err)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? 'unknown error'
  );
}

export async function connectDatabase(url: string): Promise<Db> {
  const db = createDb(url);
  try {
    await db.$queryRawUnsafe('SELECT 1');
    return db;
  } catch (err) {
    await db.$disconnect().catch(() => undefined);
    throw new StartupError(`cannot reach the database at ${redactUrl(url)}: ${lastLine(err)}`);
  }
}

export async function connectTemporalOrFail(address: string): Promise<Connection> {
  try {
    const connection = await connectTemporal(address, 5000);
    await connection.workflowService.getSystemInfo({});
    return connection;
  } catch (err) {
    throw new StartupError(`cannot reach Temporal at ${address}: ${lastLine(err)}`);
  }
}
