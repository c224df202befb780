import { Context } from '@temporalio/activity';
import type { Config } from '../../lib/config';
import { signingKey, signToken } from '../../lib/signed-tokens';

interface ArchiveReport {
  runsArchived: number;
  attemptsArchived: number;
  rowsDeleted: number;
  bytesStored: number;
  more: boolean;
}

/**
 * Asks the API to archive expired logs (only the API touches the blob store), call after call
 * while it says more runs are due; heartbeats the running totals between calls.
 */
export async function requestLogArchive(config: Config): Promise<Omit<ArchiveReport, 'more'>> {
  const base = (config.CO_API_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/$/, '');
  const totals = { runsArchived: 0, attemptsArchived: 0, rowsDeleted: 0, bytesStored: 0 };
  for (;;) {
    const token = signToken(signingKey(config), { kind: 'maintenance', exp: Date.now() + 10 * 60_000 });
    const res = await fetch(`${base}/api/v1/logs/archive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: Context.current().cancellationSignal,
    });
    if (!res.ok) throw new Error(`log archive: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
    const report = (await res.json()) as ArchiveReport;
    for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += report[k];
    Context.current().heartbeat(totals);
    if (!report.more) return totals;
  }
}
