import { tracingFromEnv } from './tracing';
import { Client, Connection } from '@temporalio/client';
import { allSearchAttributes } from '../contract/search-attributes';

export async function connectTemporal(address: string, timeoutMs = 5000): Promise<Connection> {
  return Connection.connect({ address, connectTimeout: timeoutMs });
}

export function temporalClient(connection: Connection, namespace: string): Client {
  const tracing = tracingFromEnv('containerops-api');
  return new Client({
    connection,
    namespace,
    ...(tracing ? { interceptors: { workflow: [tracing.clientInterceptor] } } : {}),
  });
}

/** Registers missing search attributes (a cluster may refuse: the caller logs and goes on). */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = allSearchAttributes.filter((k) => !known.has(k.name));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, 2 /* INDEXED_VALUE_TYPE_KEYWORD */])),
  });
}
