import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStack, type Stack } from '../../support/stack';
import { createProject } from '../../support/runs';

/**
 * A forge webhook's signature covers its body only: a captured push re-sent under a new delivery
 * id must start nothing again, as on the project webhooks. The code host is an HTTP server
 * speaking Gitea's hook and contents API (the webhook registration gives us the signing secret).
 */
let stack: Stack;
let server: http.Server;
let project: string;
let hookSecret = '';

const pipelineFile = `apiVersion: containerops/v1
kind: Pipeline
name: ci
on:
  push: { branches: [main] }
steps:
  - id: check
    run: "true"
`;

function fakeGitea(req: http.IncomingMessage, data: string, res: http.ServerResponse) {
  const url = req.url ?? '';
  const json = (status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (req.method === 'POST' && url.endsWith('/hooks')) {
    hookSecret = (JSON.parse(data) as { config: { secret: string } }).config.secret;
    return json(201, { id: 7 });
  }
  if (req.method === 'POST' && url.includes('/statuses/')) return json(201, {});
  if (url.includes('/contents/.containerops.yml?'))
    return json(200, { type: 'file', content: Buffer.from(pipelineFile).toString('base64') });
  return json(404, { message: 'not found' });
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => fakeGitea(req, data, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stack = await startStack({ worker: false, config: { CO_SERVICES_ALLOW_PRIVATE: 'true' } });
  project = await createProject(stack);
  const svc = await stack.request('POST', `/api/v1/projects/${project}/services`, {
    name: 'forge',
    type: 'gitea',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { token: 'gitea-token-0123' },
  });
  expect(svc.status).toBe(201);
});
afterAll(async () => {
  await stack.stop();
  server.close();
});

async function connectedHookUrl(): Promise<string> {
  const res = await stack.request('POST', `/api/v1/projects/${project}/repositories`, {
    service: 'forge',
    repository: 'acme/app',
  });
  expect(res.status).toBe(201);
  return new URL(((await res.json()) as { hookUrl: string }).hookUrl).pathname;
}

async function deliver(path: string, body: string, delivery: string) {
  const res = await stack.request('POST', path, body, {
    token: null,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': delivery,
      'x-hub-signature-256': `sha256=${crypto.createHmac('sha256', hookSecret).update(body).digest('hex')}`,
    },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const runCount = () => stack.db.run.count({ where: { project: { name: project } } });

it('a captured push re-sent under a new delivery id starts no run; its own redelivery and a new push do', async () => {
  const hookPath = await connectedHookUrl();
  const push = (sha: string) =>
    JSON.stringify({ ref: 'refs/heads/main', after: sha, repository: { full_name: 'acme/app' } });
  const body = push('a'.repeat(40));

  const first = await deliver(hookPath, body, 'delivery-1');
  expect(first.json).toMatchObject({ results: [{ triggered: true }] });
  expect(first.status).toBe(201);
  expect(await runCount()).toBe(1);

  const replay = await deliver(hookPath, body, 'delivery-forged');
  expect(replay.status).toBe(202);
  expect(replay.json).toMatchObject({ triggered: false, replay: true });
  expect(await runCount()).toBe(1);

  // the forge's own redelivery (same id) is answered by the same run, not refused
  expect((await deliver(hookPath, body, 'delivery-1')).json).not.toHaveProperty('replay');
  expect(await runCount()).toBe(1);

  expect((await deliver(hookPath, push('b'.repeat(40)), 'delivery-2')).status).toBe(201);
  expect(await runCount()).toBe(2);
});
