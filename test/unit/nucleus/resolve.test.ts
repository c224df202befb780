import { compilePipelineSource, parseComponentSource, resolveRange } from '../../../pipeline';
import type { CatalogSnapshot } from '../../../pipeline';

const v = (version: string, yanked = false) => ({ version, yanked });

describe('semver resolution of uses ranges', () => {
  const versions = [v('1.2.3'), v('1.2.9'), v('1.4.0'), v('2.0.0'), v('2.1.0', true), v('3.0.0-rc.1')];
  it.each([
    ['^1.2.3', '1.4.0'],
    ['~1.2.3', '1.2.9'],
    ['1', '1.4.0'],
    ['1.2', '1.2.9'],
    ['1.2.3', '1.2.3'],
    ['*', '2.0.0'],
    ['latest', '2.0.0'],
    ['^2', '2.0.0'],
  ])('%s resolves to %s (yanked and prerelease versions skipped)', (range, expected) => {
    expect(resolveRange(versions, range)?.version).toBe(expected);
  });
  it('resolves to nothing when only yanked versions match', () => {
    expect(resolveRange(versions, '2.1.0')).toBeUndefined();
  });
});

describe('pinning at compile time', () => {
  const catalog: CatalogSnapshot = {
    tool: [
      { version: '1.0.0', yanked: false, inputs: [], timeout: '5m' },
      { version: '1.3.1', yanked: false, inputs: [], timeout: '7m' },
    ],
  };
  it('records the resolved version per step and takes the component timeout as the default', () => {
    const result = compilePipelineSource(
      `apiVersion: containerops/v1
kind: Pipeline
name: p
steps:
  - { id: a, uses: tool@^1 }
  - { id: b, uses: tool@1.0.0, timeout: 1m }
`,
      catalog,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.plan.components).toEqual({ a: 'tool@1.3.1', b: 'tool@1.0.0' });
    expect(result.plan.nodes.find((n) => n.id === 'a')).toMatchObject({
      uses: { name: 'tool', range: '^1', version: '1.3.1' },
      timeoutMs: 7 * 60_000,
    });
    expect(result.plan.nodes.find((n) => n.id === 'b')?.timeoutMs).toBe(60_000);
  });
});

describe('component.yaml', () => {
  it('accepts a typed component and applies defaults', () => {
    const parsed = parseComponentSource(`apiVersion: containerops/v1
kind: Component
name: c
version: 1.0.0
run: echo
inputs:
  - { name: mode, type: enum, values: [a, b], default: a }
  - { name: n }
`);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.spec.inputs[1]).toEqual({ name: 'n', type: 'string', required: false, secret: false });
  });
  it('rejects an enum default outside its values, a secret default and a missing image and script', () => {
    const parsed = parseComponentSource(`apiVersion: containerops/v1
kind: Component
name: c
version: 1.0.0
inputs:
  - { name: mode, type: enum, values: [a, b], default: c }
  - { name: key, secret: true, default: x }
`);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => [e.path, e.line])).toEqual([
      ['run', 1],
      ['inputs[0].default', 6],
      ['inputs[1].default', 7],
    ]);
  });
});
