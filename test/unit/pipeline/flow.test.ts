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

  it('warns about unknown keys and run state, and gives colliding names their own ids', () => {
    const source = yaml(
      'uri: acme/demo/ci',
      'number: 12',
      'stages:',
      '  - type: normal',
      '    name: s',
      '    colour: blue',
      '    actions:',
      '      - { name: a_b, jobs: [{ type: component, endpoint: img, status: running, logs: [x] }] }',
      '      - { name: a-b, jobs: [{ type: component, endpoint: img }] }',
    );
    const result = compilePipelineSource(source);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.plan.nodes.map((n) => [n.id, n.needs])).toEqual([
      ['s-a-b-0', []],
      ['s-a-b-0-2', ['s-a-b-0']],
    ]);
    expect(result.warnings).toEqual([
      {
        path: 'number',
        line: 2,
        col: 1,
        message: '"number" is run state the original engine wrote back; ignored',
      },
      { path: 'stages[0].colour', line: 6, col: 5, message: 'unknown key "colour"; ignored' },
      {
        path: 'stages[0].actions[0].jobs[0].status',
        line: 8,
        col: 63,
        message: '"status" is run state the original engine wrote back; ignored',
      },
      {
        path: 'stages[0].actions[0].jobs[0].logs',
        line: 8,
        col: 80,
        message: '"logs" is run state the original engine wrote back; ignored',
      },
    ]);
  });

  it('reads the 2017 dialect: name instead of uri, job output, short subscriptions', () => {
    const result = compilePipelineSource(
      yaml(
        'name: cncf/demo-for-cncf-ci/65 # <namespace>/<flow>/<run-number>',
        'stages:',
        '  - type: normal',
        '    name: build',
        '    actions:',
        '      - name: release-coredns',
        '        jobs:',
        '          - { type: component, endpoint: img, output: ["CO_COREDNS_URI", "CO_E2E.TEST_URI"] }',
        '  - type: normal',
        '    name: k8s',
        '    actions:',
        '      - name: build-kubernetes',
        '        jobs:',
        '          - type: component',
        '            endpoint: img',
        '            subscriptions:',
        '              - release-coredns[CO_COREDNS_URI]: CO_COREDNS_URI',
        '              - build.release-coredns.0[CO_E2E.TEST_URI]: E2E',
      ),
    );
    expect(result).toMatchObject({ ok: true, format: 'flow', warnings: [] });
    if (!result.ok) return;
    expect(result.plan.name).toBe('demo-for-cncf-ci');
    expect(result.plan.nodes[1]).toMatchObject({
      id: 'k8s-build-kubernetes-0',
      needs: ['build-release-coredns-0'],
      env: {
        CO_COREDNS_URI: '${{ steps["build-release-coredns-0"].outputs.CO_COREDNS_URI }}',
        E2E: '${{ steps["build-release-coredns-0"].outputs["CO_E2E.TEST_URI"] }}',
      },
    });
  });

  it('treats any document with stages as a flow, and asks for uri when it has no name', () => {
    expect(errorsOf(yaml('title: x', 'stages:', '  - { type: start, name: start }'))).toEqual([
      {
        path: '',
        line: 1,
        col: 1,
        message: 'a flow needs uri: namespace/repository/name (or name: in the 2017 dialect)',
      },
    ]);
  });

  it('skips empty stage, action and job entries with a warning', () => {
    const result = compilePipelineSource(
      yaml(
        'uri: a/b/c',
        'stages:',
        '  -',
        '  - type: normal',
        '    name: s',
        '    actions:',
        '      - { name: a, jobs: [{ type: component, endpoint: img }, null] }',
        '      -',
      ),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.plan.nodes.map((n) => n.id)).toEqual(['s-a-0']);
    expect(result.warnings.map((w) => `${w.line}:${w.col} ${w.path}: ${w.message}`)).toEqual([
      '3:4 stages[0]: empty stage entry; skipped',
      '7:63 stages[1].actions[0].jobs[1]: empty job entry; skipped',
      '8:8 stages[1].actions[1]: empty action entry; skipped',
    ]);
  });

  it('keeps ids of long names unique with a hash suffix', () => {
    const long = 'component-python-analysis-coala-action-that-goes-on-and-on-and-on';
    const plan = planOf(
      yaml(
        'uri: a/b/c',
        'stages:',
        '  - type: normal',
        '    name: analysis-python-component',
        '    actions:',
        `      - { name: ${long}1, jobs: [{ type: component, endpoint: img }] }`,
        `      - { name: ${long}2, jobs: [{ type: component, endpoint: img }] }`,
      ),
    );
    const ids = plan.nodes.map((n) => n.id);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids)
      expect(id).toMatch(/^analysis-python-component-component-python-[a-z0-9-]*-[0-9a-f]{8}$/);
    expect(ids.every((id) => id.length <= 63)).toBe(true);
  });

  it('applies flow environments to every job, job environments win', () => {
    const plan = planOf(
      yaml(
        'uri: a/b/c',
        'environments:',
        '  - REGISTRY: hub.example',
        '  - MODE: ci',
        'stages:',
        '  - type: normal',
        '    name: s',
        '    actions:',
        '      - name: a',
        '        jobs:',
        '          - { type: component, endpoint: img, environments: [{ MODE: release }, { CO_DATA: "" }] }',
      ),
    );
    expect(plan.env).toEqual({ REGISTRY: 'hub.example', MODE: 'ci' });
    expect(plan.nodes[0]!.env).toEqual({ MODE: 'release', CO_DATA: '' });
  });

  it('turns a kubectl job into kubernetes-apply in replace mode, in the flow namespace', () => {
    const source = yaml(
      'uri: a/b/c',
      'namespace: servicecomb',
      'receivers: [{ type: mail, address: ops@example.org }]',
      'stages:',
      '  - type: normal',
      '    name: deploy',
      '    actions:',
      '      - name: bmi',
      '        jobs:',
      '          - { type: component, kubectl: bmi/deployment.yaml, resources: { cpu: 0, memory: 0 } }',
    );
    const result = compilePipelineSource(source);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.warnings).toEqual([]);
    expect(result.plan.receivers).toEqual([{ type: 'mail', address: 'ops@example.org' }]);
    expect(result.plan.nodes[0]).toMatchObject({
      kind: 'uses',
      uses: { name: 'kubernetes-apply', range: '^1' },
      with: { manifests: 'bmi/deployment.yaml', namespace: 'servicecomb', mode: 'replace' },
    });
    expect(result.plan.nodes[0]!.pod).toBeUndefined();
    expect(planOf(source.replace('namespace: servicecomb\n', '')).nodes[0]!.with.namespace).toBe('default');
    const noKubectl = compilePipelineSource(source.replace('kubectl: bmi/deployment.yaml', 'endpoint: img'));
    expect(noKubectl.warnings).toEqual([
      {
        path: 'namespace',
        line: 2,
        col: 12,
        message: 'namespace applies to kubectl jobs only, and this flow has none; ignored',
      },
    ]);
    expect(errorsOf(source.replace('kubectl: bmi/deployment.yaml', 'kubectl:'))).toEqual([
      {
        path: 'stages[0].actions[0].jobs[0]',
        line: 10,
        col: 13,
        message: 'a job needs endpoint (the image to run) or kubectl (a manifest to apply)',
      },
    ]);
  });
});

