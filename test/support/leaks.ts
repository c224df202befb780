import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Stack } from './stack';

const exec = promisify(execFile);

/** The run's whole Temporal history as the server stores it, fetched with the Temporal client. */
export async function historyBytes(stack: Stack, workflowId: string): Promise<Buffer> {
  const client = new Client({ connection: stack.temporal, namespace: stack.config.TEMPORAL_NAMESPACE });
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return Buffer.from(temporal.api.history.v1.History.encode(history).finish());
}

/** A full SQL dump (schema and every row) of the test database, with mariadb-dump. */
export async function dumpDatabase(databaseUrl: string): Promise<string> {
  const u = new URL(databaseUrl);
  const args = [
    `--host=${u.hostname}`,
    `--port=${u.port || 3306}`,
    `--user=${decodeURIComponent(u.username || 'root')}`,
    ...(u.password ? [`--password=${decodeURIComponent(u.password)}`] : []),
    '--skip-extended-insert',
    '--hex-blob',
    u.pathname.slice(1),
  ];
  for (const tool of ['mariadb-dump', 'mysqldump']) {
    try {
      const { stdout } = await exec(tool, args, { maxBuffer: 512 * 1024 * 1024 });
      return stdout;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error('neither mariadb-dump nor mysqldump is installed');
}
