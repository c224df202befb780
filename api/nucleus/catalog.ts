import crypto from 'node:crypto';
import semver from 'semver';
import type { Db } from '../../lib/db';
import { conflict, invalid, notFound } from '../../lib/errors';
import {
  canonicalJson,
  componentSchema,
  parseComponentSource,
  type CatalogSnapshot,
  type ComponentSpec,
} from '../../pipeline';
import type { Component, ComponentVersion } from '../../generated/prisma/client';

/** `readme`: the same spec, published again with another README (documentation may be corrected in place). */
export type PublishOutcome = 'created' | 'unchanged' | 'readme';

/** component.yaml text (or a JSON body) -> validated spec, or 422 with every error located. */
export function componentSpecOr422(body: unknown): ComponentSpec {
  const source = typeof body === 'string' ? body : JSON.stringify(body ?? null);
  const result = parseComponentSource(source);
  if (result.ok) return result.spec;
  throw invalid(
    `the component has ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`,
    result.errors.map((e) => ({ path: e.path, line: e.line, col: e.col, message: e.message })),
  );
}

export function specDigest(spec: ComponentSpec): string {
  return `sha256:${crypto.createHash('sha256').update(canonicalJson(spec)).digest('hex')}`;
}

/**
 * Stores an immutable version. The same version with the same content is a no-op
 * (`unchanged`); with other content it is a 409. Safe under concurrent publishers.
 * The README travels with the version but is not its content: it is kept beside the spec, outside
 * the digest, and the same spec published with another README replaces it (`readme`).
 */
export async function publishComponent(
  db: Db,
  published: ComponentSpec,
): Promise<{ outcome: PublishOutcome; version: ComponentVersion; component: Component }> {
  const { readme, ...spec } = published;
  const digest = specDigest(spec);
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.$transaction(async (tx) => {
        const component =
          (await tx.component.findUnique({ where: { name: spec.name } })) ??
          (await tx.component.create({
            data: { id: crypto.randomUUID(), name: spec.name, description: spec.description ?? '' },
          }));
        const existing = await tx.componentVersion.findUnique({
          where: { componentId_version: { componentId: component.id, version: spec.version } },
        });
        if (existing) {
          if (existing.digest !== digest) {
            throw conflict(
              `${spec.name}@${spec.version} is already published with other content (${existing.digest}); ` +
                'published versions are immutable: publish a new version',
            );
          }
          if (readme === undefined || readme === existing.readme)
            return { outcome: 'unchanged' as const, version: existing, component };
          const version = await tx.componentVersion.update({ where: { id: existing.id }, data: { readme } });
          return { outcome: 'readme' as const, version, component };
        }
        const version = await tx.componentVersion.create({
          data: {
            id: crypto.randomUUID(),
            componentId: component.id,
            version: spec.version,
            image: spec.image ?? null,
            spec: spec as object,
            digest,
            readme: readme ?? null,
          },
        });
        const newest = await newestVersion(tx, component.id);
        const updated =
          newest === spec.version
            ? await tx.component.update({
                where: { id: component.id },
                data: { description: spec.description ?? '' },
              })
            : component;
        return { outcome: 'created' as const, version, component: updated };
      });
    } catch (err) {
      // two publishers raced on the same name or version: the loser retries and finds the row
      if ((err as { code?: string }).code === 'P2002' && attempt < 3) continue;
      throw err;
    }
  }
}

async function newestVersion(
  db: Pick<Db, 'componentVersion'>,
  componentId: string,
): Promise<string | undefined> {
  const rows = await db.componentVersion.findMany({ where: { componentId }, select: { version: true } });
  return semver.rsort(rows.map((r) => r.version))[0];
}

export async function findComponent(db: Db, name: string) {
  const component = await db.component.findUnique({ where: { name }, include: { versions: true } });
  if (!component) throw notFound(`component ${JSON.stringify(name)}`);
  return component;
}

export async function findVersion(db: Db, name: string, version: string) {
  const component = await findComponent(db, name);
  const found = component.versions.find((v) => v.version === version);
  if (!found) throw notFound(`component ${name}@${version}`);
  return { component, version: found };
}

export async function setYanked(db: Db, name: string, version: string, yanked: boolean) {
  const { component, version: row } = await findVersion(db, name, version);
  const updated = await db.componentVersion.update({
    where: { id: row.id },
    data: { yanked, yankedAt: yanked ? new Date() : null },
  });
  return { component, version: updated };
}

/** The catalog as plain data for the compiler: every version's inputs, yanked ones marked. */
export async function catalogSnapshot(db: Db): Promise<CatalogSnapshot> {
  const rows = await db.componentVersion.findMany({
    select: { version: true, yanked: true, spec: true, component: { select: { name: true } } },
  });
  const snapshot: CatalogSnapshot = {};
  for (const row of rows) {
    const spec = storedSpec(row.spec);
    (snapshot[row.component.name] ??= []).push({
      version: row.version,
      yanked: row.yanked,
      inputs: spec.inputs,
      ...(spec.timeout ? { timeout: spec.timeout } : {}),
    });
  }
  return snapshot;
}

/** A spec read back from the database (validated when published; parsed again for its types). */
export function storedSpec(spec: unknown): ComponentSpec {
  return componentSchema.parse(spec);
}

function sortedVersions(versions: ComponentVersion[]): ComponentVersion[] {
  return [...versions].sort((a, b) => semver.rcompare(a.version, b.version));
}

export function versionView(name: string, v: ComponentVersion) {
  const spec = storedSpec(v.spec);
  return {
    name,
    version: v.version,
    description: spec.description ?? '',
    // a built-in's image is pinned by digest once built (npm run components:build)
    image: v.image ?? spec.image ?? null,
    requires: spec.requires ?? [],
    inputs: spec.inputs,
    outputs: spec.outputs,
    timeout: spec.timeout ?? null,
    readme: v.readme,
    digest: v.digest,
    yanked: v.yanked,
    yankedAt: v.yankedAt,
    publishedAt: v.createdAt,
    spec,
  };
}

/** A component with its versions, newest first; `latest` is the newest not yanked. */
export function componentView(component: Component & { versions: ComponentVersion[] }) {
  const versions = sortedVersions(component.versions);
  const latest = versions.find((v) => !v.yanked);
  const latestSpec = latest ? storedSpec(latest.spec) : undefined;
  return {
    name: component.name,
    description: component.description,
    latest: latest?.version ?? null,
    inputs: latestSpec?.inputs ?? [],
    outputs: latestSpec?.outputs ?? [],
    /** the latest version's README (markdown), null when it has none */
    readme: latest?.readme ?? null,
    versions: versions.map((v) => ({
      version: v.version,
      digest: v.digest,
      yanked: v.yanked,
      publishedAt: v.createdAt,
    })),
    createdAt: component.createdAt,
  };
}
