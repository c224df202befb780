import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';

let stack: Stack;
let project: string;

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
});
afterAll(async () => {
  await stack?.stop();
});

function greeter(version: string, extra = ''): string {
  return `apiVersion: containerops/v1
kind: Component
name: greeter
version: ${version}
description: Greets someone
image: example.org/greeter:${version}
run: |
  echo "hello $INPUT_NAME, token $INPUT_TOKEN, count $INPUT_COUNT"
  echo "greeting=hello-$INPUT_NAME-${version}" >> "$CO_OUTPUTS"
  echo "[COUT] data=$CO_DATA"
inputs:
  - { name: name, type: string, required: true }
  - { name: token, type: string, secret: true }
  - { name: count, type: integer, default: 2 }
outputs:
  - { name: greeting }
${extra}`;
}

const SECRET = 'tok-9f8e7d6c5b';

function pipeline(name: string): string {
  return `apiVersion: containerops/v1
kind: Pipeline
name: ${name}
steps:
  - id: greet
    uses: greeter@^1
    with: { name: world, token: ${SECRET} }
`;
}

async function publish(source: string): Promise<Response> {
  return stack.request('POST', '/api/v1/components', source);
}

async function logsOf(runId: string, stepId: string): Promise<string> {
  const res = await stack.request('GET', `/api/v1/projects/${project}/runs/${runId}/steps/${stepId}/logs`);
  expect(res.status).toBe(200);
  return res.text();
}

async function runOnce(name: string) {
  const started = await trigger(stack, project, name);
  const run = await waitForRun(stack, project, started.id);
  expect(run.status).toBe('succeeded');
  return run;
}

