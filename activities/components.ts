import type { Db } from '../lib/db';

export interface ResolvedComponent {
  name: string;
  version: string;
  image: string;
  script?: string;
  command?: string[];
  env: Record<string, string>;
}

function parts(version: string): number[] {
  return version
    .split(/[.+-]/)
    .slice(0, 3)
    .map((p) => Number.parseInt(p, 10) || 0);
}

/** `*`, `1`, `1.2` and `1.2.3` (exact) ranges, the forms the DSL's `uses: name@range` takes. */
export function satisfies(version: string, range: string): boolean {
  if (range === '*' || range === '' || range === 'latest') return true;
  const want = range.replace(/^[v^~=]/, '').split('.');
  const have = version.replace(/^v/, '').split('.');
  return want.every((w, i) => w === 'x' || w === '*' || w === have[i]);
}

function compareVersions(a: string, b: string): number {
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** The newest catalog version of `name` that satisfies `range`, or undefined. */
export async function resolveComponent(
  db: Db,
  name: string,
  range: string,
): Promise<ResolvedComponent | undefined> {
  const component = await db.component.findUnique({ where: { name }, include: { versions: true } });
  const best = component?.versions
    .filter((v) => satisfies(v.version, range))
    .sort((a, b) => compareVersions(b.version, a.version))[0];
  if (!best) return undefined;
  const spec = (best.spec ?? {}) as { script?: string; command?: string[]; env?: Record<string, string> };
  return {
    name,
    version: best.version,
    image: best.image,
    script: spec.script,
    command: spec.command,
    env: spec.env ?? {},
  };
}
