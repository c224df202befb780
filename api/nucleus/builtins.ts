import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../lib/db';
import type { Logger } from '../../lib/logger';
import { parseComponentSource, README_MAX_CHARS, type ComponentSpec } from '../../pipeline';
import { publishComponent } from './catalog';

/** The repository's components/ folder: one sub-folder per built-in component. */
export const BUILTIN_COMPONENTS_DIR = path.resolve(__dirname, '../../components');

/** Reads and validates every components/<name>/component.yaml; a broken one is a start-up error. */
export function readBuiltinComponents(dir = BUILTIN_COMPONENTS_DIR): ComponentSpec[] {
  if (!fs.existsSync(dir)) return [];
  const specs: ComponentSpec[] = [];
  for (const entry of fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))) {
    const file = path.join(dir, entry.name, 'component.yaml');
    if (!entry.isDirectory() || !fs.existsSync(file)) continue;
    const result = parseComponentSource(fs.readFileSync(file, 'utf8'));
    if (!result.ok) {
      const first = result.errors[0]!;
      throw new Error(`${file}:${first.line}:${first.col}: ${first.path} ${first.message}`);
    }
    if (result.spec.name !== entry.name)
      throw new Error(`${file}: name ${result.spec.name} must match its folder ${entry.name}`);
    specs.push(withReadme(result.spec, path.join(dir, entry.name, 'README.md')));
  }
  return specs;
}

/** The README.md beside a component.yaml is its README, unless the yaml has a `readme:` of its own. */
function withReadme(spec: ComponentSpec, file: string): ComponentSpec {
  if (spec.readme !== undefined || !fs.existsSync(file)) return spec;
  const readme = fs.readFileSync(file, 'utf8');
  if (readme.length > README_MAX_CHARS)
    throw new Error(
      `${file}: a README has at most ${README_MAX_CHARS} characters, this one ${readme.length}`,
    );
  return { ...spec, readme };
}

/**
 * Publishes the built-ins; idempotent, and safe when several API processes start at once.
 * A built-in whose version already exists with other content is logged, never overwritten.
 */
export async function publishBuiltinComponents(db: Db, logger: Logger, dir?: string): Promise<void> {
  for (const spec of readBuiltinComponents(dir)) {
    try {
      const { outcome } = await publishComponent(db, spec);
      if (outcome === 'created')
        logger.info({ component: `${spec.name}@${spec.version}` }, 'built-in component published');
    } catch (err) {
      logger.error(
        { component: `${spec.name}@${spec.version}`, err: (err as Error).message },
        'built-in component not published: bump its version when its content changes',
      );
    }
  }
}

/**
 * Pins a built-in's image: the catalog entry of `name@version` names the image built for it and
 * pushed to dockyard, by digest, which every runtime then runs. The spec (and its digest) stay as
 * published: the image reference is where the version's image was put, not what the version is.
 */
export async function pinBuiltinImage(
  db: Db,
  name: string,
  version: string,
  image: string,
): Promise<boolean> {
  const component = await db.component.findUnique({ where: { name } });
  if (!component) return false;
  const updated = await db.componentVersion.updateMany({
    where: { componentId: component.id, version },
    data: { image },
  });
  return updated.count > 0;
}

/** The image a built-in's catalog entry names now (pinned or as published). */
export async function builtinImage(db: Db, name: string, version: string): Promise<string | undefined> {
  const component = await db.component.findUnique({
    where: { name },
    include: { versions: { where: { version } } },
  });
  return component?.versions[0]?.image ?? undefined;
}
