import fs from 'node:fs';
import { algorithmOf, isDigest } from '../../../lib/blobs/digest';
import {
  BlobTooLargeError,
  hashFile,
  stageAndHash,
  stageStream,
  type StagedBlob,
} from '../../../lib/blobs/ingest';
import { commitBlob } from '../blob-records';
import type { RepoContext } from './context';
import { digestInvalid, RegistryError } from './errors';
import { assertQuota } from './quota';
import { linkBlob, repoBlob } from './repo-blobs';
import { endUpload, findUpload, startUpload, type UploadSession } from './upload-sessions';
import { parseChunkRange } from './ranges';

function uploadLocation(ctx: RepoContext, id: string): string {
  return `/v2/${ctx.name}/blobs/uploads/${id}`;
}

function sendProgress(ctx: RepoContext, session: UploadSession, status: 202 | 204): void {
  ctx.res.setHeader('Location', uploadLocation(ctx, session.id));
  ctx.res.setHeader('Docker-Upload-UUID', session.id);
  ctx.res.setHeader('Range', `0-${Math.max(0, session.size - 1)}`);
  ctx.res.setHeader('Content-Length', '0');
  ctx.res.status(status).end();
}

/** Verifies a staged blob against the digest the client named, then files and links it. */
async function finish(ctx: RepoContext, staged: StagedBlob, digest: string): Promise<void> {
  if (staged.digests[algorithmOf(digest)] !== digest) {
    await fs.promises.rm(staged.file, { force: true });
    throw digestInvalid(`content digest is ${staged.digests[algorithmOf(digest)]}, not ${digest}`);
  }
  if (!(await repoBlob(ctx.db, ctx.name, digest))) {
    await assertQuota(ctx.db, ctx.project.id, staged.size, ctx.config.CO_DOCKYARD_QUOTA_BYTES).catch(
      async (err: unknown) => {
        await fs.promises.rm(staged.file, { force: true });
        throw err;
      },
    );
  }
  await commitBlob(ctx.db, ctx.store, staged, digest);
  await linkBlob(ctx.db, ctx.project, ctx.name, digest, staged.size, 0);
  ctx.res.setHeader('Location', `/v2/${ctx.name}/blobs/${digest}`);
  ctx.res.setHeader('Docker-Content-Digest', digest);
  ctx.res.setHeader('Content-Length', '0');
  ctx.res.status(201).end();
}

function requestedDigest(ctx: RepoContext): string {
  const digest = ctx.req.query.digest;
  if (!isDigest(digest))
    throw digestInvalid(`digest ${JSON.stringify(digest)} is not a sha256 or sha512 digest`);
  return digest;
}

function tooLarge(err: unknown): never {
  if (err instanceof BlobTooLargeError) throw new RegistryError(413, 'SIZE_INVALID', err.message);
  throw err;
}

/** POST /blobs/uploads/: a monolithic upload (?digest=), a cross-repository mount (?mount=&from=) or a new session. */
export async function postUpload(ctx: RepoContext, canReadRepo: (repo: string) => Promise<boolean>) {
  const { query } = ctx.req;
  if (typeof query.mount === 'string' && isDigest(query.mount)) {
    const digest = query.mount;
    const from = typeof query.from === 'string' ? query.from : undefined;
    const source = from
      ? (await canReadRepo(from)) && (await repoBlob(ctx.db, from, digest))
      : await ctx.db.registryBlob.findFirst({ where: { projectId: ctx.project.id, digest } });
    if (source && (await ctx.store.stat(digest))) {
      await linkBlob(
        ctx.db,
        ctx.project,
        ctx.name,
        digest,
        Number(source.size),
        ctx.config.CO_DOCKYARD_QUOTA_BYTES,
      );
      ctx.res.setHeader('Location', `/v2/${ctx.name}/blobs/${digest}`);
      ctx.res.setHeader('Docker-Content-Digest', digest);
      ctx.res.setHeader('Content-Length', '0');
      ctx.res.status(201).end();
      return;
    }
  }
  if (query.digest !== undefined) {
    const digest = requestedDigest(ctx);
    const staged = await stageAndHash(ctx.req, ctx.store.stagingDir).catch(tooLarge);
    await finish(ctx, staged, digest);
    return;
  }
  const session = await startUpload(ctx.store.stagingDir, ctx.name);
  sendProgress(ctx, session, 202);
}

/** Appends a chunk; a Content-Range that does not start where the upload ends is 416. */
async function appendChunk(ctx: RepoContext, session: UploadSession): Promise<UploadSession> {
  const range = parseChunkRange(ctx.req.headers['content-range']);
  if (ctx.req.headers['content-range'] !== undefined && !range) {
    throw new RegistryError(400, 'BLOB_UPLOAD_INVALID', 'Content-Range must be <start>-<end>');
  }
  if (range && range.start !== session.size) {
    throw new RegistryError(
      416,
      'BLOB_UPLOAD_INVALID',
      `the upload has ${session.size} bytes; chunk starts at ${range.start}`,
      {
        Location: uploadLocation(ctx, session.id),
        Range: `0-${Math.max(0, session.size - 1)}`,
        'Docker-Upload-UUID': session.id,
      },
    );
  }
  const { written } = await stageStream(ctx.req, ctx.store.stagingDir, { file: session.file, append: true });
  if (range && range.end - range.start + 1 !== written) {
    await fs.promises.truncate(session.file, session.size);
    throw new RegistryError(416, 'BLOB_UPLOAD_INVALID', 'chunk length does not match its Content-Range');
  }
  return { ...session, size: session.size + written };
}

export async function patchUpload(ctx: RepoContext, id: string): Promise<void> {
  const session = await appendChunk(ctx, await findUpload(ctx.store.stagingDir, ctx.name, id));
  sendProgress(ctx, session, 202);
}

/** PUT ?digest=: the last chunk (if any) and completion. A wrong digest is 400 DIGEST_INVALID; nothing is kept. */
export async function putUpload(ctx: RepoContext, id: string): Promise<void> {
  let session = await findUpload(ctx.store.stagingDir, ctx.name, id);
  const digest = requestedDigest(ctx);
  session = await appendChunk(ctx, session);
  try {
    const { size, digests } = await hashFile(session.file);
    await finish(ctx, { file: session.file, size, digests }, digest);
  } finally {
    await endUpload(ctx.store.stagingDir, session.id);
  }
}

export async function getUpload(ctx: RepoContext, id: string): Promise<void> {
  sendProgress(ctx, await findUpload(ctx.store.stagingDir, ctx.name, id), 204);
}

export async function cancelUpload(ctx: RepoContext, id: string): Promise<void> {
  const session = await findUpload(ctx.store.stagingDir, ctx.name, id);
  await endUpload(ctx.store.stagingDir, session.id);
  ctx.res.status(204).end();
}
