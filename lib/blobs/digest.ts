/** Content digests as OCI writes them: `sha256:<64 hex>` or `sha512:<128 hex>`. */

export type DigestAlgorithm = 'sha256' | 'sha512';

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value);
}

export function algorithmOf(digest: string): DigestAlgorithm {
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256';
}

/** Both digests of one piece of content, computed in the same pass. */
export interface Digests {
  sha256: string;
  sha512: string;
}

export function digestFor(digests: Digests, algorithm: DigestAlgorithm): string {
  return digests[algorithm];
}

export class DigestMismatchError extends Error {}

/** Throws unless `digest` is the content's own digest (one of `digests`, computed while it was staged). */
export function assertOwnDigest(digest: string, digests: Digests): void {
  if (!isDigest(digest) || digests[algorithmOf(digest)] !== digest) {
    throw new DigestMismatchError(`digest ${digest} is not the content's (${digests.sha256})`);
  }
}
