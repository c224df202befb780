import crypto from 'node:crypto';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, waitForRun } from '../../support/runs';

const SECRET = 'hook-secret-0123456789abcdef';
const PIPELINE = `apiVersion: containerops/v1
kind: Pipeline
name: on-push
on:
  push: { branches: [main, 'release/**'] }
steps:
  - id: build
    run: |
      echo "sha=\${{ trigger.sha }}" >> "$CO_OUTPUTS"
      echo "branch=\${{ trigger.branch }}" >> "$CO_OUTPUTS"
      echo "pusher=\${{ trigger.payload.pusher.name }}" >> "$CO_OUTPUTS"
`;

let stack: Stack;
let project: string;

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
  await createPipeline(stack, project, PIPELINE);
});
afterAll(async () => {
  await stack.stop();
});

function pushPayload(branch: string, sha: string) {
  return JSON.stringify({
    ref: `refs/heads/${branch}`,
    after: sha,
    repository: { full_name: 'acme/app' },
    pusher: { name: 'octocat' },
    sender: { login: 'octocat' },
    commits: [{ id: sha, added: ['src/a.ts'], modified: [], removed: [] }],
  });
}

const sign = (body: string, secret = SECRET) =>
  `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;

async function deliver(
  body: string,
  headers: Record<string, string>,
  path = `/api/v1/hooks/${project}/on-push`,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await stack.request('POST', path, body, {
    token: null,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', ...headers },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('GitHub webhooks', () => {
  it('connects a hook: the URL is returned, the secret never is', async () => {
    const put = await stack.request('PUT', `/api/v1/projects/${project}/pipelines/on-push/hook`, {
      provider: 'github',
      secret: SECRET,
    });
    expect(put.status).toBe(200);
    const body = (await put.json()) as { url: string };
    expect(body.url).toMatch(new RegExp(`/api/v1/hooks/${project}/on-push$`));
    const got = await stack.request('GET', `/api/v1/projects/${project}/pipelines/on-push/hook`);
    const text = await got.text();
    expect(text).toContain('"provider":"github"');
    expect(text).not.toContain(SECRET);
    const stored = await stack.db.webhook.findFirstOrThrow({
      where: { provider: 'github', project: { name: project } },
    });
    expect(stored.secret).not.toContain(SECRET);
  });

  it('answers 401 to a missing or bad signature, and the same 401 for a project or pipeline that does not exist', async () => {
    const body = pushPayload('main', 'a'.repeat(40));
    const missing = await deliver(body, { 'x-github-delivery': 'd-missing' });
    const bad = await deliver(body, {
      'x-hub-signature-256': sign(body, 'wrong-secret-wrong-secret'),
      'x-github-delivery': 'd-bad',
    });
    const noPipeline = await deliver(
      body,
      { 'x-hub-signature-256': sign(body), 'x-github-delivery': 'd-x' },
      `/api/v1/hooks/${project}/no-such-pipeline`,
    );
    const noProject = await deliver(
      body,
      { 'x-hub-signature-256': sign(body), 'x-github-delivery': 'd-y' },
      '/api/v1/hooks/no-such-project/on-push',
    );
    for (const r of [missing, bad, noPipeline, noProject]) {
      expect(r.status).toBe(401);
      expect(r.json.detail).toBe(missing.json.detail);
    }
    expect(await stack.db.run.count({ where: { project: { name: project } } })).toBe(0);
  });

  it('accepts but does not run a push to a branch the filter rejects', async () => {
    const body = pushPayload('feature/x', 'b'.repeat(40));
    const r = await deliver(body, { 'x-hub-signature-256': sign(body), 'x-github-delivery': 'd-feature' });
    expect(r.status).toBe(202);
    expect(r.json).toEqual({ triggered: false, reason: 'branch feature/x does not match on.push.branches' });
  });

  it('starts a run on a matching push whose step sees trigger.sha; a repeated delivery returns the same run', async () => {
    const sha = crypto.randomBytes(20).toString('hex');
    const body = pushPayload('release/1.2', sha);
    const headers = { 'x-hub-signature-256': sign(body), 'x-github-delivery': 'd-release' };
    const first = await deliver(body, headers);
    expect(first.status).toBe(201);
    expect(first.json.triggered).toBe(true);
    const run = first.json.run as { id: string; trigger: string };
    expect(run.trigger).toBe('webhook');

    const again = await deliver(body, headers);
    expect(again.status).toBe(200);
    expect((again.json.run as { id: string }).id).toBe(run.id);

    const done = await waitForRun(stack, project, run.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps[0]!.outputs).toEqual({ sha, branch: 'release/1.2', pusher: 'octocat' });
    const view = (await (
      await stack.request('GET', `/api/v1/projects/${project}/runs/${run.id}`)
    ).json()) as {
      triggerInfo: Record<string, unknown>;
    };
    expect(view.triggerInfo).toMatchObject({
      event: 'push',
      sha,
      repository: 'acme/app',
      delivery: 'd-release',
    });
    expect(await stack.db.run.count({ where: { project: { name: project } } })).toBe(1);
  });
});
