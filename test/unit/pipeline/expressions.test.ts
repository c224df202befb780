import {
  evaluateCondition,
  evaluateExpression,
  ExpressionError,
  renderTemplate,
  type ExpressionContext,
} from '../../../pipeline';
import { errorsOf, HEADER, planOf, yaml } from './support';
import { parseExpression } from '../../../pipeline/expressions';

const WITH_PARAMS =
  'apiVersion: containerops/v1\nkind: Pipeline\nname: demo\nparams: [{ name: ref }]\nsteps:\n';

describe('expression checks at compile time', () => {
  it('reports a CEL syntax error at its column inside the YAML', () => {
    const source = HEADER + yaml('  - id: a', "    if: params.ref == 'main' &&", '    run: echo');
    expect(errorsOf(source)).toEqual([
      {
        path: 'steps[0].if',
        line: 6,
        col: 30,
        message: 'CEL syntax error: found & but expecting end of input',
      },
    ]);
  });

  it('reports a syntax error inside ${{ }} of a block script at the expression column', () => {
    const source = HEADER + yaml('  - id: a', '    run: |', '      echo start', '      echo ${{ 1 + }}');
    expect(errorsOf(source)[0]).toMatchObject({ path: 'steps[0].run', line: 8, col: 18 });
  });

  it('rejects a reference to a step that is not an ancestor, naming both steps', () => {
    const source =
      HEADER +
      yaml(
        '  - { id: lint, run: echo }',
        '  - { id: build, run: echo }',
        '  - id: deploy',
        '    needs: [build]',
        '    if: steps.build.status == "succeeded" && steps.lint.status == "succeeded"',
        '    run: echo',
      );
    expect(errorsOf(source)).toEqual([
      {
        path: 'steps[2].if',
        line: 9,
        col: 52,
        message: 'step "deploy" references steps.lint, which is not among its needs (direct or transitive)',
      },
    ]);
  });

  it('accepts transitive ancestors and index syntax for ids with dashes', () => {
    const source =
      HEADER +
      yaml(
        '  - { id: unit-test, run: echo }',
        '  - { id: build, needs: [unit-test], run: echo }',
        '  - id: deploy',
        '    needs: [build]',
        "    if: steps['unit-test'].outputs.coverage != ''",
        '    run: echo',
      );
    expect(planOf(source).nodes.map((n) => n.id)).toEqual(['unit-test', 'build', 'deploy']);
  });

  it('hints at index syntax when an id with a dash is written with dots', () => {
    const source =
      HEADER +
      yaml(
        '  - { id: unit-test, run: echo }',
        '  - { id: b, needs: [unit-test], if: steps.unit-test.status == "x", run: echo }',
      );
    expect(errorsOf(source)[0]!.message).toBe(
      `unknown step "unit" in steps.unit (write ids containing "-" as steps['my-step'])`,
    );
  });

  it('only allows declared params, known run fields and names', () => {
    const source =
      WITH_PARAMS +
      yaml(
        '  - id: a',
        '    env:',
        '      A: ${{ params.reff }}',
        '      B: ${{ run.status }}',
        '      C: ${{ foo }}',
      );
    expect(errorsOf(source.replace('    env:', '    run: echo\n    env:'))).toEqual([
      { path: 'steps[0].env.A', line: 9, col: 21, message: 'unknown param "reff"' },
      { path: 'steps[0].env.B', line: 10, col: 18, message: 'run.status is only available in finally steps' },
      {
        path: 'steps[0].env.C',
        line: 11,
        col: 14,
        message: 'unknown name "foo" (use params, env, run, steps, matrix or trigger)',
      },
    ]);
  });

  it('only allows matrix in matrix steps, and declared axes only', () => {
    const source =
      HEADER +
      yaml(
        '  - id: a',
        '    run: echo ${{ matrix.os }}',
        '  - id: b',
        '    run: echo ${{ matrix.node }} ${{ matrix.os }}',
        '    matrix: { node: ["20", "22"] }',
      );
    expect(errorsOf(source)).toEqual([
      { path: 'steps[0].run', line: 6, col: 19, message: 'matrix is only available in a step with a matrix' },
      { path: 'steps[1].run', line: 8, col: 45, message: 'matrix has no axis "os"' },
    ]);
  });

  it('lets finally steps read any main step and run.status', () => {
    const source =
      HEADER +
      yaml(
        '  - { id: a, run: echo }',
        '  - { id: b, run: echo }',
        'finally:',
        '  - id: report',
        '    run: echo "${{ steps.a.status }} ${{ steps.b.outputs.x }} ${{ run.status }}"',
      );
    expect(planOf(source).finally[0]!.exprEnv).toEqual({
      CO_EXPR_1: 'steps.a.status',
      CO_EXPR_2: 'steps.b.outputs.x',
      CO_EXPR_3: 'run.status',
    });
  });

  it('rejects unknown functions, nested macros and unterminated templates', () => {
    const source =
      HEADER +
      yaml(
        '  - id: a',
        '    run: echo',
        '    env:',
        '      A: ${{ shell("rm") }}',
        '      B: ${{ [1].all(x, [2].exists(y, y == x)) }}',
        '      C: ${{ params',
      );
    expect(errorsOf(source)).toEqual([
      { path: 'steps[0].env.A', line: 8, col: 14, message: 'unknown function "shell"' },
      {
        path: 'steps[0].env.B',
        line: 9,
        col: 29,
        message: 'macros such as all(), exists(), map() and filter() may not be nested',
      },
      { path: 'steps[0].env.C', line: 10, col: 10, message: 'unterminated ${{ expression: missing }}' },
    ]);
  });

  it('forbids expressions where they would never be evaluated', () => {
    expect(errorsOf(HEADER + yaml('  - id: a', '    uses: "x@${{ params.v }}"'))).toEqual([
      {
        path: 'steps[0].uses',
        line: 6,
        col: 11,
        message: 'expressions are not allowed here (only in run, image, with, env and if)',
      },
      {
        path: 'steps[0].uses',
        line: 6,
        col: 11,
        message: 'uses must be a component name with an optional @version range, e.g. git-clone@1',
      },
    ]);
  });
});

