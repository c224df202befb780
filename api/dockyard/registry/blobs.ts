import { isDigest } from '../../../lib/blobs/digest';
import type { RepoContext } from './context';
import { blobUnknown, digestInvalid } from './errors';
import { repoBlob, unlinkBlob } from './repo-blobs';
import { sendBlob } from './send-blob';

export async function getBlob(ctx: RepoContext, digest: string): Promise<void> {
  if (!isDigest(digest)) throw digestInvalid(`${digest} is not a sha256 or sha512 digest`);
  const link = await repoBlob(ctx.db, ctx.name, digest);
  const stat = link ? await ctx.store.stat(digest) : undefined;
  if (!link || !stat) throw blobUnknown(digest);
  await sendBlob(ctx.store, ctx.req, ctx.res, {
    digest,
    size: stat.size,
    contentType: 'application/octet-stream',
  });
}

export async function deleteBlob(ctx: RepoContext, digest: string): Promise<void> {
  if (!isDigest(digest)) throw digestInvalid(`${digest} is not a sha256 or sha512 digest`);
  // the stored content stays until the garbage collector finds nothing referencing it
  if (!(await unlinkBlob(ctx.db, ctx.name, digest))) throw blobUnknown(digest);
  ctx.res.status(202).setHeader('Content-Length', '0').end();
}
