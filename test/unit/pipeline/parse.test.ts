import { compilePipelineSource } from '../../../pipeline';
import { errorsOf, HEADER, yaml } from './support';

describe('YAML parsing', () => {
  it('rejects duplicate keys at the second key', () => {
    expect(errorsOf(HEADER + yaml('  - id: a', '    run: echo', '    run: again'))).toEqual([
      { path: '', line: 7, col: 5, message: 'Map keys must be unique' },
    ]);
  });

  it('reports YAML syntax errors with line and column', () => {
    const errors = errorsOf(HEADER + yaml('  - id: a', '    needs: [b', '    run: echo'));
    expect(errors[0]).toMatchObject({ path: '', line: 7 });
    expect(errors[0]!.message).toMatch(/flow sequence|\]/i);
  });

  it('reports every error of a stage in one pass, sorted by position', () => {
    const errors = errorsOf(
      HEADER +
        yaml(
          '  - id: b',
          '    needs: [zz]',
          '    run: echo',
          '  - id: b',
          '    run: echo',
          '  - id: a',
          '    needs: [yy]',
          '    run: echo',
        ),
    );
    expect(errors.map((e) => [e.line, e.col, e.path])).toEqual([
      [6, 13, 'steps[0].needs[0]'],
      [8, 9, 'steps[1].id'],
      [11, 13, 'steps[2].needs[0]'],
    ]);
    // Schema errors are all reported together too; semantic rules run once the shape is right.
    const schema = errorsOf(HEADER + yaml('  - id: B', '    run: 1', '    timeout: 5x', '    nope: 1'));
    expect(schema.map((e) => e.path)).toEqual([
      'steps[0].id',
      'steps[0].run',
      'steps[0].timeout',
      'steps[0].nope',
    ]);
  });

  it('rejects a billion-laughs alias bomb without expanding it', () => {
    const bomb = yaml(
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
      'h: [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
    );
    const errors = errorsOf(bomb);
    expect(errors).toEqual([
      {
        path: '',
        line: 1,
        col: 1,
        message: 'document expands to more than 200000 nodes (aliases or nesting)',
      },
    ]);
  });

  it('still accepts modest aliases', () => {
    const result = compilePipelineSource(
      HEADER +
        yaml(
          '  - id: a',
          '    env: &common { A: "1" }',
          '    run: echo',
          '  - id: b',
          '    env: *common',
          '    run: echo',
        ),
    );
    expect(result.ok).toBe(true);
  });

  it('rejects documents over 1 MiB', () => {
    const big = HEADER + yaml('  - id: a', `    run: "${'x'.repeat(1024 * 1024)}"`);
    expect(errorsOf(big)).toEqual([
      { path: '', line: 1, col: 1, message: 'document is larger than 1048576 bytes (1 MiB)' },
    ]);
  });

  it('rejects more than 2000 declared steps', () => {
    const steps = Array.from({ length: 2001 }, (_, i) => `  - { id: s${i}, run: echo }`);
    expect(errorsOf(HEADER + yaml(...steps))).toEqual([
      { path: 'steps', line: 5, col: 3, message: 'too many steps: 2001 declared, at most 2000' },
    ]);
  });

  it('rejects several documents in one source', () => {
    expect(errorsOf(HEADER + yaml('  - { id: a, run: echo }', '---', 'x: 1'))[0]).toMatchObject({
      line: 6,
      col: 1,
      message: 'Source contains multiple documents; please use YAML.parseAllDocuments()',
    });
  });

  it('rejects empty and non-mapping documents', () => {
    expect(errorsOf('')).toEqual([{ path: '', line: 1, col: 1, message: 'document is empty' }]);
    expect(errorsOf('- 1\n- 2\n')).toEqual([
      { path: '', line: 1, col: 1, message: 'a pipeline document must be a YAML mapping' },
    ]);
  });

  it('rejects non-string mapping keys and __proto__', () => {
    expect(
      errorsOf(HEADER + yaml('  - id: a', '    run: echo', '    env: { ? [x] : 1, __proto__: 2 }')),
    ).toEqual([
      { path: 'steps[0].env', line: 7, col: 14, message: 'mapping keys must be plain strings' },
      { path: 'steps[0].env', line: 7, col: 23, message: 'key "__proto__" is not allowed' },
    ]);
  });
});
