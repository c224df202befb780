import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { Db } from '../../../lib/db';
import type { BlobStore } from '../../../lib/blobs';
import { BlobTooLargeError, stageAndHash } from '../../../lib/blobs/ingest';
import { HttpError, notFound } from '../../../lib/errors';
import { commitBlob } from '../blob-records';
import { parseRange } from '../registry/ranges';
import { digestHeader } from './digest-header';

/** packed artifacts, large outputs, and the workspace changes of memoized steps */
export type ArtifactKind = 'artifact' | 'output' | 'snapshot';

export interface ArtifactUpload {
  runId: string;
  name: string;
  kind: ArtifactKind;
  stepId?: string;
  matrixKey: string;
  attempt: number;
  contentType: string;
  limit: number;
}

/** Streams a request body into the blob store and records it as the run's artifact (or output) `name`. */
export async function storeArtifact(db: Db, store: BlobStore, req: Request, upload: ArtifactUpload) {
  let staged;
  try {
    staged = await stageAndHash(req, store.stagingDir, upload.limit);
  } catch (err) {
    if (err instanceof BlobTooLargeError) throw new HttpError(413, 'Content Too Large', err.message);
    throw err;
  }
  const digest = staged.digests.sha256;
  await commitBlob(db, store, staged, digest);
  const data = {
    kind: upload.kind,
    stepId: upload.stepId ?? null,
    matrixKey: upload.matrixKey,
    attempt: upload.attempt,
    digest,
    size: BigInt(staged.size),
    contentType: upload.contentType,
    createdAt: new Date(),
  };
  const row = await db.artifact.upsert({
    where: { runId_name: { runId: upload.runId, name: upload.name } },
    create: { id: crypto.randomUUID(), runId: upload.runId, name: upload.name, ...data },
    update: data,
  });
  return { name: row.name, digest, size: staged.size, sha512: staged.digests.sha512 };
}

/** Streams an artifact with `Digest`, ETag and Range support. */
export async function sendArtifact(
  db: Db,
  store: BlobStore,
  req: Request,
  res: Response,
  where: { runId: string; name: string; kind: ArtifactKind },
): Promise<void> {
  const row = await db.artifact.findUnique({
    where: { runId_name: { runId: where.runId, name: where.name } },
  });
  if (!row || row.kind !== where.kind) throw notFound(`${where.kind} ${JSON.stringify(where.name)}`);
  const size = Number(row.size);
  const range = parseRange(req.headers.range, size);
  if (range === 'invalid') {
    res.setHeader('Content-Range', `bytes */${size}`);
    throw new HttpError(416, 'Range Not Satisfiable', `the artifact has ${size} bytes`);
  }
  res.setHeader('Digest', digestHeader(row.digest));
  res.setHeader('ETag', `"${row.digest}"`);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Type', row.contentType);
  if (where.kind === 'artifact') {
    res.setHeader('Content-Disposition', `attachment; filename="${row.name}.tar.gz"`);
  }
  if (range) {
    res.status(206).setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    res.setHeader('Content-Length', String(range.end - range.start + 1));
  } else {
    res.status(200).setHeader('Content-Length', String(size));
  }
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  await pipeline(await store.open(row.digest, range), res);
}
