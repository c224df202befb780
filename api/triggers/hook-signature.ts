import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const HOOK_PROVIDERS = ['github', 'gitlab', 'generic'] as const;
export type HookProvider = (typeof HOOK_PROVIDERS)[number];

/** Which provider signed a delivery, from the header it carries; undefined when none does. */
export function providerOf(headers: IncomingHttpHeaders): HookProvider | undefined {
  if (headers['x-hub-signature-256'] !== undefined) return 'github';
  if (headers['x-gitlab-token'] !== undefined) return 'gitlab';
  if (headers['x-containerops-signature'] !== undefined) return 'generic';
  return undefined;
}

const header = (headers: IncomingHttpHeaders, name: string): string => {
  const value = headers[name];
  return typeof value === 'string' ? value : '';
};

/** Compares two strings in time that depends only on their digests' length. */
function sameSecret(a: string, b: string): boolean {
  const da = crypto.createHash('sha256').update(a).digest();
  const db = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(da, db);
}

/**
 * True when the delivery is signed with `secret`: GitHub and generic send `sha256=<hex HMAC of the
 * body>`, GitLab sends the secret itself. With no secret (no such hook) the same work is done
 * against a random key, so a caller cannot tell a missing hook from a wrong signature.
 */
export function verifySignature(
  provider: HookProvider | undefined,
  headers: IncomingHttpHeaders,
  body: Buffer,
  secret: string | undefined,
): boolean {
  const key = secret ?? crypto.randomBytes(32).toString('hex');
  if (provider === 'gitlab')
    return sameSecret(header(headers, 'x-gitlab-token'), key) && secret !== undefined;
  const sent =
    provider === 'github'
      ? header(headers, 'x-hub-signature-256')
      : header(headers, 'x-containerops-signature');
  const expected = `sha256=${crypto.createHmac('sha256', key).update(body).digest('hex')}`;
  return sameSecret(sent.toLowerCase(), expected) && secret !== undefined && provider !== undefined;
}
