import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import { keyringOf, seal } from '../../../lib/secret-box';
import { forgeCommitStatus } from '../../../workflows/forge-status';
import { startStack, type Stack } from '../../support/stack';
import { createProject } from '../../support/runs';

/**
 * A forge outage delays a commit status, never loses it: a code host (an HTTP server speaking
 * Gitea's status API) that answers 503 twice gets the status on the third attempt; one that
 * refuses the token (401) is not retried.
 */
let stack: Stack;
let server: http.Server;
const received: { status: number; body: Record<string, unknown>; auth?: string }[] = [];
let answers: number[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const status = answers.shift() ?? 201;
      received.push({
        status,
        body: JSON.parse(data || '{}') as Record<string, unknown>,
        auth: req.headers.authorization,
      });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // the fake forge listens on loopback, where the worker may only post when private addresses are allowed
  stack = await startStack({ config: { CO_SERVICES_ALLOW_PRIVATE: 'true' } });
});
afterAll(async () => {
  await stack.stop();
  server.close();
});

async function connectedRepository(): Promise<string> {
  const project = await createProject(stack);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const svc = await stack.request('POST', `/api/v1/projects/${project}/services`, {
    name: 'forge',
    type: 'gitea',
    url,
    credentials: { token: 'gitea-token-0123' },
  });
  expect(svc.status).toBe(201);
  const row = await stack.db.forgeRepository.create({
    data: {
      id: crypto.randomUUID(),
      projectId: (await stack.db.project.findUniqueOrThrow({ where: { name: project } })).id,
      serviceId: (await stack.db.service.findFirstOrThrow({ where: { project: { name: project } } })).id,
      repository: 'acme/app',
      secret: seal(keyringOf(stack.config), 'unused'),
      hookId: '1',
    },
  });
  return row.id;
}

const client = () => new Client({ connection: stack.temporal, namespace: stack.config.TEMPORAL_NAMESPACE });
const sha = 'c'.repeat(40);

describe('commit statuses through a forge outage', () => {
  it('are retried until the forge answers, then posted once with the token', async () => {
    const forgeRepositoryId = await connectedRepository();
    received.length = 0;
    answers = [503, 503];
    await client().workflow.execute(forgeCommitStatus, {
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      workflowId: `test-status-${crypto.randomUUID()}`,
      args: [{ forgeRepositoryId, sha, context: 'containerops/ci', state: 'success', description: 'ok' }],
    });
    expect(received.map((r) => r.status)).toEqual([503, 503, 201]);
    expect(received[2]!.body).toEqual({ state: 'success', context: 'containerops/ci', description: 'ok' });
    expect(received[2]!.auth).toBe('token gitea-token-0123');
  }, 60_000);

  it('are not retried when the forge refuses them (401): the workflow fails saying so', async () => {
    const forgeRepositoryId = await connectedRepository();
    received.length = 0;
    answers = [401];
    const failed = await client()
      .workflow.execute(forgeCommitStatus, {
        taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
        workflowId: `test-status-${crypto.randomUUID()}`,
        args: [{ forgeRepositoryId, sha, context: 'containerops/ci', state: 'failure', description: 'x' }],
      })
      .catch((err: unknown) => err as Error);
    expect(failed).toBeInstanceOf(Error);
    const messages: string[] = [];
    for (let e: unknown = failed; e instanceof Error; e = e.cause) messages.push(e.message);
    expect(messages.join(' / ')).toMatch(/answered 401/);
    expect(received.map((r) => r.status)).toEqual([401]);
  }, 60_000);
});
