import { Readable } from 'node:stream';
import type { DockyardClient } from '../client';
import { DockyardError } from '../client';

export interface RestoredCache {
  key: string;
  exact: boolean;
  body: Readable;
}

/** A step's cache calls against dockyard, with the run's own token (the API decides the scopes). */
export class CacheClient {
  private readonly url: string;
  private readonly token: string;

  constructor(dockyard: DockyardClient, runId: string) {
    const { runsUrl, token } = dockyard.credentials;
    this.url = `${runsUrl}/${runId}/cache`;
    this.token = token;
  }

  /** The best cache for `key` (else the newest for the first restore key that matches), or undefined. */
  async restore(key: string, restoreKeys: string[]): Promise<RestoredCache | undefined> {
    const q = new URLSearchParams({ key });
    for (const k of restoreKeys) q.append('restore', k);
    const res = await fetch(`${this.url}?${q}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (res.status === 404) return undefined;
    if (!res.ok)
      throw new DockyardError(`restoring cache: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
    return {
      key: decodeURIComponent(res.headers.get('x-cache-key') ?? key),
      exact: res.headers.get('x-cache-exact') === 'true',
      body: Readable.fromWeb(res.body! as import('node:stream/web').ReadableStream),
    };
  }

  /** Saves the packed cache; `refused` carries the API's reason (a fork's run, past the quota). */
  async save(key: string, body: Readable): Promise<{ saved: boolean; size?: number; refused?: string }> {
    const res = await fetch(`${this.url}?${new URLSearchParams({ key })}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/gzip' },
      body: Readable.toWeb(body) as unknown as ReadableStream,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' }).finally(() => body.destroy());
    if (res.status === 403 || res.status === 413) {
      const problem = (await res.json().catch(() => ({}))) as { detail?: string };
      return { saved: false, refused: problem.detail ?? `HTTP ${res.status}` };
    }
    if (!res.ok)
      throw new DockyardError(`saving cache: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
    const json = (await res.json()) as { saved: boolean; size: number };
    return { saved: json.saved, size: json.size };
  }
}
