import { deepStrictEqual, ok } from 'node:assert';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { compilePipelineSource, validatePlan, type CompileResult } from '../../../pipeline';

const IDS = ['a', 'b', 'c', 'build', 'test', 'deploy', 'lint-js', 'x1'];
const DURATIONS = ['90s', '15m', '2h', '1h30m', '500ms', '1d', '5x', '1.5h', '', 'm'];
const EXPRESSIONS = [
  'params.ref',
  'run.id',
  'run.status',
  'matrix.node',
  'steps.a.outputs.v',
  "steps['lint-js'].status",
  'steps.build.status == "succeeded"',
  'int(steps.test.outputs.cov) > 80',
  '[1, 2].all(x, x > 0)',
  'size(env) > 0 && ',
  'foo(1)',
  ')(',
  '"unterminated',
];
const SCALARS = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean());

const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom(...EXPRESSIONS).map((e) => `echo \${{ ${e} }}`),
  fc.constantFrom(...EXPRESSIONS).map((e) => `\${{ ${e} }}`),
);

const step = fc.record(
  {
    id: fc.constantFrom(...IDS),
    needs: fc.uniqueArray(fc.constantFrom(...IDS), { maxLength: 3 }),
    run: text,
    uses: fc.constantFrom('git-clone@1', 'deploy', 'Bad Name', 'x@^1.2'),
    approval: fc.record({ approvers: fc.array(fc.constantFrom('team:a', 'user:b'), { maxLength: 2 }) }),
    image: fc.constantFrom('node:22', '${{ matrix.node }}'),
    with: fc.dictionary(fc.constantFrom('a', 'b', 'url'), SCALARS, { maxKeys: 2 }),
    env: fc.dictionary(fc.constantFrom('A', 'B'), fc.oneof(SCALARS, text), { maxKeys: 2 }),
    if: fc.constantFrom(...EXPRESSIONS),
    matrix: fc.dictionary(fc.constantFrom('node', 'os'), fc.array(SCALARS, { maxLength: 3 }), { maxKeys: 2 }),
    retry: fc.record(
      {
        attempts: fc.integer({ min: 0, max: 5 }),
        backoff: fc.constantFrom(...DURATIONS),
        factor: fc.constantFrom(1, 2),
      },
      { requiredKeys: [] },
    ),
    timeout: fc.constantFrom(...DURATIONS),
    services: fc.array(fc.constantFrom('prod', 'db'), { maxLength: 2 }),
    runtime: fc.constantFrom('local', 'kubernetes', 'docker'),
    continueOnError: fc.boolean(),
    pod: fc.record({ namespace: fc.constantFrom('ci', 'Bad') }, { requiredKeys: [] }),
  },
  { requiredKeys: ['id'] },
);

function isUsableMatrix(matrix: unknown): matrix is Record<string, unknown[]> {
  if (!matrix || typeof matrix !== 'object') return false;
  const axes = Object.values(matrix) as unknown[][];
  return axes.length > 0 && axes.every((v) => v.length > 0 && new Set(v.map(String)).size === v.length);
}

/** Mostly-valid native documents: a DAG over earlier steps, with a few random extras. */
const nativeDoc = fc
  .record({
    name: fc.constantFrom('demo', 'web-app', 'ci', 'Bad_Name'),
    params: fc.uniqueArray(fc.record({ name: fc.constantFrom('ref', 'env', 'n') }), {
      maxLength: 2,
      selector: (p) => p.name,
    }),
    steps: fc.array(step, { minLength: 1, maxLength: 4 }),
    finally: fc.array(step, { maxLength: 2 }),
    simple: fc.array(
      fc.nat({ max: 4 }).map((n) => n > 0),
      { minLength: 8, maxLength: 8 },
    ),
  })
  .map(({ name, params, steps, finally: fin, simple }) => {
    // Most steps are forced into a valid shape so that many documents compile.
    const tidy = (s: Record<string, unknown>, i: number, all: Record<string, unknown>[], prefix: string) => {
      if (!simple[i % simple.length]) return s;
      const earlier = all.slice(0, i).map((o, j) => `${prefix}${j}`);
      return {
        id: `${prefix}${i}`,
        needs: ((s.needs as string[]) ?? [])
          .map((_, k) => earlier[k % Math.max(earlier.length, 1)])
          .filter(Boolean),
        run: `echo \${{ run.id }} ${typeof s.run === 'string' && !s.run.includes('$') ? s.run : ''}`,
        ...(isUsableMatrix(s.matrix)
          ? { matrix: s.matrix, env: { M: `\${{ matrix.${Object.keys(s.matrix)[0]} }}` } }
          : {}),
      };
    };
    const mainSteps = steps.map((s, i, all) => tidy(s as Record<string, unknown>, i, all, 's'));
    return stringify({
      apiVersion: 'containerops/v1',
      kind: 'Pipeline',
      name,
      params,
      steps: mainSteps.map((s) => {
        const needs = [...new Set(((s.needs as (string | undefined)[]) ?? []).filter(Boolean))];
        return { ...s, needs };
      }),
      finally: fin.map((s, i) => tidy(s as Record<string, unknown>, i, fin, 'f')),
    });
  });

