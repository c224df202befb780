import {
  compilePipelineSource,
  expandMatrix,
  matrixKey,
  parseDuration,
  pipelineJsonSchema,
  validatePlan,
  type ExecutionPlan,
} from '../../../pipeline';
import { planOf } from './support';

const DESIGN_EXAMPLE = `apiVersion: containerops/v1
kind: Pipeline
name: web-app
description: Build, test and deploy
params:
  - { name: ref, default: main }
env: { NODE_ENV: production }
timeout: 2h
maxParallel: 8
steps:
  - id: checkout
    uses: git-clone@1
    with: { url: "https://example.org/app.git", ref: "\${{ params.ref }}" }
    artifacts:
      out: [ { name: source, path: . } ]
  - id: test
    needs: [checkout]
    image: node:22
    run: |
      npm test
      echo "coverage=87" >> "$CO_OUTPUTS"
    matrix: { node: ["20", 22] }
    retry: { attempts: 3, backoff: 5s, factor: 2 }
    timeout: 15m
    artifacts:
      in:  [ { name: source, from: checkout } ]
      out: [ { name: coverage, path: coverage/ } ]
  - id: release-gate
    needs: [test]
    if: 'int(steps.test.outputs.coverage) >= 80'
    approval: { approvers: ["team:release"], timeout: 24h }
  - id: deploy
    needs: [release-gate]
    uses: kubernetes-deploy
    services: [prod-cluster]
finally:
  - id: notify
    uses: webhook-notify@1
    with: { status: "\${{ run.status }}", attempt: 1 }
`;

describe('compiling to an ExecutionPlan', () => {
  it('compiles the design document example to the agreed plan shape', () => {
    const result = compilePipelineSource(DESIGN_EXAMPLE);
    expect(result).toMatchObject({ ok: true, format: 'native' });
    const plan = planOf(DESIGN_EXAMPLE);
    expect(plan).toMatchObject({
      version: 1,
      format: 'native',
      name: 'web-app',
      description: 'Build, test and deploy',
      params: [{ name: 'ref', default: 'main', required: false }],
      env: { NODE_ENV: 'production' },
      timeoutMs: 7_200_000,
      maxParallel: 8,
      edges: [
        { from: 'checkout', to: 'test' },
        { from: 'test', to: 'release-gate' },
        { from: 'release-gate', to: 'deploy' },
      ],
    });
    expect(plan.nodes[1]).toEqual({
      id: 'test',
      needs: ['checkout'],
      kind: 'run',
      script: 'npm test\necho "coverage=87" >> "$CO_OUTPUTS"\n',
      exprEnv: {},
      image: 'node:22',
      with: {},
      env: {},
      matrix: { node: ['20', '22'] },
      retry: { attempts: 3, backoffMs: 5000, factor: 2 },
      timeoutMs: 900_000,
      artifacts: {
        in: [{ name: 'source', from: 'checkout' }],
        out: [{ name: 'coverage', path: 'coverage/' }],
      },
      services: [],
      continueOnError: false,
      line: 16,
    });
    expect(plan.nodes[2]).toMatchObject({
      kind: 'approval',
      if: 'int(steps.test.outputs.coverage) >= 80',
      approval: { approvers: ['team:release'], timeoutMs: 86_400_000 },
    });
    expect(plan.nodes[3]).toMatchObject({ kind: 'uses', uses: { name: 'kubernetes-deploy', range: '*' } });
    expect(plan.nodes[0]!.uses).toEqual({ name: 'git-clone', range: '1' });
    expect(plan.finally).toEqual([
      expect.objectContaining({
        id: 'notify',
        with: { status: '${{ run.status }}', attempt: '1' },
        retry: { attempts: 1, backoffMs: 1000, factor: 2 },
      }),
    ]);
  });

  it('orders nodes topologically, ties in declaration order', () => {
    const plan = planOf(
      'apiVersion: containerops/v1\nkind: Pipeline\nname: demo\nsteps:\n' +
        [
          '  - { id: deploy, needs: [build, lint], run: echo }',
          '  - { id: build, needs: [fetch], run: echo }',
          '  - { id: lint, needs: [fetch], run: echo }',
          '  - { id: fetch, run: echo }',
        ].join('\n'),
    );
    expect(plan.nodes.map((n) => n.id)).toEqual(['fetch', 'build', 'lint', 'deploy']);
  });

  it('produces plans that survive JSON and validatePlan unchanged', () => {
    const plan = planOf(DESIGN_EXAMPLE);
    const copy = JSON.parse(JSON.stringify(plan)) as ExecutionPlan;
    expect(copy).toStrictEqual(plan);
    expect(validatePlan(copy)).toStrictEqual(plan);
    expect(() => validatePlan({ ...plan, version: 2 })).toThrow();
  });

  it('keeps pod settings for the kubernetes runtime', () => {
    const plan = planOf(
      'apiVersion: containerops/v1\nkind: Pipeline\nname: demo\nsteps:\n' +
        [
          '  - id: build',
          '    runtime: kubernetes',
          '    run: make',
          '    pod:',
          '      namespace: ci',
          '      resources: { requests: { cpu: 500m, memory: 1Gi }, limits: { cpu: 2 } }',
          '      tolerations: [{ key: dedicated, operator: Equal, value: ci, effect: NoSchedule }]',
          '      imagePullSecrets: [pull]',
        ].join('\n'),
    );
    expect(plan.nodes[0]).toMatchObject({
      runtime: 'kubernetes',
      pod: {
        namespace: 'ci',
        resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2' } },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ci', effect: 'NoSchedule' }],
        imagePullSecrets: ['pull'],
      },
    });
  });

  it('never throws, whatever the input', () => {
    for (const input of [undefined, null, 42, {}, '\u0000', ': : :', '[', '&a [*a]', 'a: !!js/function x']) {
      const result = compilePipelineSource(input as unknown as string);
      expect(result.ok).toBe(false);
    }
  });
});

describe('helpers', () => {
  it('parses durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1d')).toBe(86_400_000);
    for (const bad of ['', '15', '1.5h', '30m1h', '1h1h', 'h', '-1s', '1 h', '400d']) {
      expect(parseDuration(bad)).toBeUndefined();
    }
  });

  it('expands a matrix in axis order with stable keys', () => {
    const combos = expandMatrix({ os: ['linux', 'mac'], node: ['20', '22'] });
    expect(combos).toEqual([
      { os: 'linux', node: '20' },
      { os: 'linux', node: '22' },
      { os: 'mac', node: '20' },
      { os: 'mac', node: '22' },
    ]);
    expect(matrixKey(combos[0]!)).toBe('node=20,os=linux');
  });

  it('generates a JSON Schema of the native format', () => {
    const schema = pipelineJsonSchema() as {
      properties: Record<string, unknown>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(schema.required).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'name', 'steps']));
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['params', 'env', 'timeout', 'maxParallel', 'steps', 'finally']),
    );
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});
