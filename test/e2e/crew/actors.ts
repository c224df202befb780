import crypto from 'node:crypto';
import type { Stack } from '../../support/stack';

export interface TestUser {
  name: string;
  token: string;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomBytes(3).toString('hex')}`;
}

/** A new user with one token, made through the admin API. */
export async function createUserWithToken(stack: Stack, name = uniqueName('user')): Promise<TestUser> {
  const created = await stack.request('POST', '/api/v1/users', { name, email: `${name}@example.org` });
  if (created.status !== 201)
    throw new Error(`creating user ${name}: ${created.status} ${await created.text()}`);
  const issued = await stack.request('POST', `/api/v1/users/${name}/tokens`, { name: 'test' });
  if (issued.status !== 201) throw new Error(`token for ${name}: ${issued.status} ${await issued.text()}`);
  const { token } = (await issued.json()) as { token: string };
  return { name, token };
}

export async function createProject(
  stack: Stack,
  owner: TestUser,
  name = uniqueName('proj'),
): Promise<string> {
  const res = await stack.request('POST', '/api/v1/projects', { name }, { token: owner.token });
  if (res.status !== 201) throw new Error(`creating project ${name}: ${res.status} ${await res.text()}`);
  return name;
}

export async function grant(
  stack: Stack,
  project: string,
  member: string,
  role: string,
  by?: TestUser,
): Promise<Response> {
  return stack.request(
    'PUT',
    `/api/v1/projects/${project}/members/${member}`,
    { role },
    by ? { token: by.token } : {},
  );
}

/** A project with one user per role, plus the owner of another project. */
export async function projectWithRoles(stack: Stack) {
  const [owner, maintainer, developer, viewer, other] = await Promise.all(
    ['owner', 'maintainer', 'developer', 'viewer', 'other'].map((r) =>
      createUserWithToken(stack, uniqueName(r)),
    ),
  );
  const project = await createProject(stack, owner!);
  const otherProject = await createProject(stack, other!);
  for (const [user, role] of [
    [maintainer!, 'maintainer'],
    [developer!, 'developer'],
    [viewer!, 'viewer'],
  ] as const) {
    const res = await grant(stack, project, user.name, role, owner);
    if (res.status !== 201) throw new Error(`granting ${role}: ${res.status} ${await res.text()}`);
  }
  return {
    project,
    otherProject,
    owner: owner!,
    maintainer: maintainer!,
    developer: developer!,
    viewer: viewer!,
    other: other!,
  };
}