describe('the component catalog', () => {
  it('lists the built-in components with their versions, inputs and outputs', async () => {
    const res = await stack.request('GET', '/api/v1/components?limit=200');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      items: Array<{ name: string; latest: string; inputs: { name: string }[]; outputs: { name: string }[] }>;
    };
    const names = body.items.map((c) => c.name);
    for (const builtin of [
      'git-clone',
      'http-request',
      'webhook-notify',
      'mail-notify',
      'kubernetes-apply',
      'kubernetes-deploy',
      'image-build',
      'image-copy',
      'python-flake8',
      'nodejs-test',
    ])
      expect(names).toContain(builtin);
    const gitClone = body.items.find((c) => c.name === 'git-clone')!;
    expect(gitClone.latest).toMatch(/^\d+\.\d+\.\d+$/);
    expect(gitClone.inputs.map((i) => i.name)).toEqual(expect.arrayContaining(['url', 'ref']));
    expect(gitClone.outputs.map((o) => o.name)).toContain('commit');
  });

  it('publishes over HTTP, pins ^1 at save time, delivers inputs, masks secrets, and keeps saved versions on 1.0.0', async () => {
    expect((await publish(greeter('1.0.0'))).status).toBe(201);
    // same content again: 200; other content under the same version: 409
    expect((await publish(greeter('1.0.0'))).status).toBe(200);
    const changed = await publish(greeter('1.0.0', 'timeout: 5m\n'));
    expect(changed.status).toBe(409);
    expect(changed.headers.get('content-type')).toContain('application/problem+json');

    await createPipeline(stack, project, pipeline('greet-old'));
    const saved = (await (
      await stack.request('GET', `/api/v1/projects/${project}/pipelines/greet-old`)
    ).json()) as any;
    expect(saved.components).toEqual({ greet: 'greeter@1.0.0' });

    const first = await runOnce('greet-old');
    expect(step(first, 'greet').outputs).toMatchObject({ greeting: 'hello-world-1.0.0' });
    expect(step(first, 'greet').outputs.data).toContain('name=world');
    expect(step(first, 'greet').outputs.data).toContain('count=2');
    const log = await logsOf(first.id, 'greet');
    expect(log).toContain('hello world, token ***, count 2');
    expect(log).not.toContain(SECRET);

    expect((await publish(greeter('1.1.0'))).status).toBe(201);
    const again = await runOnce('greet-old');
    expect(step(again, 'greet').outputs.greeting).toBe('hello-world-1.0.0');

    await createPipeline(stack, project, pipeline('greet-new'));
    const fresh = await runOnce('greet-new');
    expect(step(fresh, 'greet').outputs.greeting).toBe('hello-world-1.1.0');

    // a new version of the old pipeline resolves again, to 1.1.0
    const put = await stack.request(
      'PUT',
      `/api/v1/projects/${project}/pipelines/greet-old`,
      pipeline('greet-old'),
    );
    expect(put.status).toBe(200);
    expect(((await put.json()) as any).components).toEqual({ greet: 'greeter@1.1.0' });
    expect(step(await runOnce('greet-old'), 'greet').outputs.greeting).toBe('hello-world-1.1.0');
  });

  it('skips a yanked version in new resolutions while pipelines pinned to it still run it', async () => {
    expect((await publish(greeter('1.2.0'))).status).toBe(201);
    await createPipeline(stack, project, pipeline('greet-pinned'));
    const yank = await stack.request('POST', '/api/v1/components/greeter/1.2.0/yank');
    expect(yank.status).toBe(200);
    expect(((await yank.json()) as any).yanked).toBe(true);

    expect(step(await runOnce('greet-pinned'), 'greet').outputs.greeting).toBe('hello-world-1.2.0');
    const put = await stack.request(
      'PUT',
      `/api/v1/projects/${project}/pipelines/greet-pinned`,
      pipeline('greet-pinned'),
    );
    expect(((await put.json()) as any).components).toEqual({ greet: 'greeter@1.1.0' });
    const listed = (await (await stack.request('GET', '/api/v1/components/greeter')).json()) as any;
    expect(listed.latest).toBe('1.1.0');
    expect(listed.versions.map((v: { version: string }) => v.version)).toEqual(['1.2.0', '1.1.0', '1.0.0']);
  });

  it('rejects publishing by non-admins and invalid component documents with located errors', async () => {
    const user = await stack.request('POST', '/api/v1/users', {
      name: 'dev-nucleus',
      email: 'dev@nucleus.test',
    });
    expect(user.status).toBe(201);
    const token = await stack.request('POST', '/api/v1/users/dev-nucleus/tokens', { name: 't' });
    const { token: devToken } = (await token.json()) as { token: string };
    expect(
      (await stack.request('POST', '/api/v1/components', greeter('9.0.0'), { token: devToken })).status,
    ).toBe(403);
    expect(
      (await stack.request('GET', '/api/v1/components/greeter/1.0.0', undefined, { token: devToken })).status,
    ).toBe(200);

    const bad = await publish(`apiVersion: containerops/v1
kind: Component
name: broken
version: one
run: echo hi
inputs:
  - { name: depth, type: integer, default: deep }
`);
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { errors: Array<{ path: string; line: number }> };
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'version', line: 4 }),
        expect.objectContaining({ path: 'inputs[0].default', line: 7 }),
      ]),
    );
  });

  it('fails a step whose component needs a program the worker lacks, naming it', async () => {
    expect(
      (
        await publish(`apiVersion: containerops/v1
kind: Component
name: needs-tool
version: 1.0.0
run: no-such-tool-xyz --version
requires: [no-such-tool-xyz]
`)
      ).status,
    ).toBe(201);
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: needs-tool
steps:
  - { id: use, uses: needs-tool@1 }
`,
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'needs-tool')).id);
    expect(run.status).toBe('failed');
    expect(step(run, 'use').error).toContain('needs-tool needs `no-such-tool-xyz` on the worker');
    expect(step(run, 'use').attempts).toBe(1);
  });
});

describe('compile-time checks of uses and with', () => {
  const cases: Array<[string, string, string, number, RegExp]> = [
    [
      'unknown input',
      'uses: greeter@1\n    with: { name: a, colour: red }',
      'steps[0].with.colour',
      7,
      /unknown input colour/,
    ],
    [
      'missing required input',
      'uses: greeter@1\n    with: { token: x }',
      'steps[0].with',
      7,
      /missing required input name/,
    ],
    [
      'wrong literal type',
      'uses: greeter@1\n    with: { name: a, count: many }',
      'steps[0].with.count',
      7,
      /expected an integer/,
    ],
    ['unknown component', 'uses: no-such-component@1', 'steps[0].uses', 6, /not in the catalog/],
    ['no version in range', 'uses: greeter@^7', 'steps[0].uses', 6, /no version of greeter matches \^7/],
  ];
  it.each(cases)('%s is a 422 with the path and line', async (_what, body, path, line, message) => {
    const res = await stack.request(
      'POST',
      `/api/v1/projects/${project}/pipelines`,
      `apiVersion: containerops/v1
kind: Pipeline
name: bad-uses
steps:
  - id: s
    ${body}
`,
    );
    expect(res.status).toBe(422);
    const errors = (
      (await res.json()) as { errors: Array<{ path: string; line: number; col: number; message: string }> }
    ).errors;
    expect(errors).toEqual([
      expect.objectContaining({ path, line, message: expect.stringMatching(message) }),
    ]);
    expect(errors[0]!.col).toBeGreaterThan(0);
  });
});
