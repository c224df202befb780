import fs from 'node:fs';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { connectionOptions } from '../../lib/db';
import { mysqlConnection } from '../../lib/mysql';

/**
 * schema.prisma and the migrated database must agree: every model is a table, every scalar
 * field a column with the same nullability, every @id/@unique/@@unique/@@index an index.
 */
interface ModelSpec {
  columns: Map<string, { nullable: boolean }>;
  indexes: Array<{ columns: string[]; unique: boolean }>;
}

const SCALARS = new Set([
  'String',
  'Int',
  'BigInt',
  'Boolean',
  'DateTime',
  'Json',
  'Float',
  'Decimal',
  'Bytes',
]);

function parseSchema(text: string): Map<string, ModelSpec> {
  const models = new Map<string, ModelSpec>();
  for (const match of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const spec: ModelSpec = { columns: new Map(), indexes: [] };
    for (const raw of match[2]!.split('\n')) {
      const line = raw.replace(/\/\/.*$/, '').trim();
      const block = /^@@(id|unique|index)\(\[([^\]]+)\]/.exec(line);
      if (block) {
        spec.indexes.push({
          columns: block[2]!.split(',').map((c) => c.trim()),
          unique: block[1] !== 'index',
        });
        continue;
      }
      const field = /^(\w+)\s+(\w+)(\?|\[\])?(.*)$/.exec(line);
      if (!field || !SCALARS.has(field[2]!) || field[3] === '[]') continue;
      spec.columns.set(field[1]!, { nullable: field[3] === '?' });
      if (/@id\b/.test(field[4]!) || /@unique\b/.test(field[4]!))
        spec.indexes.push({ columns: [field[1]!], unique: true });
    }
    models.set(match[1]!, spec);
  }
  return models;
}

it('schema.prisma and the migrated database agree on every model, field, unique and index', async () => {
  const models = parseSchema(fs.readFileSync(path.resolve(__dirname, '../../prisma/schema.prisma'), 'utf8'));
  expect(models.size).toBeGreaterThan(15);
  const opts = connectionOptions(process.env.DATABASE_URL!);
  const conn = await mysqlConnection(process.env.DATABASE_URL!);
  try {
    const [columns] = await conn.query<
      Array<RowDataPacket & { TABLE_NAME: string; COLUMN_NAME: string; IS_NULLABLE: string }>
    >('SELECT TABLE_NAME, COLUMN_NAME, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?', [
      opts.database,
    ]);
    const [stats] = await conn.query<
      Array<
        RowDataPacket & {
          TABLE_NAME: string;
          INDEX_NAME: string;
          NON_UNIQUE: number | string;
          COLUMN_NAME: string;
          SEQ_IN_INDEX: number | string;
        }
      >
    >(
      'SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SEQ_IN_INDEX FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX',
      [opts.database],
    );
    const tables = new Set(columns.map((c) => c.TABLE_NAME).filter((t) => t !== '_prisma_migrations'));
    expect([...tables].sort()).toEqual([...models.keys()].sort());

    for (const [model, spec] of models) {
      const dbColumns = new Map(
        columns.filter((c) => c.TABLE_NAME === model).map((c) => [c.COLUMN_NAME, c.IS_NULLABLE === 'YES']),
      );
      expect({ model, columns: [...dbColumns.keys()].sort() }).toEqual({
        model,
        columns: [...spec.columns.keys()].sort(),
      });
      for (const [name, { nullable }] of spec.columns)
        expect({ model, name, nullable: dbColumns.get(name) }).toEqual({ model, name, nullable });

      const dbIndexes = new Map<string, { columns: string[]; unique: boolean }>();
      for (const s of stats.filter((x) => x.TABLE_NAME === model)) {
        const entry = dbIndexes.get(s.INDEX_NAME) ?? { columns: [], unique: Number(s.NON_UNIQUE) === 0 };
        entry.columns.push(s.COLUMN_NAME);
        dbIndexes.set(s.INDEX_NAME, entry);
      }
      const key = (i: { columns: string[]; unique: boolean }) =>
        `${i.unique ? 'unique' : 'index'}(${i.columns.join(',')})`;
      const declared = spec.indexes.map(key).sort();
      // MySQL also indexes foreign-key columns; every declared index must exist, and every DB index must be declared or back a relation
      const actual = [...dbIndexes.values()].map(key);
      for (const d of declared)
        expect({ model, index: d, present: actual.includes(d) }).toEqual({ model, index: d, present: true });
      for (const a of actual) {
        const backsRelation = a.startsWith('index(') && spec.columns.has(a.slice(6, -1).split(',')[0]!);
        expect({ model, index: a, declared: declared.includes(a) || backsRelation }).toEqual({
          model,
          index: a,
          declared: true,
        });
      }
    }
  } finally {
    await conn.end();
  }
});
