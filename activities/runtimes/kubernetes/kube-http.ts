import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { LineSplitter } from '../lines';

/** A non-2xx answer from the API server, with the Status it returned. */
export class KubeHttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'KubeHttpError';
  }
}

/**
 * Opens a streaming GET (watch, log follow) with the kubeconfig's credentials. The client's own
 * Log helper pipes the body and hides a dropped connection, which we must see to resume the stream.
 */
export async function openStream(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig names no current cluster');
  const url = new URL(cluster.server.replace(/\/$/, '') + path);
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) url.searchParams.set(key, String(value));
  const options: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(options);
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { ...options, signal }, (res) => {
      if (res.statusCode === 200) return resolve(res);
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('error', reject);
      res.on('end', () => reject(statusError(res.statusCode ?? 0, body)));
    });
    req.on('error', reject);
    req.end();
  });
}

function statusError(code: number, body: string): KubeHttpError {
  try {
    const status = JSON.parse(body) as { message?: string; reason?: string };
    return new KubeHttpError(code, status.message ?? `HTTP ${code}`, status.reason);
  } catch {
    return new KubeHttpError(code, body.trim() || `HTTP ${code}`);
  }
}

/** Calls onLine for each complete line of a stream; resolves true on a clean end, false when it broke off. */
export function readLines(
  stream: NodeJS.ReadableStream,
  onLine: (line: string) => void,
  onPartial?: (rest: string) => void,
): Promise<boolean> {
  return new Promise((resolve) => {
    // whole lines only: a watch event or a log line is never cut here
    const lines = new LineSplitter((line) => onLine(line), Infinity);
    let settled = false;
    const settle = (clean: boolean) => {
      if (settled) return;
      settled = true;
      if (clean && lines.pending) onPartial?.(lines.pending);
      resolve(clean);
    };
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => lines.push(chunk));
    stream.on('end', () => settle(true));
    stream.on('error', () => settle(false));
    stream.on('close', () => settle(false));
  });
}
