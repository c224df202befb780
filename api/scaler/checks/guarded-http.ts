import http from 'node:http';
import https from 'node:https';
import { guardedAddress } from '../../../services/address-guard';

export interface GuardedRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  allowPrivate: boolean;
  /** TLS: extra trusted CA (PEM), client certificate and key, or no verification */
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
}

export interface GuardedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** at most 64 KiB of the body */
  body: string;
}

const MAX_BODY = 64 * 1024;

/**
 * One HTTP request to an address the guard accepted; redirects are not followed (they could
 * lead anywhere), and the connection goes to the very address that was checked.
 */
export async function guardedFetch(target: string, opts: GuardedRequest): Promise<GuardedResponse> {
  const url = new URL(target);
  const { address, family } = await guardedAddress(url.hostname, opts.allowPrivate);
  const secure = url.protocol === 'https:';
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      {
        host: address,
        family,
        port: url.port || (secure ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: opts.method ?? 'GET',
        headers: { host: url.host, 'user-agent': 'containerops-scaler', ...opts.headers },
        timeout: opts.timeoutMs,
        agent: false,
        ...(secure
          ? {
              servername: hostname,
              ca: opts.ca,
              cert: opts.cert,
              key: opts.key,
              rejectUnauthorized: !opts.insecure,
            }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}
