import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { guardedAddress } from './address-guard';

/** Largest answer body read from a code host (its API answers are small JSON documents). */
const MAX_BODY = 8 * 1024 * 1024;

type Fetch = typeof fetch;

/** A lookup that answers the address the guard already judged: no second resolution can differ. */
const pinned =
  (address: string, family: 4 | 6): LookupFunction =>
  (_host, opts, cb) => {
    if (opts.all)
      (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else cb(null, address, family);
  };

/**
 * A fetch (the subset code-host clients use: method, headers, string body, signal) that connects
 * only to addresses the guard accepts, to the very address it judged. Redirects are not followed:
 * the 3xx is the answer. A refused address rejects with AddressRefused.
 */
export function guardedFetch(allowPrivate: boolean): Fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const { address, family } = await guardedAddress(url.hostname, allowPrivate);
    const headers = new Headers(init?.headers);
    return new Promise<Response>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(url, {
        method: init?.method ?? 'GET',
        headers: Object.fromEntries(headers.entries()),
        lookup: pinned(address, family),
        signal: init?.signal ?? undefined,
      });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) req.destroy(new Error(`the answer is larger than ${MAX_BODY} bytes`));
          else chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 502;
          const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          const answerHeaders = Object.entries(res.headers).flatMap(([k, v]) =>
            v === undefined ? [] : [[k, String(v)] as [string, string]],
          );
          resolve(new Response(body, { status, headers: answerHeaders }));
        });
      });
      req.end(typeof init?.body === 'string' ? init.body : undefined);
    });
  };
}
