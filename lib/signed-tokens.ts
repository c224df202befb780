import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';

/**
 * Short-lived HMAC-signed tokens dockyard accepts besides API tokens: run tokens (a step's
 * access to its run's artifacts and outputs, minted by the worker), registry tokens (the
 * Docker token flow) and download tokens (one artifact, in a link the browser follows). Stateless, so API and workers only share the key.
 */

export const SIGNED_TOKEN_PREFIX = 'cods_';

export type SignedClaims =
  | { kind: 'run'; runId: string; projectId: string; exp: number }
  | { kind: 'registry'; tokenId: string; exp: number }
  | { kind: 'maintenance'; exp: number }
  /** one artifact (run, name, digest) for a plain browser download; never a bearer token */
  | { kind: 'download'; runId: string; name: string; digest: string; exp: number };

/** The key: CO_DOCKYARD_TOKEN_KEY, else a random key kept in CO_DATA_DIR (created by whoever needs it first). */
export function signingKey(config: Config): Buffer {
  if (config.CO_DOCKYARD_TOKEN_KEY) return Buffer.from(config.CO_DOCKYARD_TOKEN_KEY);
  const file = path.join(config.dataDir, 'dockyard-token.key');
  try {
    return fs.readFileSync(file);
  } catch {
    fs.mkdirSync(config.dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, crypto.randomBytes(32), { flag: 'wx', mode: 0o600 });
    } catch {
      // another process created it first: use theirs
    }
    return fs.readFileSync(file);
  }
}

function mac(key: Buffer, body: string): string {
  return crypto.createHmac('sha256', key).update(body).digest('base64url');
}

export function signToken(key: Buffer, claims: SignedClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${SIGNED_TOKEN_PREFIX}${body}.${mac(key, body)}`;
}

/** The claims of a valid, unexpired token; undefined for anything else. */
export function verifyToken(key: Buffer, token: string, now = Date.now()): SignedClaims | undefined {
  if (!token.startsWith(SIGNED_TOKEN_PREFIX)) return undefined;
  const [body = '', sig = ''] = token.slice(SIGNED_TOKEN_PREFIX.length).split('.');
  const expected = Buffer.from(mac(key, body));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as SignedClaims;
    return typeof claims.exp === 'number' && claims.exp > now ? claims : undefined;
  } catch {
    return undefined;
  }
}
