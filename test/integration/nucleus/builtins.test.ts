import fs from 'node:fs';
import path from 'node:path';
import {
  BUILTIN_COMPONENTS_DIR,
  publishBuiltinComponents,
  readBuiltinComponents,
} from '../../../api/nucleus/builtins';
import { publishComponent } from '../../../api/nucleus/catalog';
import { createDb, type Db } from '../../../lib/db';
import { createLogger } from '../../../lib/logger';
import { parseComponentSource } from '../../../pipeline';
import { testConfig } from '../../support/stack';

let db: Db;
beforeAll(() => {
  db = createDb(testConfig().DATABASE_URL!);
});
afterAll(() => db.$disconnect());

describe('built-in components at start-up', () => {
  it('are published once however many API processes start at the same time', async () => {
    const logger = createLogger('silent');
    await Promise.all([1, 2, 3].map(() => publishBuiltinComponents(db, logger)));
    const specs = readBuiltinComponents();
    const rows = await db.componentVersion.findMany({
      where: { component: { name: { in: specs.map((s) => s.name) } } },
      include: { component: true },
    });
    expect(rows.map((r) => `${r.component.name}@${r.version}`).sort()).toEqual(
      specs.map((s) => `${s.name}@${s.version}`).sort(),
    );
  });

  it('carry the README.md beside their component.yaml, stored with the version and not in its spec', async () => {
    const specs = readBuiltinComponents();
    for (const spec of specs) {
      const file = path.join(BUILTIN_COMPONENTS_DIR, spec.name, 'README.md');
      expect([spec.name, spec.readme]).toEqual([spec.name, fs.readFileSync(file, 'utf8')]);
    }
    await publishBuiltinComponents(db, createLogger('silent'));
    const row = await db.componentVersion.findFirstOrThrow({ where: { component: { name: 'git-clone' } } });
    expect(row.readme).toContain('# git-clone');
    expect((row.spec as Record<string, unknown>).readme).toBeUndefined();
  });

  it('two publishers of one new version race without error: one creates it, the other finds it', async () => {
    const parsed = parseComponentSource(
      'apiVersion: containerops/v1\nkind: Component\nname: race-tool\nversion: 1.0.0\nrun: echo hi\n',
    );
    if (!parsed.ok) throw new Error('invalid fixture');
    const outcomes = await Promise.all([
      publishComponent(db, parsed.spec),
      publishComponent(db, parsed.spec),
    ]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['created', 'unchanged']);
  });
});
