/** RFC 3230 `Digest` header value for a `sha256:<hex>` digest: `sha-256=<base64>`. */
export function digestHeader(digest: string): string {
  const [algorithm, hex = ''] = digest.split(':');
  return `${algorithm === 'sha512' ? 'sha-512' : 'sha-256'}=${Buffer.from(hex, 'hex').toString('base64')}`;
}
