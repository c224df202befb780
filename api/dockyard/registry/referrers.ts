import { isDigest } from '../../../lib/blobs/digest';
import type { RepoContext } from './context';
import { digestInvalid } from './errors';

const INDEX = 'application/vnd.oci.image.index.v1+json';

/** GET /referrers/<digest>: an image index of the manifests whose subject is <digest>, optionally by artifactType. */
export async function listReferrers(ctx: RepoContext, digest: string): Promise<void> {
  if (!isDigest(digest)) throw digestInvalid(`${digest} is not a sha256 or sha512 digest`);
  const artifactType =
    typeof ctx.req.query.artifactType === 'string' ? ctx.req.query.artifactType : undefined;
  const rows = await ctx.db.registryManifest.findMany({
    where: { repo: ctx.name, subject: digest, ...(artifactType ? { artifactType } : {}) },
    orderBy: { createdAt: 'asc' },
  });
  if (artifactType) ctx.res.setHeader('OCI-Filters-Applied', 'artifactType');
  ctx.res.status(200).type(INDEX);
  // a Buffer, so Express appends no charset to the media type
  ctx.res.send(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: INDEX,
        manifests: rows.map((m) => ({
          mediaType: m.mediaType,
          digest: m.digest,
          size: Number(m.size),
          ...(m.artifactType ? { artifactType: m.artifactType } : {}),
          ...(m.annotations ? { annotations: m.annotations } : {}),
        })),
      }),
    ),
  );
}
