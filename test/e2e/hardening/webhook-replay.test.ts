import crypto from 'node:crypto';
import { HOOK_REPLAY_WINDOW_MS } from '../../../api/triggers/hook-replay';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject } from '../../support/runs';

const SECRET = 'replay-secret-0123456789abcdef';

let stack: Stack;
let project: string;
beforeAll(async () => {
  // no worker: a delivery only has to create (or not create) a run
  stack = await startStack({ worker: false });
  project = await createProject(stack);
  await createPipeline(
    stack,
    project,
    'apiVersion: containerops/v1\nkind: Pipeline\nname: hooked\non:\n  push: {}\nsteps:\n  - id: a\n    run: "true"\n',
  );
  const put = await stack.request('PUT', `/api/v1/projects/${project}/pipelines/hooked/hook`, {
    provider: 'github',
    secret: SECRET,
  });
  expect(put.status).toBe(200);
});
afterAll(async () => {
  await stack?.stop();
});

const pushBody = (sha: string) =>
  JSON.stringify({ ref: 'refs/heads/main', after: sha, repository: { full_name: 'acme/app' } });

async function deliver(body: string, delivery?: string) {
  const res = await stack.request('POST', `/api/v1/hooks/${project}/hooked`, body, {
    token: null,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-hub-signature-256': `sha256=${crypto.createHmac('sha256', SECRET).update(body).digest('hex')}`,
      ...(delivery ? { 'x-github-delivery': delivery } : {}),
    },
  });
  return {
    status: res.status,
    json: (await res.json()) as {
      triggered: boolean;
      replay?: boolean;
      reason?: string;
      run?: { id: string };
    },
  };
}

const runCount = () => stack.db.run.count({ where: { project: { name: project } } });

describe('webhook replay (issue 22 item 7)', () => {
  it('starts one run for a signed body, whatever delivery id (or none) its replays carry', async () => {
    const body = pushBody('1'.repeat(40));
    const first = await deliver(body, 'delivery-1');
    expect(first.status).toBe(201);
    const before = await runCount();
    for (const delivery of ['delivery-2', undefined, 'delivery-3']) {
      const replay = await deliver(body, delivery);
      expect(replay.status).toBe(202);
      expect(replay.json).toMatchObject({ triggered: false, replay: true });
      expect(replay.json.reason).toMatch(/^replay: /);
    }
    expect(await runCount()).toBe(before);
    // GitHub's Redeliver reuses the id: it gets the same run, as before
    const redelivery = await deliver(body, 'delivery-1');
    expect(redelivery.status).toBe(200);
    expect(redelivery.json.run!.id).toBe(first.json.run!.id);
  });

  it('refuses a replay without any delivery id too, and runs a different body', async () => {
    const body = pushBody('2'.repeat(40));
    expect((await deliver(body)).status).toBe(201);
    expect((await deliver(body)).json).toMatchObject({ triggered: false, replay: true });
    expect((await deliver(pushBody('3'.repeat(40)))).status).toBe(201);
  });

  it('remembers a body for the replay window only, in the database', async () => {
    const body = pushBody('4'.repeat(40));
    expect((await deliver(body, 'delivery-4')).status).toBe(201);
    const digest = crypto.createHash('sha256').update(body).digest('hex');
    const row = await stack.db.webhookBodyDigest.findFirstOrThrow({ where: { digest } });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(HOOK_REPLAY_WINDOW_MS);
    // as if the window had passed: the body is new again
    await stack.db.webhookBodyDigest.update({
      where: { source_digest: { source: row.source, digest } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await deliver(body, 'delivery-5')).status).toBe(201);
  });
});
