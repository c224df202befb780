import { dropDatabase } from '../../lib/mysql';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__coTemporal?.stop();
  const url = globalThis.__coTestDatabase;
  if (url) await dropDatabase(url);
}
