import { archiveExpiredLogs } from '../api/logarithm/retention';
import { createBlobStore } from '../lib/blobs';
import { ConfigError, loadConfig, requireDatabaseUrl } from '../lib/config';
import { connectDatabase } from '../lib/connect';
import { runMain } from '../lib/main';

/**
 * `npm run logs:archive [-- DAYS]`: what the hourly `log-retention` schedule does, now, on the
 * host of the API (same database and CO_BLOB_STORE). DAYS defaults to CO_LOG_RETENTION_DAYS.
 */
runMain(async () => {
  const config = loadConfig();
  const arg = process.argv[2];
  const retentionDays = arg === undefined ? config.CO_LOG_RETENTION_DAYS : Number(arg);
  if (!Number.isInteger(retentionDays) || retentionDays < 1)
    throw new ConfigError('give DAYS (a positive integer) or set CO_LOG_RETENTION_DAYS');
  const db = await connectDatabase(requireDatabaseUrl(config));
  try {
    const blobs = createBlobStore(config);
    const storage = { db, blobs: () => blobs };
    const totals = { runsArchived: 0, attemptsArchived: 0, rowsDeleted: 0, bytesStored: 0 };
    for (let more = true; more;) {
      const report = await archiveExpiredLogs(storage, { retentionDays });
      for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += report[k];
      more = report.more;
    }
    console.log(JSON.stringify(totals));
  } finally {
    await db.$disconnect();
  }
});