describe('script injection', () => {
  it('never pastes ${{ }} into a run script: each becomes ${CO_EXPR_n} with the source in exprEnv', () => {
    const plan = planOf(
      WITH_PARAMS +
        yaml(
          '  - id: greet',
          '    run: |',
          '      echo "Hello ${{ params.ref }}"',
          '      git checkout ${{ params.ref }} && echo ${{ run.number + 1 }}',
        ),
    );
    expect(plan.nodes[0]).toMatchObject({
      script: 'echo "Hello ${CO_EXPR_1}"\ngit checkout ${CO_EXPR_1} && echo ${CO_EXPR_2}\n',
      exprEnv: { CO_EXPR_1: 'params.ref', CO_EXPR_2: 'run.number + 1' },
    });
  });
});

describe('evaluation', () => {
  const ctx: ExpressionContext = {
    params: { ref: 'main', count: '3' },
    env: { NODE_ENV: 'production' },
    run: { id: 'run-42', number: 42, status: 'succeeded' },
    steps: {
      test: { outputs: { coverage: '87', report: 'ok' }, status: 'succeeded' },
      'unit-test': { outputs: {}, status: 'failed' },
    },
    matrix: { node: '22' },
  };

  it('evaluates conditions', () => {
    expect(evaluateCondition('int(steps.test.outputs.coverage) >= 80', ctx)).toBe(true);
    expect(evaluateCondition("steps['unit-test'].status == 'failed' && run.number > 40", ctx)).toBe(true);
    expect(evaluateCondition('${{ params.ref == "dev" }}', ctx)).toBe(false);
    expect(evaluateCondition("'coverage' in steps.test.outputs && matrix.node == '22'", ctx)).toBe(true);
  });

  it('throws ExpressionError for missing outputs, non-bool conditions and bad syntax', () => {
    expect(() => evaluateCondition('steps.test.outputs.missing == "x"', ctx)).toThrow(ExpressionError);
    expect(() => evaluateCondition('params.ref', ctx)).toThrow('condition must be a bool, got string');
    expect(() => evaluateCondition('1 +', ctx)).toThrow(/CEL syntax error/);
    expect(() => evaluateExpression('[1].all(x, [2].all(y, true))', ctx)).toThrow(/may not be nested/);
  });

  it('renders templates with strings as-is, numbers and bools via String, lists and maps as JSON', () => {
    expect(
      renderTemplate(
        'ref=${{ params.ref }} n=${{ run.number }} ok=${{ run.number > 1 }} l=${{ [1, "a"] }} m=${{ {"k": 2.5} }}',
        ctx,
      ),
    ).toBe('ref=main n=42 ok=true l=[1,"a"] m={"k":2.5}');
    expect(renderTemplate('no templates', ctx)).toBe('no templates');
  });

  it('returns plain JS values', () => {
    expect(evaluateExpression('[1, 2].map(x, x * 2)', ctx)).toEqual([2, 4]);
    expect(evaluateExpression('{"a": [true]}', ctx)).toEqual({ a: [true] });
  });

  it('parses a repeated condition once (parses are cached and shared)', () => {
    const source = 'int(steps.test.outputs.coverage) >= 80';
    expect(parseExpression(source)).toBe(parseExpression(source));
    expect(evaluateCondition(source, ctx)).toBe(evaluateCondition(source, ctx));
  });

  it('keeps the most expensive allowed expression cheap on large inputs', () => {
    const env: Record<string, string> = {};
    for (let i = 0; i < 5000; i++) env[`VAR_${i}`] = 'x'.repeat(100);
    const macro = "env.all(k, env[k] + env[k] != '')";
    // speed is the benchmarks' business; here: the cap allows four macros over 5,000 variables and refuses a fifth
    expect(evaluateCondition([macro, macro, macro, macro].join(' && '), { ...ctx, env })).toBe(true);
    expect(() => evaluateCondition([macro, macro, macro, macro, macro].join(' && '), ctx)).toThrow(
      'expression uses more than 4 macros such as all() or map()',
    );
  });
});
