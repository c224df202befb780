import { startStack, type Stack } from '../../support/stack';
import { createProject, createUserWithToken, grant, projectWithRoles, uniqueName } from './actors';

let stack: Stack;
let crew: Awaited<ReturnType<typeof projectWithRoles>>;
beforeAll(async () => {
  stack = await startStack({ worker: false });
  crew = await projectWithRoles(stack);
});
afterAll(async () => {
  await stack.stop();
});

const as = (user: { token: string }) => ({ token: user.token });

describe('project members and roles', () => {
  it('lists members to any member; only owners change them', async () => {
    const res = await stack.request(
      'GET',
      `/api/v1/projects/${crew.project}/members`,
      undefined,
      as(crew.viewer),
    );
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: { member: string; role: string }[] };
    expect(items.map((m) => `${m.member}=${m.role}`).sort()).toEqual(
      [
        `${crew.owner.name}=owner`,
        `${crew.maintainer.name}=maintainer`,
        `${crew.developer.name}=developer`,
        `${crew.viewer.name}=viewer`,
      ].sort(),
    );
    expect((await grant(stack, crew.project, crew.viewer.name, 'owner', crew.maintainer)).status).toBe(403);
    expect((await grant(stack, crew.project, crew.viewer.name, 'owner', crew.viewer)).status).toBe(403);
  });

  it('lets a viewer read but not do what developers do', async () => {
    const p = crew.project;
    const viewer = as(crew.viewer);
    expect((await stack.request('GET', `/api/v1/projects/${p}`, undefined, viewer)).status).toBe(200);
    expect((await stack.request('GET', `/api/v1/projects/${p}/pipelines`, undefined, viewer)).status).toBe(
      200,
    );
    expect((await stack.request('GET', `/api/v1/projects/${p}/runs`, undefined, viewer)).status).toBe(200);
    const run = await stack.request('POST', `/api/v1/projects/${p}/pipelines/web/runs`, {}, viewer);
    expect(run.status).toBe(403);
    expect(((await run.json()) as { detail: string }).detail).toMatch(/viewer/);
    const developerTry = await stack.request(
      'POST',
      `/api/v1/projects/${p}/pipelines/web/runs`,
      {},
      as(crew.developer),
    );
    expect(developerTry.status).toBe(404); // allowed; the pipeline just does not exist
    expect((await stack.request('GET', `/api/v1/projects/${p}/audit`, undefined, viewer)).status).toBe(403);
  });

  it('answers 404 to the owner of another project for everything in this one', async () => {
    const other = as(crew.other);
    for (const path of ['', '/members', '/audit', '/pipelines', '/runs']) {
      const res = await stack.request('GET', `/api/v1/projects/${crew.project}${path}`, undefined, other);
      expect([path, res.status]).toEqual([path, 404]);
    }
    expect((await grant(stack, crew.project, crew.other.name, 'owner', crew.other)).status).toBe(404);
  });

  it('never lets the last owner be demoted or removed', async () => {
    const owner = await createUserWithToken(stack);
    const project = await createProject(stack, owner);
    const demote = await grant(stack, project, owner.name, 'maintainer', owner);
    expect(demote.status).toBe(409);
    const remove = await stack.request(
      'DELETE',
      `/api/v1/projects/${project}/members/${owner.name}`,
      undefined,
      as(owner),
    );
    expect(remove.status).toBe(409);

    const second = await createUserWithToken(stack);
    expect((await grant(stack, project, second.name, 'owner', owner)).status).toBe(201);
    expect((await grant(stack, project, owner.name, 'maintainer', owner)).status).toBe(200);
    expect((await grant(stack, project, second.name, 'viewer', second)).status).toBe(409);
  });

  it('gives team members the role of their team', async () => {
    const team = uniqueName('release');
    const dev = await createUserWithToken(stack);
    expect((await stack.request('POST', '/api/v1/teams', { name: team })).status).toBe(201);
    expect((await stack.request('POST', '/api/v1/teams', { name: team })).status).toBe(409);
    const added = await stack.request('PUT', `/api/v1/teams/${team}/members/${dev.name}`);
    expect(added.status).toBe(200);
    expect(await added.json()).toMatchObject({ name: team, members: [dev.name] });

    expect((await stack.request('GET', `/api/v1/projects/${crew.project}`, undefined, as(dev))).status).toBe(
      404,
    );
    expect((await grant(stack, crew.project, `team:${team}`, 'developer', crew.owner)).status).toBe(201);
    const who = await stack.request('GET', '/api/v1/whoami', undefined, as(dev));
    expect(await who.json()).toMatchObject({
      teams: [team],
      projects: [{ project: crew.project, role: 'developer', via: `team:${team}` }],
    });

    expect((await stack.request('DELETE', `/api/v1/teams/${team}/members/${dev.name}`)).status).toBe(204);
    expect((await stack.request('GET', `/api/v1/projects/${crew.project}`, undefined, as(dev))).status).toBe(
      404,
    );
    const removed = await stack.request(
      'DELETE',
      `/api/v1/projects/${crew.project}/members/team:${team}`,
      undefined,
      as(crew.owner),
    );
    expect(removed.status).toBe(204);
  });

  it('rejects unknown roles and members', async () => {
    const bad = await grant(stack, crew.project, crew.viewer.name, 'superuser', crew.owner);
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('role');
    expect((await grant(stack, crew.project, 'nobody-here', 'viewer', crew.owner)).status).toBe(404);
    expect((await grant(stack, crew.project, 'team:no-team', 'viewer', crew.owner)).status).toBe(404);
  });
});
