import crypto from 'node:crypto';
import type { Actor } from '../../../api/crew/actor';
import { canDecideApproval } from '../../../api/crew/approvers';
import { startStack, type Stack } from '../../support/stack';
import { createProject, createUserWithToken, grant, uniqueName } from './actors';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack.stop();
});

async function actorNamed(name: string): Promise<Actor> {
  const user = await stack.db.user.findUniqueOrThrow({ where: { name } });
  return { userId: user.id, name: user.name, isAdmin: user.isAdmin, tokenId: crypto.randomUUID() };
}

describe('canDecideApproval', () => {
  it('follows the named approvers, with owners, admins and (when none are named) developers as defaults', async () => {
    const [owner, dev, teamDev, viewer, outsider] = await Promise.all(
      ['owner', 'dev', 'teamdev', 'viewer', 'outsider'].map((r) => createUserWithToken(stack, uniqueName(r))),
    );
    const name = await createProject(stack, owner!);
    await grant(stack, name, dev!.name, 'developer', owner);
    await grant(stack, name, teamDev!.name, 'developer', owner);
    await grant(stack, name, viewer!.name, 'viewer', owner);
    const team = uniqueName('release');
    await stack.request('POST', '/api/v1/teams', { name: team });
    await stack.request('PUT', `/api/v1/teams/${team}/members/${teamDev!.name}`);
    const project = await stack.db.project.findUniqueOrThrow({ where: { name } });
    const can = async (who: string, approvers: string[]) =>
      canDecideApproval(stack.db, await actorNamed(who), project, approvers);

    expect(await can(dev!.name, [])).toBe(true);
    expect(await can(viewer!.name, [])).toBe(false);
    expect(await can(outsider!.name, [])).toBe(false);

    expect(await can(dev!.name, [`user:${dev!.name}`])).toBe(true);
    expect(await can(dev!.name, [dev!.name])).toBe(true);
    expect(await can(dev!.name, [`team:${team}`])).toBe(false);
    expect(await can(teamDev!.name, [`team:${team}`])).toBe(true);
    expect(await can(viewer!.name, [`user:${viewer!.name}`])).toBe(false);
    expect(await can(outsider!.name, [`user:${outsider!.name}`])).toBe(false);

    expect(await can(owner!.name, [`user:${dev!.name}`])).toBe(true);
    expect(await can('admin', [`user:${dev!.name}`])).toBe(true);
  });
});
