import { hashToken } from '../../../api/crew/tokens';
import { startStack, type Stack } from '../../support/stack';
import { uniqueName } from './actors';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack.stop();
});

async function newUser(name = uniqueName('user')): Promise<{ name: string; token: string; tokenId: string }> {
  const created = await stack.request('POST', '/api/v1/users', { name, email: `${name}@example.org` });
  expect(created.status).toBe(201);
  const issued = await stack.request('POST', `/api/v1/users/${name}/tokens`, { name: 'laptop' });
  expect(issued.status).toBe(201);
  const { id, token } = (await issued.json()) as { id: string; token: string };
  return { name, token, tokenId: id };
}

const whoami = (token: string) => stack.request('GET', '/api/v1/whoami', undefined, { token });

describe('users and tokens', () => {
  it('issues a random token once and stores only its sha256', async () => {
    const { name, token, tokenId } = await newUser();
    expect(token).toMatch(/^co_[A-Za-z0-9_-]{43}$/); // 32 random bytes
    const row = await stack.db.apiToken.findUniqueOrThrow({ where: { id: tokenId } });
    expect(row.hash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);

    const res = await whoami(token);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name, isAdmin: false, projects: [] });

    const listed = await stack.request('GET', `/api/v1/users/${name}/tokens`, undefined, { token });
    const text = await listed.text();
    expect(listed.status).toBe(200);
    expect(text).not.toContain(token);
    expect(text).not.toContain(row.hash);
    expect(JSON.parse(text).items).toEqual([
      expect.objectContaining({ id: tokenId, name: 'laptop', revokedAt: null }),
    ]);
  });

  it('stops accepting a revoked token on the very next request', async () => {
    const { name, token, tokenId } = await newUser();
    const second = await stack.request('POST', `/api/v1/users/${name}/tokens`, { name: 'ci' }, { token });
    expect(second.status).toBe(201);
    const ci = (await second.json()) as { id: string; token: string };
    // in use right before: authentication remembers it (api/crew/token-cache.ts), revocation must still win
    expect((await whoami(ci.token)).status).toBe(200);

    const revoked = await stack.request('DELETE', `/api/v1/users/${name}/tokens/${ci.id}`, undefined, {
      token,
    });
    expect(revoked.status).toBe(204);
    expect((await whoami(ci.token)).status).toBe(401);
    expect((await whoami(token)).status).toBe(200);

    expect((await stack.request('DELETE', `/api/v1/users/${name}/tokens/${tokenId}`)).status).toBe(204);
    expect((await whoami(token)).status).toBe(401);
  });

  it('refuses an expired token', async () => {
    const { name, token } = await newUser();
    const soon = new Date(Date.now() + 1500).toISOString();
    const res = await stack.request(
      'POST',
      `/api/v1/users/${name}/tokens`,
      { name: 'short', expiresAt: soon },
      { token },
    );
    const short = (await res.json()) as { token: string };
    expect((await whoami(short.token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await whoami(short.token)).status).toBe(401);

    const past = await stack.request('POST', `/api/v1/users/${name}/tokens`, {
      name: 'past',
      expiresAt: '2001-01-01T00:00:00Z',
    });
    expect(past.status).toBe(422);
  });

  it('lets the admin disable a user, whose tokens then get 401 at once, and enable them again', async () => {
    const { name, token } = await newUser();
    expect((await whoami(token)).status).toBe(200); // remembered by the token cache
    const disabled = await stack.request('PATCH', `/api/v1/users/${name}`, { disabled: true });
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toMatchObject({ name, disabled: true });
    expect((await whoami(token)).status).toBe(401);

    expect((await stack.request('PUT', `/api/v1/users/${name}`, { disabled: false })).status).toBe(200);
    expect((await whoami(token)).status).toBe(200);
  });

  it('refuses a token cached while in use the moment its admin flag is dropped', async () => {
    const { name, token } = await newUser();
    expect((await stack.request('PATCH', `/api/v1/users/${name}`, { isAdmin: true })).status).toBe(200);
    expect((await stack.request('GET', '/api/v1/users', undefined, { token })).status).toBe(200);
    expect((await stack.request('PATCH', `/api/v1/users/${name}`, { isAdmin: false })).status).toBe(200);
    expect((await stack.request('GET', '/api/v1/users', undefined, { token })).status).toBe(403);
  });

  it('keeps users to their own tokens and user administration to admins', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const asAlice = { token: alice.token };
    expect((await stack.request('GET', `/api/v1/users/${bob.name}/tokens`, undefined, asAlice)).status).toBe(
      403,
    );
    expect(
      (await stack.request('POST', `/api/v1/users/${bob.name}/tokens`, { name: 'x' }, asAlice)).status,
    ).toBe(403);
    expect(
      (await stack.request('DELETE', `/api/v1/users/${bob.name}/tokens/${bob.tokenId}`, undefined, asAlice))
        .status,
    ).toBe(403);
    expect(
      (await stack.request('POST', '/api/v1/users', { name: 'mallory', email: 'm@example.org' }, asAlice))
        .status,
    ).toBe(403);
    expect(
      (await stack.request('PATCH', `/api/v1/users/${bob.name}`, { disabled: true }, asAlice)).status,
    ).toBe(403);
    expect((await whoami(bob.token)).status).toBe(200);
  });

  it('validates user input and rejects duplicates', async () => {
    const bad = await stack.request('POST', '/api/v1/users', { name: 'Not OK', email: 'nope' });
    expect(bad.status).toBe(422);
    const errors = ((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path).sort();
    expect(errors).toEqual(['email', 'name']);

    const { name } = await newUser();
    const dup = await stack.request('POST', '/api/v1/users', { name, email: `other-${name}@example.org` });
    expect(dup.status).toBe(409);
    expect((await stack.request('PATCH', '/api/v1/users/admin', { disabled: true })).status).toBe(409);
  });

  it('lists users for the admin, a page at a time', async () => {
    const res = await stack.request('GET', '/api/v1/users?limit=1');
    const page = (await res.json()) as { items: { name: string }[]; nextCursor: string };
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toEqual(expect.any(String));
  });
});
