import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../../api/app';
import { AUTH_FAILURE_LIMIT } from '../../../api/http/rate-limit';
import { createDb } from '../../../lib/db';
import { createLogger } from '../../../lib/logger';
import { temporalClient } from '../../../lib/temporal';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createUserWithToken, type TestUser } from './actors';

let stack: Stack;
let users: TestUser[];
beforeAll(async () => {
  // as behind a local reverse proxy, so the tests can speak for other client addresses
  stack = await startStack({
    worker: false,
    config: { CO_RATE_LIMIT_PER_MINUTE: '30', CO_TRUST_PROXY: 'loopback' },
  });
  // made first: the admin token has only 30 requests a minute here
  users = [];
  for (let i = 0; i < 4; i++) users.push(await createUserWithToken(stack));
});
afterAll(async () => {
  await stack.stop();
});

/** The API trusts X-Forwarded-For from loopback here (CO_TRUST_PROXY), so tests can speak for other IPs. */
const from = (ip: string) => ({ 'x-forwarded-for': ip });

describe('HTTP hardening', () => {
  it('answers 429 with Retry-After to an IP that keeps guessing tokens, and only to that IP', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 100; i++) {
      const res = await stack.request('GET', '/api/v1/whoami', undefined, {
        token: `co_guess_${i}_aaaaaaaaaaaaaaaaaaaaaaaaaaaa`,
        headers: from('203.0.113.7'),
      });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter ??= res.headers.get('retry-after');
        expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      }
    }
    const first429 = statuses.indexOf(429);
    expect(first429).toBe(AUTH_FAILURE_LIMIT);
    expect(first429).toBeLessThan(99);
    expect(statuses.slice(first429).every((s) => s === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // even a valid token is refused from the blocked address, while other addresses go on working
    expect(
      (await stack.request('GET', '/api/v1/whoami', undefined, { headers: from('203.0.113.7') })).status,
    ).toBe(429);
    expect(
      (await stack.request('GET', '/api/v1/whoami', undefined, { headers: from('203.0.113.8') })).status,
    ).toBe(200);
  });

  it('does not count successful requests as failures', async () => {
    for (let i = 0; i < AUTH_FAILURE_LIMIT + 5; i++) {
      const res = await stack.request('GET', '/api/v1/projects', undefined, {
        token: users[0]!.token,
        headers: from('198.51.100.1'),
      });
      expect(res.status).toBe(200);
    }
  });

  it('limits each token to CO_RATE_LIMIT_PER_MINUTE requests, separately', async () => {
    const [, busy, calm] = users as [TestUser, TestUser, TestUser];
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      statuses.push((await stack.request('GET', '/api/v1/whoami', undefined, { token: busy.token })).status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    const limited = await stack.request('GET', '/api/v1/whoami', undefined, { token: busy.token });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await stack.request('GET', '/api/v1/whoami', undefined, { token: calm.token })).status).toBe(200);
  });

  it('sends no CORS headers, even to a preflight', async () => {
    const origin = { origin: 'https://evil.example' };
    const preflight = await fetch(`${stack.url}/api/v1/whoami`, {
      method: 'OPTIONS',
      headers: {
        ...origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    const get = await stack.request('GET', '/api/v1/whoami', undefined, { headers: origin });
    for (const res of [preflight, get]) {
      const cors = [...res.headers.keys()].filter((h) => h.startsWith('access-control-'));
      expect(cors).toEqual([]);
    }
    expect(get.headers.get('x-content-type-options')).toBe('nosniff');
    expect(get.headers.get('content-security-policy')).toBeTruthy();
  });

  it('answers bad bodies with 400/413/422 problems, never 500', async () => {
    const headers = { 'content-type': 'application/json' };
    const malformed = await fetch(`${stack.url}/api/v1/projects`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${users[3]!.token}` },
      body: '{"name": ',
    });
    expect(malformed.status).toBe(400);
    const token = users[3]!.token;
    const huge = await stack.request(
      'POST',
      '/api/v1/projects',
      {
        name: 'big',
        description: 'x'.repeat(2_000_000),
      },
      { token },
    );
    expect(huge.status).toBe(413);
    const wrongTypes = await stack.request('POST', '/api/v1/projects', ['not', 'an', 'object'], { token });
    expect(wrongTypes.status).toBe(422);
    const longText = await stack.request(
      'POST',
      '/api/v1/projects',
      {
        name: 'long',
        description: 'x'.repeat(5000),
      },
      { token },
    );
    expect(longText.status).toBe(422);
  });

  it('hides database errors: a bare 500 problem, no SQL, no stack trace', async () => {
    // the same app against a database that does not exist: every query fails inside the driver
    const brokenDb = createDb(
      `${process.env.DATABASE_URL!.replace(/\/[^/?]+(\?|$)/, '/co_no_such_database$1')}`,
    );
    const app = createApp({
      config: stack.config,
      db: brokenDb,
      temporal: stack.temporal,
      client: temporalClient(stack.temporal, stack.config.TEMPORAL_NAMESPACE),
      logger: createLogger('silent'),
    });
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/projects`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const body = await res.text();
      expect(JSON.parse(body)).toEqual({
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        instance: '/api/v1/projects',
      });
      expect(body).not.toMatch(/select|co_no_such_database|prisma|at \w+ \(/i);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await brokenDb.$disconnect();
    }
  });
});
