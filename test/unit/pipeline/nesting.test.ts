import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { compilePipelineSource } from '../../../pipeline';
import { scanNesting } from '../../../pipeline/nesting';
import { MAX_DEPTH } from '../../../pipeline/parse';

const TOO_DEEP = `nesting is too deep: at most ${MAX_DEPTH} levels of maps and lists`;
const ROOT = path.resolve(__dirname, '../../..');

/** Levels of maps and lists, counting the outermost (a scalar is 0). */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((max, child) => Math.max(max, depthOf(child)), 0);
}

/** The pre-scan's estimate: the smallest limit it lets through. */
function estimate(source: string): number {
  for (let limit = 0; ; limit++) if (!scanNesting(source, limit)) return limit;
}

const hostile: Record<string, (depth: number) => string> = {
  'flow lists': (d) => `${'['.repeat(d)}${']'.repeat(d)}`,
  'flow maps (JSON sent as YAML)': (d) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`,
  'compact block lists': (d) => `${'- '.repeat(d)}x\n`,
  'indented block maps': (d) => `${Array.from({ length: d }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} 1\n`,
  'lists at the column of their map': (d) =>
    `${Array.from({ length: d / 2 }, (_, i) => `${' '.repeat(i)}a:\n${' '.repeat(i)}-`).join('\n')} 1\n`,
};

describe('nesting pre-scan (before the YAML parser)', () => {
  it.each(Object.entries(hostile))(
    'refuses deep %s before parsing, at the first level too many',
    (_, make) => {
      for (const depth of [200, 1200]) {
        const result = compilePipelineSource(make(depth));
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.errors).toEqual([expect.objectContaining({ path: '', message: TOO_DEEP })]);
      }
    },
  );

  it('refuses the reported shapes: lists 100,000 deep, JSON maps 10,000 deep sent as YAML', () => {
    for (const source of [
      hostile['flow lists']!(100_000),
      hostile['flow maps (JSON sent as YAML)']!(10_000),
    ]) {
      const result = compilePipelineSource(source);
      expect(result).toMatchObject({ ok: false, errors: [{ message: TOO_DEEP }] });
    }
  });

  it('locates the refusal where the nesting goes past the limit', () => {
    const source = `name: x\nwith: ${'['.repeat(500)}${']'.repeat(500)}\n`;
    const result = compilePipelineSource(source);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject({ line: 2, col: expect.any(Number) });
    if (!result.ok) expect(result.errors[0]!.col).toBeGreaterThan(6);
  });

  it('never estimates below the real depth, and at most 2 levels above it (block and flow styles)', () => {
    const values = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null)),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    const styles = fc.record({
      collectionStyle: fc.constantFrom('any', 'block', 'flow' as const),
      indent: fc.integer({ min: 1, max: 4 }),
      indentSeq: fc.boolean(),
    });
    fc.assert(
      fc.property(values, styles, (value, options) => {
        const source = stringify(value, options);
        const depth = depthOf(value);
        const scanned = estimate(source);
        expect(scanned).toBeGreaterThanOrEqual(depth);
        expect(scanned).toBeLessThanOrEqual(depth + 2);
      }),
      { numRuns: 300, seed: 22 },
    );
  });

  it('lets real documents through: block scalars with brackets, expressions, flows', () => {
    const source = [
      'apiVersion: containerops/v1',
      'kind: Pipeline',
      'name: brackets',
      'steps:',
      '  - id: a',
      '    run: |',
      `      echo "${'['.repeat(200)}" '{{{{{{{{{'`,
      `      echo \${{ params.x }} ${'{'.repeat(100)}`,
      `    env: { A: "${'['.repeat(200)}", B: '${'{'.repeat(90)}' }`,
      '',
    ].join('\n');
    expect(scanNesting(source)).toBeUndefined();
  });

  it('compiling a deep document twice no longer aborts the process (V8 RegExpCompiler out of memory)', () => {
    // run in a child: on a process abort (exit 134) only the child dies
    const script = [
      "require('tsx/cjs/api').register();",
      "const { compilePipelineSource } = require('./pipeline');",
      "const deep = '['.repeat(850) + ']'.repeat(850);",
      'for (let i = 0; i < 3; i++) if (compilePipelineSource(deep).ok) process.exit(2);',
      "const block = '- '.repeat(5000) + 'x';",
      'for (let i = 0; i < 3; i++) if (compilePipelineSource(block).ok) process.exit(2);',
    ].join('\n');
    const child = spawnSync(process.execPath, ['-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).not.toMatch(/FATAL ERROR/);
    expect(child.status).toBe(0);
  });
});
