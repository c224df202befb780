import { errorsOf, HEADER, planOf, yaml } from './support';

describe('step graph rules', () => {
  it('names the cycle and points at the need that closes it', () => {
    const source =
      HEADER +
      yaml(
        '  - { id: a, needs: [c], run: echo }', // line 5
        '  - { id: b, needs: [a], run: echo }',
        '  - { id: c, needs: [b], run: echo }',
      );
    expect(errorsOf(source)).toEqual([
      { path: 'steps[0].needs[0]', line: 5, col: 22, message: 'dependency cycle: a -> c -> b -> a' },
    ]);
  });

  it('reports a step that needs itself as a cycle', () => {
    expect(errorsOf(HEADER + yaml('  - { id: a, needs: [a], run: echo }'))).toEqual([
      { path: 'steps[0].needs[0]', line: 5, col: 22, message: 'dependency cycle: a -> a' },
    ]);
  });

  it('rejects a need that does not exist', () => {
    expect(errorsOf(HEADER + yaml('  - id: a', '    needs: [build]', '    run: echo'))).toEqual([
      { path: 'steps[0].needs[0]', line: 6, col: 13, message: 'step "a" needs unknown step "build"' },
    ]);
  });

  it('rejects duplicate ids, also across finally', () => {
    const source =
      HEADER +
      yaml('  - { id: a, run: echo }', '  - { id: a, run: echo }', 'finally:', '  - { id: a, run: echo }');
    expect(errorsOf(source)).toEqual([
      { path: 'steps[1].id', line: 6, col: 11, message: 'duplicate step id "a" (first declared on line 5)' },
      {
        path: 'finally[0].id',
        line: 8,
        col: 11,
        message: 'duplicate step id "a" (first declared on line 5)',
      },
    ]);
  });

  it('forbids main steps from needing finally steps', () => {
    const source =
      HEADER + yaml('  - { id: a, needs: [notify], run: echo }', 'finally:', '  - { id: notify, run: echo }');
    expect(errorsOf(source)).toEqual([
      {
        path: 'steps[0].needs[0]',
        line: 5,
        col: 22,
        message: 'step "a" needs finally step "notify"; finally steps run after all main steps',
      },
    ]);
  });

  it('rejects a repeated need', () => {
    expect(
      errorsOf(HEADER + yaml('  - { id: a, run: echo }', '  - { id: b, needs: [a, a], run: echo }')),
    ).toEqual([{ path: 'steps[1].needs[1]', line: 6, col: 25, message: 'duplicate need "a"' }]);
  });
});

