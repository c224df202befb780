import { AUTH_FAILURE_LIMIT } from '../../../api/http/rate-limit';
import { startStack, type Stack } from '../../support/stack';
import { createUserWithToken, type TestUser } from '../crew/actors';

let stack: Stack;
let user: TestUser;
beforeAll(async () => {
  // as behind a local reverse proxy, so the tests can speak for other client addresses
  stack = await startStack({
    worker: false,
    config: { CO_RATE_LIMIT_PER_MINUTE: '10', CO_TRUST_PROXY: 'loopback' },
  });
  user = await createUserWithToken(stack);
});
afterAll(async () => {
  await stack?.stop();
});

const from = (ip: string) => ({ 'x-forwarded-for': ip });
const basic = (password: string) => `Basic ${Buffer.from(`someone:${password}`).toString('base64')}`;

function registry(path: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${stack.url}${path}`, { headers });
}

describe('rate limit and login lockout (issue 22 item 6)', () => {
  it('limits a token however its Authorization header is spelled', async () => {
    const spellings = [
      `Bearer ${user.token}`,
      `bearer ${user.token}`,
      `Bearer  ${user.token}`,
      `BEARER\t${user.token}`,
    ];
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await stack.request('GET', '/api/v1/whoami', undefined, {
        token: null,
        headers: { authorization: spellings[i % spellings.length]!, ...from('198.51.100.20') },
      });
      statuses.push(res.status);
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    for (const spelling of spellings) {
      const res = await stack.request('GET', '/api/v1/whoami', undefined, {
        token: null,
        headers: { authorization: spelling, ...from('198.51.100.20') },
      });
      expect(res.status).toBe(429);
    }
  });

  it('locks out an address that keeps guessing registry Basic logins, in the registry error format', async () => {
    const statuses: number[] = [];
    let locked: Response | undefined;
    for (let i = 0; i < 60; i++) {
      const res = await registry('/v2/', { authorization: basic(`co_guess_${i}`), ...from('203.0.113.40') });
      statuses.push(res.status);
      if (res.status === 429) locked ??= res;
      else await res.body?.cancel();
    }
    expect(statuses.indexOf(429)).toBe(AUTH_FAILURE_LIMIT);
    expect(statuses.slice(AUTH_FAILURE_LIMIT).every((s) => s === 429)).toBe(true);
    expect(Number(locked!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked!.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await locked!.json()).toEqual({
      errors: [{ code: 'TOOMANYREQUESTS', message: expect.any(String) }],
    });
    // even the right token is refused from there, at the registry and at the API (one budget)
    expect(
      (await registry('/v2/', { authorization: basic(user.token), ...from('203.0.113.40') })).status,
    ).toBe(429);
    const api = await stack.request('GET', '/api/v1/whoami', undefined, {
      token: user.token,
      headers: from('203.0.113.40'),
    });
    expect(api.status).toBe(429);
    // another address logs in
    expect(
      (await registry('/v2/', { authorization: basic(user.token), ...from('203.0.113.41') })).status,
    ).toBe(200);
  });

  it('locks out the token flow too, and never counts the anonymous challenge every client starts with', async () => {
    for (let i = 0; i < AUTH_FAILURE_LIMIT + 5; i++) {
      const res = await registry('/v2/', from('203.0.113.50'));
      expect(res.status).toBe(401);
      await res.body?.cancel();
    }
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_FAILURE_LIMIT + 1; i++) {
      const res = await registry('/v2/token?service=containerops', {
        authorization: basic(`co_guess_${i}`),
        ...from('203.0.113.50'),
      });
      statuses.push(res.status);
      await res.body?.cancel();
    }
    expect(statuses.slice(0, AUTH_FAILURE_LIMIT).every((s) => s === 401)).toBe(true);
    expect(statuses[AUTH_FAILURE_LIMIT]).toBe(429);
  });
});
