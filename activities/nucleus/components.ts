import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../lib/db';
import { componentSchema, parseComponentSource, resolveRange, type ComponentSpec } from '../../pipeline';

/** Built-in components ship files beside component.yaml; the local runtime exposes the folder. */
const BUILTIN_DIR = path.resolve(__dirname, '../../components');

export interface ResolvedComponent {
  name: string;
  version: string;
  spec: ComponentSpec;
  /** the catalog entry's image: a built-in's is pinned by digest once built (npm run components:build) */
  image?: string;
  /** components/<name> when this is a built-in whose folder holds this very version */
  dir?: string;
}

/**
 * The version a plan pinned (even if yanked since), or for plans saved without a pin the
 * newest version in the range that is not yanked. Undefined when there is none.
 */
export async function resolveComponent(
  db: Db,
  uses: { name: string; range: string; version?: string },
): Promise<ResolvedComponent | undefined> {
  const component = await db.component.findUnique({
    where: { name: uses.name },
    include: { versions: true },
  });
  if (!component) return undefined;
  const row = uses.version
    ? component.versions.find((v) => v.version === uses.version)
    : resolveRange(component.versions, uses.range);
  if (!row) return undefined;
  const spec = componentSchema.parse(row.spec);
  return {
    name: uses.name,
    version: row.version,
    spec,
    image: row.image ?? spec.image,
    dir: builtinDir(spec),
  };
}

function builtinDir(spec: ComponentSpec): string | undefined {
  const dir = path.join(BUILTIN_DIR, spec.name);
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'component.yaml'), 'utf8');
  } catch {
    return undefined;
  }
  const local = parseComponentSource(text);
  return local.ok && local.spec.version === spec.version ? dir : undefined;
}
