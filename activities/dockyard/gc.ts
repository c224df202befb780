import type { Config } from '../../lib/config';
import { signingKey, signToken } from '../../lib/signed-tokens';

/** Asks the API to collect dockyard's garbage: only the API touches the blob store. */
export async function requestDockyardGc(config: Config): Promise<unknown> {
  const base = (config.CO_API_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/$/, '');
  const token = signToken(signingKey(config), { kind: 'maintenance', exp: Date.now() + 10 * 60_000 });
  const res = await fetch(`${base}/api/v1/dockyard/gc`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`dockyard gc: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res.json();
}
