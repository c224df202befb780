import crypto from 'node:crypto';

/** A personal API token: 256 random bits, shown once, stored only as its sha256. */
export function newToken(): { token: string; hash: string; prefix: string } {
  const token = `co_${crypto.randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token), prefix: token.slice(0, 10) };
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}
