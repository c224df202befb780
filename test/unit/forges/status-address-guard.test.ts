import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/activity';
import { createForgeStatusActivities } from '../../../activities/forge-status';
import type { Config } from '../../../lib/config';
import type { Db } from '../../../lib/db';

/**
 * The status activity calls the forge through the service address guard: a forge whose name
 * resolves to a link-local address (cloud metadata) is never reached, not even when private
 * addresses are allowed, and the refusal is final (not retried); an allowed forge gets the status.
 */
let server: http.Server;
const received: { url?: string; body: string; auth?: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ url: req.url, body, auth: req.headers.authorization });
      res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(() => {
  server.close();
  jest.restoreAllMocks();
});
beforeEach(() => {
  received.length = 0;
});

/** The activities over a single connected repository whose gitea service is at `url`. */
function activitiesFor(url: string, allowPrivate: boolean) {
  const repo = {
    id: 'r1',
    repository: 'acme/app',
    service: { type: 'gitea', url, secret: null },
  };
  const db = { forgeRepository: { findUnique: async () => repo } } as unknown as Db;
  const config = { CO_SERVICES_ALLOW_PRIVATE: allowPrivate } as Config;
  return createForgeStatusActivities({ db, config });
}

const status = { state: 'success' as const, context: 'containerops/ci', description: 'ok' };
const target = { forgeRepositoryId: 'r1', sha: 'c'.repeat(40) };
const port = () => (server.address() as AddressInfo).port;

it('posts the status to an allowed forge, through the guarded connection', async () => {
  await activitiesFor(`http://127.0.0.1:${port()}`, true).postCommitStatus(target, status);
  expect(received).toHaveLength(1);
  expect(received[0]!.url).toBe(`/api/v1/repos/acme/app/statuses/${target.sha}`);
  expect(JSON.parse(received[0]!.body)).toEqual(status);
});

it('refuses a loopback forge unless private addresses are allowed, without retries', async () => {
  const err = await activitiesFor(`http://127.0.0.1:${port()}`, false)
    .postCommitStatus(target, status)
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect((err as ApplicationFailure).nonRetryable).toBe(true);
  expect((err as Error).message).toContain('CO_SERVICES_ALLOW_PRIVATE');
  expect(received).toHaveLength(0);
});

it('refuses a forge whose name resolves to a link-local address, even with private addresses allowed', async () => {
  // the name resolves to the metadata address; the listening server stands where it would be reached
  jest.spyOn(dns.promises, 'lookup').mockResolvedValue([{ address: '169.254.169.254', family: 4 }] as never);
  const err = await activitiesFor(`http://forge.example.test:${port()}`, true)
    .postCommitStatus(target, status)
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect((err as ApplicationFailure).nonRetryable).toBe(true);
  expect((err as Error).message).toMatch(
    /forge\.example\.test resolves to 169\.254\.169\.254 is a link-local/,
  );
  expect(received).toHaveLength(0);
});