describe('flows with many jobs of one name', () => {
  /** `n` jobs named `j` in one action, each subscribing to `j[K]`. */
  const sameNames = (n: number, stage = 's') =>
    yaml(
      'uri: acme/demo/many',
      'stages:',
      '  - type: normal',
      `    name: ${stage}`,
      '    actions:',
      '      - name: a',
      '        jobs:',
      ...Array.from({ length: n }, () => [
        '          - name: j',
        '            type: component',
        '            endpoint: acme/x:1',
        '            subscriptions: [ { "j[K]": V } ]',
      ]).flat(),
    );

  it('names at most five of the ambiguous jobs in an error, then how many more', () => {
    const errors = errorsOf(sameNames(1_000));
    const ambiguous = errors.find((e) => Number(/names (\d+) jobs/.exec(e.message)?.[1]) > 5);
    expect(ambiguous?.message).toMatch(
      /names \d+ jobs \(s-a-j(-\d+)?(, s-a-j-\d+){4} and \d+ more\); use stage\.action\.job/,
    );
    expect(errors.length).toBeLessThanOrEqual(101);
  });

  it('wires each job to the one job of that name before it in the same action', () => {
    const plan = planOf(
      yaml(
        'uri: acme/demo/two',
        'stages:',
        '  - type: normal',
        '    name: s',
        '    actions:',
        '      - name: a',
        '        jobs:',
        '          - { name: j, type: component, endpoint: acme/x:1 }',
        '          - { name: k, type: component, endpoint: acme/x:1, subscriptions: [ { "j[K]": V } ] }',
      ),
    );
    expect(plan.nodes.find((n) => n.id === 's-a-k')?.env).toMatchObject({
      V: '${{ steps["s-a-j"].outputs.K }}',
    });
  });
});
