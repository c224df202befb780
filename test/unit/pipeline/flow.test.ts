import { compilePipelineSource } from '../../../pipeline';
import { errorsOf, planOf, yaml } from './support';

const FLOW = yaml(
  'uri: acme/demo/ci', // 1
  'title: Demo flow',
  'timeout: 3600',
  'stages:',
  '  - { type: start, name: start }', // 5
  '  - type: normal',
  '    name: build',
  '    sequencing: parallel',
  '    actions:',
  '      - name: api', // 10
  '        jobs:',
  '          - type: component',
  '            endpoint: acme/build-api:1',
  '            outputs: [IMAGE]',
  '          - type: component', // 15
  '            name: scan',
  '            endpoint: acme/scan:1',
  '      - name: web',
  '        jobs:',
  '          - type: component', // 20
  '            endpoint: acme/build-web:1',
  '            resources: { cpu: 2, memory: 4Gi }',
  '            environments: [{ MODE: prod }, { RETRIES: 3 }]',
  '  - type: normal',
  '    name: deploy', // 25
  '    sequencing: sequence',
  '    actions:',
  '      - name: staging',
  '        jobs:',
  '          - type: component', // 30
  '            endpoint: acme/deploy:1',
  '            timeout: 10m',
  '            subscriptions:',
  '              - build.api.0[IMAGE]: API_IMAGE',
  '      - name: smoke', // 35
  '        jobs:',
  '          - { type: component, endpoint: acme/smoke:1 }',
  '  - { type: end, name: end }',
);

describe('ContainerOps flow front end', () => {
  it('compiles parallel actions, sequenced jobs and a subscription to the expected DAG', () => {
    const result = compilePipelineSource(FLOW);
    expect(result).toMatchObject({ ok: true, format: 'flow' });
    const plan = planOf(FLOW);
    expect(plan).toMatchObject({
      version: 1,
      format: 'flow',
      name: 'ci',
      description: 'Demo flow',
      timeoutMs: 3_600_000,
    });
    expect(plan.nodes.map((n) => [n.id, n.needs])).toEqual([
      ['build-api-0', []],
      ['build-api-scan', ['build-api-0']],
      ['build-web-0', []],
      ['deploy-staging-0', ['build-api-scan', 'build-web-0', 'build-api-0']],
      ['deploy-smoke-0', ['deploy-staging-0']],
    ]);
    expect(plan.nodes[3]).toEqual({
      id: 'deploy-staging-0',
      needs: ['build-api-scan', 'build-web-0', 'build-api-0'],
      kind: 'run',
      exprEnv: {},
      image: 'acme/deploy:1',
      with: {},
      env: { API_IMAGE: '${{ steps["build-api-0"].outputs.IMAGE }}' },
      retry: { attempts: 1, backoffMs: 1000, factor: 2 },
      timeoutMs: 600_000,
      artifacts: { in: [], out: [] },
      services: [],
      continueOnError: false,
      line: 30,
    });
    expect(plan.nodes[2]).toMatchObject({
      env: { MODE: 'prod', RETRIES: '3' },
      pod: { resources: { requests: { cpu: '2', memory: '4Gi' } } },
    });
    expect(plan.nodes.every((n) => n.script === undefined)).toBe(true);
    expect(plan.edges).toContainEqual({ from: 'build-api-0', to: 'deploy-staging-0' });
    expect(plan.finally).toEqual([]);
  });

  it('turns a pause stage into an approval node between stages', () => {
    const plan = planOf(
      yaml(
        'uri: acme/demo/ci',
        'stages:',
        '  - { type: normal, name: a, actions: [{ name: x, jobs: [{ type: component, endpoint: img }] }] }',
        '  - { type: pause, name: Wait For QA, approvers: ["team:qa"], timeout: 2h }',
        '  - { type: normal, name: b, actions: [{ name: y, jobs: [{ type: component, endpoint: img }] }] }',
      ),
    );
    expect(plan.nodes.map((n) => [n.id, n.kind, n.needs])).toEqual([
      ['a-x-0', 'run', []],
      ['wait-for-qa', 'approval', ['a-x-0']],
      ['b-y-0', 'run', ['wait-for-qa']],
    ]);
    expect(plan.nodes[1]!.approval).toEqual({ approvers: ['team:qa'], timeoutMs: 7_200_000 });
  });

  it('rejects subscriptions to unknown or later jobs, with path and line', () => {
    const source = yaml(
      'uri: acme/demo/ci',
      'stages:',
      '  - type: normal',
      '    name: s',
      '    sequencing: parallel',
      '    actions:',
      '      - name: a',
      '        jobs:',
      '          - type: component',
      '            endpoint: img',
      '            subscriptions:',
      '              - s.b.0[OUT]: FROM_B',
      '              - s.zz.0[OUT]: FROM_ZZ',
      '      - name: b',
      '        jobs:',
      '          - { type: component, endpoint: img, outputs: [OUT] }',
    );
    expect(errorsOf(source)).toEqual([
      {
        path: 'stages[0].actions[0].jobs[0].subscriptions[0]["s.b.0[OUT]"]',
        line: 12,
        col: 17,
        message:
          'subscription "s.b.0[OUT]": job "s-b-0" does not run before "s-a-0" (it must be in an earlier stage, an earlier action of a sequence stage, or earlier in the same action)',
      },
      {
        path: 'stages[0].actions[0].jobs[0].subscriptions[1]["s.zz.0[OUT]"]',
        line: 13,
        col: 17,
        message: 'subscription "s.zz.0[OUT]" refers to unknown job "s.zz.0"',
      },
    ]);
  });

  it('rejects unknown keys and colliding ids in flows', () => {
    const source = yaml(
      'uri: acme/demo/ci',
      'stages:',
      '  - type: normal',
      '    name: s',
      '    actions:',
      '      - { name: a_b, jobs: [{ type: component, endpoint: img }] }',
      '      - { name: a-b, jobs: [{ type: component, endpoint: img, kubectl: x.yaml }] }',
    );
    expect(errorsOf(source)).toEqual([
      { path: 'stages[0].actions[1].jobs[0].kubectl', line: 7, col: 63, message: 'unknown key "kubectl"' },
    ]);
    expect(errorsOf(source.replace(', kubectl: x.yaml', ''))).toEqual([
      {
        path: 'stages[0].actions[1].jobs[0]',
        line: 7,
        col: 29,
        message: 'step id "s-a-b-0" of job s.a-b.0 is already used by another job or stage',
      },
    ]);
  });
});
