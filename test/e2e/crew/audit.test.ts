import { startStack, type Stack } from '../../support/stack';
import { createProject, createUserWithToken, grant } from './actors';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack.stop();
});

interface AuditPage {
  items: {
    id: string;
    actor: string | null;
    project: string | null;
    action: string;
    target: string;
    details: unknown;
  }[];
  nextCursor: string | null;
}

describe('audit log', () => {
  it('records user, token, project and membership changes without secrets', async () => {
    const owner = await createUserWithToken(stack);
    const member = await createUserWithToken(stack);
    const project = await createProject(stack, owner);
    await grant(stack, project, member.name, 'viewer', owner);
    await grant(stack, project, member.name, 'developer', owner);
    await stack.request('DELETE', `/api/v1/projects/${project}/members/${member.name}`, undefined, {
      token: owner.token,
    });
    const issued = await stack.request('POST', `/api/v1/users/${member.name}/tokens`, { name: 'extra' });
    const { id: tokenId, token } = (await issued.json()) as { id: string; token: string };
    await stack.request('DELETE', `/api/v1/users/${member.name}/tokens/${tokenId}`);
    await stack.request('PATCH', `/api/v1/users/${member.name}`, { disabled: true });

    const projectLog = await stack.request('GET', `/api/v1/projects/${project}/audit`, undefined, {
      token: owner.token,
    });
    expect(projectLog.status).toBe(200);
    const { items } = (await projectLog.json()) as AuditPage;
    expect(items.map((e) => [e.action, e.actor, e.target])).toEqual([
      ['member.removed', owner.name, member.name],
      ['member.role_changed', owner.name, member.name],
      ['member.added', owner.name, member.name],
      ['project.created', owner.name, `project:${project}`],
    ]);
    expect(items[1]!.details).toEqual({ role: 'developer', previous: 'viewer' });

    const all = await stack.request('GET', '/api/v1/audit?limit=200');
    const text = await all.text();
    expect(text).not.toContain(token);
    const actions = (JSON.parse(text) as AuditPage).items
      .filter((e) => e.target === `user:${member.name}`)
      .map((e) => [e.action, e.actor]);
    expect(actions).toEqual([
      ['user.disabled', 'admin'],
      ['token.revoked', 'admin'],
      ['token.created', 'admin'],
      ['token.created', 'admin'],
      ['user.created', 'admin'],
    ]);
  });

  it('pages newest first with a cursor, and refuses a forged cursor with 422', async () => {
    const first = (await (await stack.request('GET', '/api/v1/audit?limit=2')).json()) as AuditPage;
    expect(first.items).toHaveLength(2);
    const second = (await (
      await stack.request('GET', `/api/v1/audit?limit=2&cursor=${first.nextCursor}`)
    ).json()) as AuditPage;
    expect(BigInt(second.items[0]!.id)).toBeLessThan(BigInt(first.items[1]!.id));
    expect((await stack.request('GET', "/api/v1/audit?cursor=1'%20OR%201=1")).status).toBe(422);
    expect((await stack.request('GET', '/api/v1/audit?limit=100000')).status).toBe(422);
  });

  it('shows the project log to owners and admins only', async () => {
    const owner = await createUserWithToken(stack);
    const maintainer = await createUserWithToken(stack);
    const project = await createProject(stack, owner);
    await grant(stack, project, maintainer.name, 'maintainer', owner);
    const path = `/api/v1/projects/${project}/audit`;
    expect((await stack.request('GET', path, undefined, { token: maintainer.token })).status).toBe(403);
    expect((await stack.request('GET', path)).status).toBe(200);
    expect((await stack.request('GET', '/api/v1/audit', undefined, { token: owner.token })).status).toBe(403);
  });
});
