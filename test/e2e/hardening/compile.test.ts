import { MAX_ERRORS } from '../../../pipeline/errors';
import { MAX_DEPTH } from '../../../pipeline/parse';
import { startStack, type Stack } from '../../support/stack';
import { createProject } from '../../support/runs';

let stack: Stack;
let project: string;
beforeAll(async () => {
  stack = await startStack({ worker: false });
  project = await createProject(stack);
});
afterAll(async () => {
  await stack?.stop();
});

const header = 'apiVersion: containerops/v1\nkind: Pipeline\nname: hostile\n';
/** 20,000 uses of an undeclared param in one script (300 KB): 20,000 errors to find. */
const manyErrors = `${header}steps:\n  - id: a\n    run: "${Array.from({ length: 20_000 }, () => '${{ params.x }}').join(' ')}"\n`;
/** 2,000 chained steps, each reading an ancestor's output: the largest document allowed. */
const manySteps = `${header}steps:\n${Array.from(
  { length: 2_000 },
  (_, i) => `  - id: s${i}\n    run: echo \${{ steps.s0.outputs.x }}\n${i ? `    needs: [s${i - 1}]\n` : ''}`,
).join('')}`;
const TOO_DEEP = `nesting is too deep: at most ${MAX_DEPTH} levels of maps and lists`;
const nested = (depth: number) =>
  `${header}steps:\n  - id: a\n    run: "true"\n    with: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`;

interface Validation {
  valid: boolean;
  errors: Array<{ path: string; line: number; col: number; message: string }>;
}

const validate = async (source: string): Promise<Validation> => {
  const res = await stack.request('POST', `/api/v1/projects/${project}/pipelines/validate`, source);
  expect(res.status).toBe(200);
  return (await res.json()) as Validation;
};

describe('compiling hostile pipelines', () => {
  it(`reports at most ${MAX_ERRORS} errors per document, and says there were more (item 4)`, async () => {
    const result = await validate(manyErrors);
    expect(result.valid).toBe(false);
    expect(result.errors).toHaveLength(MAX_ERRORS + 1);
    expect(result.errors[0]).toMatchObject({ path: 'steps[0].run', line: 6, message: 'unknown param "x"' });
    expect(result.errors[MAX_ERRORS]!.message).toMatch(/more than 100 errors/);
    const create = await stack.request('POST', `/api/v1/projects/${project}/pipelines`, manyErrors);
    expect(create.status).toBe(422);
  });

  it('answers other requests while a large document compiles (item 4)', async () => {
    const order: string[] = [];
    const slow = validate(manySteps).then(() => order.push('validate'));
    // sent after the validation, answered before it: compilation is not on the request thread
    await new Promise((r) => setTimeout(r, 50));
    const ready = await fetch(`${stack.url}/healthz`);
    order.push('healthz');
    expect(ready.status).toBe(200);
    await slow;
    expect(order).toEqual(['healthz', 'validate']);
  });

  it('caps nesting with a located, human message (item 5)', async () => {
    for (const depth of [MAX_DEPTH + 5, 20_000]) {
      const result = await validate(nested(depth));
      expect(result.valid).toBe(false);
      expect(result.errors).toEqual([
        expect.objectContaining({
          line: 7,
          message: `nesting is too deep: at most ${MAX_DEPTH} levels of maps and lists`,
        }),
      ]);
      expect(result.errors[0]!.col).toBeGreaterThan(1);
    }
    // nesting within the cap is fine (with: holds anything the component accepts)
    expect((await validate(nested(10))).errors.map((e) => e.message)).not.toContain(
      expect.stringMatching(/nesting/),
    );
  });

  it('refuses documents nested 100,000 deep, again and again, and keeps answering (issue 22 item 1)', async () => {
    const shapes = [
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
      `${header}steps:\n  - id: a\n    run: "true"\n    with:\n      x: ${'- '.repeat(20_000)}y\n`,
    ];
    for (const source of shapes) {
      // the second compile of such a document in the same compiler aborted the whole process
      for (let i = 0; i < 2; i++) {
        const result = await validate(source);
        expect(result.errors).toEqual([expect.objectContaining({ path: '', message: TOO_DEEP })]);
        expect(result.errors[0]!.line).toBeGreaterThan(0);
      }
      const create = await stack.request('POST', `/api/v1/projects/${project}/pipelines`, source);
      expect(create.status).toBe(422);
      expect(create.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await create.json()).toMatchObject({
        errors: [{ message: TOO_DEEP, line: expect.any(Number) }],
      });
    }
    expect((await fetch(`${stack.url}/readyz`)).status).toBe(200);
  });

  it('refuses JSON bodies nested past 64 levels with a located 422, not a 500 (issue 22 item 2)', async () => {
    const res = await stack.request(
      'POST',
      '/api/v1/components',
      `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
      {
        headers: { 'content-type': 'application/json' },
      },
    );
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await res.json()).toMatchObject({
      errors: [{ line: 1, col: 65, message: 'nesting is too deep: at most 64 levels of arrays and objects' }],
    });
  });
});
