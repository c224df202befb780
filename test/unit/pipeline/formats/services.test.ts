import { compilePipelineSource } from '../../../../pipeline';
import { compileOther, errorsOfOther, nodeOf } from './run-script';

const AS_WORKFLOW = { fileName: '.github/workflows/ci.yml' };
const AS_GITLAB = { fileName: '.gitlab-ci.yml' };

/** A one-job workflow whose job has `services` (YAML lines under services:). */
function workflow(...services: string[]): string {
  return [
    'on: push',
    'jobs:',
    '  test:',
    '    runs-on: ubuntu-latest',
    '    services:',
    ...services.map((s) => `      ${s}`),
    '    steps:',
    '      - run: curl -s http://db:8080/',
    '',
  ].join('\n');
}

describe('GitHub services: become sidecars of the job step on the container runtime', () => {
  it('reaches each service by its key, waits for its container ports, and passes its env', () => {
    const plan = compileOther(
      workflow(
        'db:',
        '  image: containerops/echo:1',
        '  env: { GREETING: hello }',
        '  ports: ["18080:8080", 9000/tcp]',
        'cache: containerops/cache:1',
      ),
      AS_WORKFLOW,
    );
    const node = nodeOf(plan, 'test');
    expect(node.runtime).toBe('container');
    expect(node.sidecars).toEqual([
      { name: 'db', image: 'containerops/echo:1', env: { GREETING: 'hello' }, ports: [8080, 9000] },
      { name: 'cache', image: 'containerops/cache:1', env: {}, ports: [] },
    ]);
  });

  it.each([
    ['options', 'options: --health-cmd "pg_isready"', 'ready once its ports accept'],
    ['credentials', 'credentials: { username: u, password: p }', 'dockyard with its own login'],
    ['volumes', 'volumes: [ /data:/data ]', 'no host directory'],
  ])('rejects %s at its key', (key, line, message) => {
    const errors = errorsOfOther(workflow('db:', '  image: x/y:1', `  ${line}`), AS_WORKFLOW);
    expect(errors).toEqual([
      expect.objectContaining({
        path: `jobs.test.services.db.${key}`,
        line: 8,
        message: expect.stringContaining(message),
      }),
    ]);
  });

  it('rejects a secret in a service env and a key that is no host name, each at its line', () => {
    const errors = errorsOfOther(
      workflow('db:', '  image: x/y:1', '  env: { PASSWORD: "${{ secrets.DB }}" }', 'my_cache: x/z:1'),
      AS_WORKFLOW,
    );
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'jobs.test.services.db.env.PASSWORD',
        line: 8,
        message: expect.stringContaining('secrets'),
      }),
      expect.objectContaining({
        path: 'jobs.test.services.my_cache',
        line: 9,
        message: expect.stringContaining('host name'),
      }),
    ]);
  });
});

describe('GitLab services: become sidecars, by alias or by the name GitLab derives from the image', () => {
  it('maps strings, objects, default: services and their alias, variables, command and entrypoint', () => {
    const plan = compileOther(
      [
        'default:',
        '  services: [ containerops/echo:1 ]',
        'unit:',
        '  script: [make]',
        'integration:',
        '  services:',
        '    - name: registry.local:5000/tools/postgres:16',
        '      alias: db',
        '      variables: { POSTGRES_PASSWORD: secret }',
        '      command: ["postgres", "-c", "fsync=off"]',
        '      entrypoint: docker-entrypoint.sh',
        '  script: [make it]',
        '',
      ].join('\n'),
      AS_GITLAB,
    );
    expect(nodeOf(plan, 'unit').sidecars).toEqual([
      { name: 'containerops-echo', image: 'containerops/echo:1', env: {}, ports: [] },
    ]);
    expect(nodeOf(plan, 'integration')).toMatchObject({
      runtime: 'container',
      sidecars: [
        {
          name: 'db',
          image: 'registry.local:5000/tools/postgres:16',
          env: { POSTGRES_PASSWORD: 'secret' },
          command: ['postgres', '-c', 'fsync=off'],
          entrypoint: ['docker-entrypoint.sh'],
          ports: [],
        },
      ],
    });
  });

  it('asks for an alias when the derived name is no host name', () => {
    const errors = errorsOfOther(
      'build:\n  services: [ "registry.local:5000/db:1" ]\n  script: [make]\n',
      AS_GITLAB,
    );
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'build.services[0]',
        line: 2,
        message: expect.stringContaining('give the service an alias'),
      }),
    ]);
  });
});

describe('sidecars: in the native format', () => {
  const pipeline = (stepLines: string[]) =>
    [
      'apiVersion: containerops/v1',
      'kind: Pipeline',
      'name: svc',
      'steps:',
      '  - id: test',
      '    run: curl -s http://db:8080/',
      ...stepLines.map((l) => `    ${l}`),
      '',
    ].join('\n');

  it('compiles onto the plan node', () => {
    const result = compilePipelineSource(
      pipeline(['runtime: container', 'sidecars:', '  - { name: db, image: x/y:1, ports: [8080] }']),
    );
    expect(result.ok && result.plan.nodes[0]!.sidecars).toEqual([
      { name: 'db', image: 'x/y:1', env: {}, ports: [8080] },
    ]);
  });

  it('is a located error without runtime: container, and for duplicate names and expressions', () => {
    const result = compilePipelineSource(
      pipeline([
        'sidecars:',
        '  - { name: db, image: x/y:1 }',
        '  - { name: db, image: "x/${{ params.v }}" }',
      ]),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'steps[0].sidecars',
          line: 8,
          message: expect.stringContaining('runtime: container'),
        }),
        expect.objectContaining({
          path: 'steps[0].sidecars[1].name',
          line: 9,
          message: expect.stringContaining('duplicate'),
        }),
        expect.objectContaining({
          path: 'steps[0].sidecars[1].image',
          line: 9,
          message: expect.stringContaining('expressions'),
        }),
      ]),
    );
  });
});
