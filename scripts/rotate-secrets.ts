import { loadConfig, requireDatabaseUrl } from '../lib/config';
import { connectDatabase } from '../lib/connect';
import { runMain } from '../lib/main';
import { keyringOf } from '../lib/secret-box';
import { assertKeyringOpensDatabase, resealAll } from '../services/scaler/sealed-rows';

/**
 * `npm run secrets:rotate`: with the new key in CO_SECRETS_KEY and the old one(s) in
 * CO_SECRETS_KEY_PREVIOUS, re-seals every stored secret with the new key. Afterwards the old
 * key can be dropped from CO_SECRETS_KEY_PREVIOUS.
 */
runMain(async () => {
  const config = loadConfig();
  const keyring = keyringOf(config);
  const db = await connectDatabase(requireDatabaseUrl(config));
  try {
    await assertKeyringOpensDatabase(db, keyring);
    for (const r of await resealAll(db, keyring)) {
      console.log(`${r.table}: ${r.resealed} re-sealed, ${r.current} already on key ${keyring.current.id}`);
    }
  } finally {
    await db.$disconnect();
  }
});
