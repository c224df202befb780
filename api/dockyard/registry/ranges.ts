import type { ByteRange } from '../../../lib/blobs/store';

/** `Range: bytes=a-b | a- | -n` against a blob of `size` bytes: a range, 'invalid' (416) or undefined (whole). */
export function parseRange(header: string | undefined, size: number): ByteRange | 'invalid' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'invalid';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'invalid';
  return { start, end };
}

/** `Content-Range: a-b` of an upload chunk (the OCI form, without "bytes "). */
export function parseChunkRange(header: string | undefined): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const m = /^(?:bytes )?(\d+)-(\d+)(?:\/\d+|\/\*)?$/.exec(header.trim());
  return m ? { start: Number(m[1]), end: Number(m[2]) } : undefined;
}
