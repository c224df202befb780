import type { Connection } from '@temporalio/client';
import type { Db } from '../../lib/db';

export interface DependencyStatus {
  name: 'database' | 'temporal';
  ok: boolean;
  error?: string;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]);
}

async function probe(
  name: DependencyStatus['name'],
  check: () => Promise<unknown>,
): Promise<DependencyStatus> {
  try {
    await withTimeout(check(), 2000, name);
    return { name, ok: true };
  } catch (err) {
    return { name, ok: false, error: (err as Error).message.split('\n')[0] };
  }
}

export async function checkDependencies(db: Db, temporal: Connection): Promise<DependencyStatus[]> {
  return Promise.all([
    probe('database', () => db.$queryRawUnsafe('SELECT 1')),
    probe('temporal', () => temporal.workflowService.getSystemInfo({})),
  ]);
}
