import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { algorithmOf, isDigest } from '../../../lib/blobs/digest';
import { stageAndHash } from '../../../lib/blobs/ingest';
import { commitBlob } from '../blob-records';
import type { RepoContext } from './context';
import { digestInvalid, manifestUnknown, RegistryError } from './errors';
import { digestOf, manifestFacts, readManifest } from './manifest-body';
import { isTag } from './names';
import { assertQuota } from './quota';
import { sendBlob } from './send-blob';

function checkReference(reference: string): 'digest' | 'tag' {
  if (isDigest(reference)) return 'digest';
  if (isTag(reference)) return 'tag';
  if (/:/.test(String(reference))) throw digestInvalid(`${reference} is not a sha256 or sha512 digest`);
  throw new RegistryError(400, 'MANIFEST_INVALID', `${reference} is neither a tag nor a digest`);
}

async function resolve(ctx: RepoContext, reference: string) {
  const kind = isDigest(reference) ? 'digest' : isTag(reference) ? 'tag' : undefined;
  if (!kind) throw manifestUnknown(reference);
  let digest = reference;
  if (kind === 'tag') {
    const tag = await ctx.db.registryTag.findUnique({
      where: { repo_name: { repo: ctx.name, name: reference } },
    });
    if (!tag) throw manifestUnknown(reference);
    digest = tag.digest;
  }
  const manifest = await ctx.db.registryManifest.findUnique({
    where: { repo_digest: { repo: ctx.name, digest } },
  });
  if (!manifest) throw manifestUnknown(reference);
  return manifest;
}

export async function getManifest(ctx: RepoContext, reference: string): Promise<void> {
  const m = await resolve(ctx, reference);
  await sendBlob(ctx.store, ctx.req, ctx.res, {
    digest: m.digest,
    size: Number(m.size),
    contentType: m.mediaType,
  });
}

/** sha256 for a push by tag, unless the repository holds this very manifest under its sha512 digest. */
async function tagDigest(ctx: RepoContext, body: Buffer): Promise<string> {
  const sha256 = digestOf(body, 'sha256');
  const sha512 = digestOf(body, 'sha512');
  const known = await ctx.db.registryManifest.findMany({
    where: { repo: ctx.name, digest: { in: [sha256, sha512] } },
    select: { digest: true },
  });
  return known.length === 1 && known[0]!.digest === sha512 ? sha512 : sha256;
}

/** PUT by tag or digest (?tag= adds tags). Stores the bytes as a blob, records what referrers need. */
export async function putManifest(ctx: RepoContext, reference: string): Promise<void> {
  const kind = checkReference(reference);
  const extraTags = ([] as unknown[]).concat(ctx.req.query.tag ?? []).map(String);
  for (const t of extraTags) {
    if (!isTag(t)) throw new RegistryError(400, 'MANIFEST_INVALID', `tag ${JSON.stringify(t)} is not valid`);
  }
  const body = await readManifest(ctx.req);
  const digest = kind === 'digest' ? reference : await tagDigest(ctx, body);
  if (kind === 'digest' && digestOf(body, algorithmOf(reference)) !== reference) {
    throw digestInvalid(`manifest digest is ${digestOf(body, algorithmOf(reference))}, not ${reference}`);
  }
  const facts = manifestFacts(body, ctx.req.headers['content-type']);
  const existing = await ctx.db.registryManifest.findUnique({
    where: { repo_digest: { repo: ctx.name, digest } },
  });
  if (!existing) await assertQuota(ctx.db, ctx.project.id, body.length, ctx.config.CO_DOCKYARD_QUOTA_BYTES);
  const staged = await stageAndHash(Readable.from([body]), ctx.store.stagingDir);
  await commitBlob(ctx.db, ctx.store, staged, digest);
  const data = {
    mediaType: facts.mediaType,
    size: BigInt(body.length),
    artifactType: facts.artifactType ?? null,
    subject: facts.subject ?? null,
    annotations: facts.annotations ?? undefined,
  };
  await ctx.db.registryManifest.upsert({
    where: { repo_digest: { repo: ctx.name, digest } },
    create: { id: crypto.randomUUID(), projectId: ctx.project.id, repo: ctx.name, digest, ...data },
    update: data,
  });
  const tags = kind === 'tag' ? [reference, ...extraTags] : extraTags;
  for (const name of tags) {
    await ctx.db.registryTag.upsert({
      where: { repo_name: { repo: ctx.name, name } },
      create: { id: crypto.randomUUID(), projectId: ctx.project.id, repo: ctx.name, name, digest },
      update: { digest },
    });
  }
  ctx.res.setHeader('Location', `/v2/${ctx.name}/manifests/${digest}`);
  ctx.res.setHeader('Docker-Content-Digest', digest);
  if (facts.subject) ctx.res.setHeader('OCI-Subject', facts.subject);
  if (extraTags.length) ctx.res.setHeader('OCI-Tag', extraTags.join(', '));
  ctx.res.setHeader('Content-Length', '0');
  ctx.res.status(201).end();
}

/** By digest: the manifest and every tag on it; by tag: that tag only. */
export async function deleteManifest(ctx: RepoContext, reference: string): Promise<void> {
  if (isDigest(reference)) {
    const { count } = await ctx.db.registryManifest.deleteMany({
      where: { repo: ctx.name, digest: reference },
    });
    if (!count) throw manifestUnknown(reference);
    await ctx.db.registryTag.deleteMany({ where: { repo: ctx.name, digest: reference } });
  } else {
    if (!isTag(reference)) throw manifestUnknown(reference);
    const { count } = await ctx.db.registryTag.deleteMany({ where: { repo: ctx.name, name: reference } });
    if (!count) throw manifestUnknown(reference);
  }
  ctx.res.status(202).setHeader('Content-Length', '0').end();
}
