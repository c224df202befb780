import { startStack, type Stack } from '../../support/stack';
import { createUserWithToken, uniqueName } from './actors';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack.stop();
});

describe('projects', () => {
  it('lets any authenticated user create a project and makes them its owner', async () => {
    const alice = await createUserWithToken(stack, uniqueName('alice'));
    const name = uniqueName('web');
    const res = await stack.request(
      'POST',
      '/api/v1/projects',
      { name, description: 'the web app' },
      { token: alice.token },
    );
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name, description: 'the web app', role: 'owner' });

    const got = await stack.request('GET', `/api/v1/projects/${name}`, undefined, { token: alice.token });
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ name, role: 'owner' });
  });

  it('answers 409 for a taken name and 422 with field errors for a bad one', async () => {
    const name = uniqueName('dup');
    expect((await stack.request('POST', '/api/v1/projects', { name })).status).toBe(201);
    const dup = await stack.request('POST', '/api/v1/projects', { name });
    expect(dup.status).toBe(409);
    expect(dup.headers.get('content-type')).toMatch(/application\/problem\+json/);

    const bad = await stack.request('POST', '/api/v1/projects', { name: 'Bad_Name', description: 7 });
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { errors: { path: string; message: string }[] };
    expect(body.errors.map((e) => e.path).sort()).toEqual(['description', 'name']);
  });

  it('lists only the projects the caller can see, a page at a time', async () => {
    const bob = await createUserWithToken(stack, uniqueName('bob'));
    const names = [uniqueName('b1'), uniqueName('b2'), uniqueName('b3')];
    for (const name of names) {
      await stack.request('POST', '/api/v1/projects', { name }, { token: bob.token });
    }
    await stack.request('POST', '/api/v1/projects', { name: uniqueName('hidden') });

    const first = await stack.request('GET', '/api/v1/projects?limit=2', undefined, { token: bob.token });
    const page1 = (await first.json()) as { items: { name: string }[]; nextCursor: string | null };
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const second = await stack.request(
      'GET',
      `/api/v1/projects?limit=2&cursor=${encodeURIComponent(page1.nextCursor!)}`,
      undefined,
      { token: bob.token },
    );
    const page2 = (await second.json()) as { items: { name: string }[]; nextCursor: string | null };
    expect(page2.nextCursor).toBeNull();
    expect([...page1.items, ...page2.items].map((p) => p.name)).toEqual([...names].sort());
  });

  it('answers 404 for a project the caller cannot see, exactly as for one that does not exist', async () => {
    const carol = await createUserWithToken(stack, uniqueName('carol'));
    const name = uniqueName('secret');
    await stack.request('POST', '/api/v1/projects', { name });
    const hidden = await stack.request('GET', `/api/v1/projects/${name}`, undefined, { token: carol.token });
    const missing = await stack.request('GET', '/api/v1/projects/no-such-project', undefined, {
      token: carol.token,
    });
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
  });
});
