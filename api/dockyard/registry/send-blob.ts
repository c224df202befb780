import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { BlobStore } from '../../../lib/blobs';
import { RegistryError } from './errors';
import { parseRange } from './ranges';

/** Streams a stored blob (HEAD: headers only), honouring a Range header with 206 or 416. */
export async function sendBlob(
  store: BlobStore,
  req: Request,
  res: Response,
  blob: { digest: string; size: number; contentType: string },
): Promise<void> {
  res.setHeader('Docker-Content-Digest', blob.digest);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('ETag', `"${blob.digest}"`);
  res.setHeader('Content-Type', blob.contentType);
  const range = parseRange(req.headers.range, blob.size);
  if (range === 'invalid') {
    throw new RegistryError(416, 'RANGE_INVALID', `range not satisfiable for ${blob.size} bytes`, {
      'Content-Range': `bytes */${blob.size}`,
    });
  }
  if (range) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${blob.size}`);
    res.setHeader('Content-Length', String(range.end - range.start + 1));
  } else {
    res.status(200);
    res.setHeader('Content-Length', String(blob.size));
  }
  if (req.method === 'HEAD' || blob.size === 0) {
    res.end();
    return;
  }
  const stream = await store.open(blob.digest, range);
  await pipeline(stream, res);
}