const flowDoc = fc
  .record({
    stages: fc.array(
      fc.record({
        type: fc.constantFrom('normal', 'normal', 'pause', 'start', 'end'),
        name: fc.constantFrom('build', 'test', 'Deploy Prod', 'x'),
        sequencing: fc.constantFrom('sequence', 'parallel'),
        actions: fc.array(
          fc.record({
            name: fc.constantFrom('a', 'b', 'c'),
            jobs: fc.array(
              fc.record(
                {
                  type: fc.constant('component'),
                  endpoint: fc.constantFrom('img:1', 'img:2'),
                  outputs: fc.array(fc.constantFrom('OUT', 'URI'), { maxLength: 2 }),
                  subscriptions: fc.array(
                    fc.record({
                      key: fc.constantFrom('build.a.0[OUT]', 'test.b.0[URI]', 'x.c.1[OUT]', 'bad'),
                      env: fc.constantFrom('IN', 'URI', '9bad'),
                    }),
                    { maxLength: 2 },
                  ),
                  timeout: fc.constantFrom(0, 60, '5m', 'soon'),
                },
                { requiredKeys: ['type', 'endpoint'] },
              ),
              { minLength: 1, maxLength: 3 },
            ),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ stages }) =>
    stringify({
      uri: 'acme/demo/flow',
      stages: stages.map((s) =>
        s.type === 'normal'
          ? {
              ...s,
              actions: s.actions.map((a) => ({
                ...a,
                jobs: a.jobs.map((j) => ({
                  ...j,
                  subscriptions: j.subscriptions?.map(({ key, env }) => ({ [key]: env })),
                })),
              })),
            }
          : { type: s.type, name: s.name },
      ),
    }),
  );

const NOISE = [
  '${{',
  '}}',
  '&a ',
  '*a',
  ': ',
  '- ',
  '[',
  ']',
  '{',
  '}',
  '\n',
  '\t',
  '"',
  "'",
  '#',
  '!!',
  '?',
  '|',
  '\u0000',
];
const mutation = fc.record({
  at: fc.nat(),
  length: fc.nat({ max: 10 }),
  kind: fc.constantFrom('delete', 'insert', 'duplicate'),
  insert: fc.oneof(fc.constantFrom(...NOISE), fc.string({ maxLength: 5 })),
});
const mutated = fc
  .tuple(fc.oneof(nativeDoc, flowDoc), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([doc, mutations]) =>
    mutations.reduce((s, m) => {
      const at = s.length === 0 ? 0 : m.at % s.length;
      if (m.kind === 'delete') return s.slice(0, at) + s.slice(at + m.length);
      if (m.kind === 'insert') return s.slice(0, at) + m.insert + s.slice(at);
      return s.slice(0, at) + s.slice(at, at + m.length * 4).repeat(2) + s.slice(at);
    }, doc),
  );

/** Plain asserts: jest's expect is too slow for ten thousand documents. */
const timing = { compileMs: 0 };
function checkResult(source: string): CompileResult {
  const started = Date.now();
  const result = compilePipelineSource(source);
  timing.compileMs += Date.now() - started;
  if (result.ok) {
    deepStrictEqual(JSON.parse(JSON.stringify(result.plan)), result.plan);
    deepStrictEqual(validatePlan(result.plan), result.plan);
  } else {
    ok(result.errors.length > 0);
    let last = 0;
    for (const e of result.errors) {
      ok(!e.message.startsWith('internal error'), e.message);
      ok(e.line >= 1 && e.col >= 1, `bad position ${e.line}:${e.col}`);
      const position = e.line * 1e6 + e.col;
      ok(position >= last, 'errors are not sorted by position');
      last = position;
    }
  }
  return result;
}

describe('compilePipelineSource under random input', () => {
  let valid = 0;
  const count = (r: CompileResult) => {
    if (r.ok) valid++;
  };

  it('handles generated native documents (3,000)', () => {
    fc.assert(
      fc.property(nativeDoc, (s) => count(checkResult(s))),
      { numRuns: 3000 },
    );
  });

  it('handles generated ContainerOps flows (1,000)', () => {
    fc.assert(
      fc.property(flowDoc, (s) => count(checkResult(s))),
      { numRuns: 1000 },
    );
  });

  it('handles mutated documents (3,000)', () => {
    fc.assert(
      fc.property(mutated, (s) => count(checkResult(s))),
      { numRuns: 3000 },
    );
  });

  it('handles arbitrary strings and JSON values (3,000)', () => {
    const junk = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.jsonValue({ maxDepth: 4 }).map((v) => stringify(v)),
    );
    fc.assert(
      fc.property(junk, (s) => count(checkResult(s))),
      { numRuns: 3000 },
    );
  });

  it('compiled a fair share of valid plans', () => {
    expect(valid).toBeGreaterThan(1000);
    console.log(`valid ${valid}, compile ${timing.compileMs} ms`);
  });
});