describe('step shape rules', () => {
  it('requires exactly one of uses, run or approval', () => {
    expect(
      errorsOf(
        HEADER + yaml('  - id: a', '    image: node:22', '  - id: b', '    run: echo', '    uses: x@1'),
      ),
    ).toEqual([
      { path: 'steps[0]', line: 5, col: 5, message: 'step "a" needs exactly one of uses, run or approval' },
      {
        path: 'steps[1]',
        line: 7,
        col: 5,
        message: 'step "b" sets uses and run; use exactly one of uses, run or approval',
      },
    ]);
  });

  it('forbids runtime fields on approval steps', () => {
    const source =
      HEADER +
      yaml(
        '  - id: gate',
        '    approval: { approvers: [team:release] }',
        '    image: node:22',
        '    matrix: { a: [1] }',
        '    retry: { attempts: 2 }',
        '    runtime: local',
      );
    expect(errorsOf(source)).toEqual([
      { path: 'steps[0].image', line: 7, col: 12, message: 'approval step "gate" may not set "image"' },
      { path: 'steps[0].matrix', line: 8, col: 13, message: 'approval step "gate" may not set "matrix"' },
      { path: 'steps[0].retry', line: 9, col: 12, message: 'approval step "gate" may not set "retry"' },
      { path: 'steps[0].runtime', line: 10, col: 14, message: 'approval step "gate" may not set "runtime"' },
    ]);
  });

  it('rejects bad durations everywhere a duration is accepted', () => {
    const source =
      'apiVersion: containerops/v1\nkind: Pipeline\nname: demo\ntimeout: 2 hours\nsteps:\n' +
      yaml(
        '  - id: a', // line 6
        '    run: echo',
        '    timeout: 15',
        '    retry: { backoff: 1m30, maxBackoff: 30m1h }',
        '  - id: gate',
        '    approval: { approvers: [x], timeout: 1.5h }',
      );
    const message = (s: string) =>
      `invalid duration "${s}": use a number with a unit (ms, s, m, h, d), e.g. 90s, 15m, 1h30m, at most 365d`;
    expect(errorsOf(source)).toEqual([
      { path: 'timeout', line: 4, col: 10, message: message('2 hours') },
      { path: 'steps[0].timeout', line: 8, col: 14, message: message('15') },
      { path: 'steps[0].retry.backoff', line: 9, col: 23, message: message('1m30') },
      { path: 'steps[0].retry.maxBackoff', line: 9, col: 41, message: message('30m1h') },
      { path: 'steps[1].approval.timeout', line: 11, col: 42, message: message('1.5h') },
    ]);
  });

  it('rejects a matrix of more than 10,000 combinations and empty axes', () => {
    const values = Array.from({ length: 101 }, (_, i) => i).join(', ');
    const source =
      HEADER +
      yaml(
        '  - id: a',
        '    run: echo',
        '    matrix:',
        `      x: [${values}]`,
        `      y: [${values}]`,
        '  - id: b',
        '    run: echo',
        '    matrix: { os: [] }',
      );
    expect(errorsOf(source)).toEqual([
      { path: 'steps[0].matrix', line: 8, col: 7, message: 'matrix expands to more than 10000 combinations' },
      { path: 'steps[1].matrix.os', line: 12, col: 19, message: 'matrix axis "os" has no values' },
    ]);
  });

  it('accepts a matrix of exactly 10,000 combinations', () => {
    const values = Array.from({ length: 100 }, (_, i) => i).join(', ');
    const plan = planOf(
      HEADER + yaml('  - id: a', '    run: echo', `    matrix: { x: [${values}], y: [${values}] }`),
    );
    expect(plan.nodes[0]!.matrix!.x).toHaveLength(100);
  });

  it('requires runtime kubernetes for pod settings', () => {
    expect(errorsOf(HEADER + yaml('  - id: a', '    run: echo', '    pod: { namespace: ci }'))).toEqual([
      { path: 'steps[0].pod', line: 7, col: 10, message: 'pod settings require runtime: kubernetes' },
    ]);
  });

  it('checks artifact producers', () => {
    const source =
      HEADER +
      yaml(
        '  - id: a',
        '    run: echo',
        '    artifacts: { out: [{ name: dist, path: dist/ }] }',
        '  - id: b',
        '    run: echo',
        '    artifacts: { in: [{ name: dist, from: a }] }',
        '  - id: c',
        '    needs: [a]',
        '    run: echo',
        '    artifacts: { in: [{ name: docs, from: a }, { name: x, from: nope }] }',
      );
    expect(errorsOf(source)).toEqual([
      {
        path: 'steps[1].artifacts.in[0].from',
        line: 10,
        col: 43,
        message:
          'step "b" takes artifact "dist" from "a", which is not among its needs (direct or transitive)',
      },
      {
        path: 'steps[2].artifacts.in[0].from',
        line: 14,
        col: 43,
        message: 'step "a" has no output artifact "docs"',
      },
      {
        path: 'steps[2].artifacts.in[1].from',
        line: 14,
        col: 65,
        message: 'artifact "x" comes from unknown step "nope"',
      },
    ]);
  });

  it('rejects components with an image and malformed uses', () => {
    expect(errorsOf(HEADER + yaml('  - id: a', '    uses: Git Clone', '    image: alpine'))).toEqual([
      {
        path: 'steps[0].uses',
        line: 6,
        col: 11,
        message: 'uses must be a component name with an optional @version range, e.g. git-clone@1',
      },
      {
        path: 'steps[0].image',
        line: 7,
        col: 12,
        message: 'step "a" uses a component, which brings its own image; remove image',
      },
    ]);
  });
});

describe('schema rules', () => {
  it('points unknown keys at the key and names it', () => {
    expect(errorsOf(HEADER + yaml('  - id: a', '    run: echo', '    nedds: [b]'))).toEqual([
      { path: 'steps[0].nedds', line: 7, col: 5, message: 'unknown key "nedds"' },
    ]);
  });

  it('explains wrong types and patterns', () => {
    const source =
      'apiVersion: containerops/v2\nkind: Pipeline\nname: Demo_App\nmaxParallel: 0\nsteps:\n' +
      yaml('  - id: a', '    run: [echo]', '    continueOnError: "yes"', '  - run: echo');
    expect(errorsOf(source)).toEqual([
      { path: 'apiVersion', line: 1, col: 13, message: 'expected "containerops/v1"' },
      { path: 'name', line: 3, col: 7, message: 'must match [a-z][a-z0-9-]{0,62}' },
      { path: 'maxParallel', line: 4, col: 14, message: 'must be at least 1' },
      { path: 'steps[0].run', line: 7, col: 10, message: 'expected a string, got a list' },
      {
        path: 'steps[0].continueOnError',
        line: 8,
        col: 22,
        message: 'expected a bool, got the string "yes"',
      },
      { path: 'steps[1].id', line: 9, col: 5, message: 'missing required field, expected a string' },
    ]);
  });
});
