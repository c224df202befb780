import { parseApprover } from '../../../api/crew/approvers';
import { NAME_PATTERN } from '../../../api/crew/names';
import { PROJECT_ACTIONS, roleAllows, strongestRole, type ProjectAction } from '../../../api/crew/roles';
import { mountRoutes, type RouteDef } from '../../../api/http/route';
import type { Db } from '../../../lib/db';

describe('roles', () => {
  it('grants each action to its weakest role and every stronger one', () => {
    const table = Object.fromEntries(
      (Object.keys(PROJECT_ACTIONS) as ProjectAction[]).map((a) => [
        a,
        (['viewer', 'developer', 'maintainer', 'owner'] as const).filter((r) => roleAllows(r, a)),
      ]),
    );
    expect(table).toEqual({
      read: ['viewer', 'developer', 'maintainer', 'owner'],
      run: ['developer', 'maintainer', 'owner'],
      cancel: ['developer', 'maintainer', 'owner'],
      approve: ['developer', 'maintainer', 'owner'],
      'write-artifacts': ['developer', 'maintainer', 'owner'],
      'delete-artifacts': ['maintainer', 'owner'],
      'write-pipelines': ['maintainer', 'owner'],
      'write-services': ['maintainer', 'owner'],
      'write-secrets': ['maintainer', 'owner'],
      'manage-members': ['owner'],
      'read-audit': ['owner'],
    });
  });

  it('takes the strongest of a user role and their team roles', () => {
    expect(strongestRole(['viewer', 'maintainer', 'developer'])).toBe('maintainer');
    expect(strongestRole([])).toBeUndefined();
  });
});

describe('approver entries', () => {
  it('reads user:, team: and bare names', () => {
    expect(parseApprover('team:release')).toEqual({ kind: 'team', name: 'release' });
    expect(parseApprover('user:alice')).toEqual({ kind: 'user', name: 'alice' });
    expect(parseApprover('alice')).toEqual({ kind: 'user', name: 'alice' });
  });
});

describe('names', () => {
  it('accepts lowercase URL-safe names up to 63 characters', () => {
    expect(NAME_PATTERN.test('web-app2')).toBe(true);
    expect(NAME_PATTERN.test('a'.repeat(63))).toBe(true);
    for (const bad of ['a'.repeat(64), 'Web', '2web', '-web', 'web_app', 'team:x', '']) {
      expect([bad, NAME_PATTERN.test(bad)]).toEqual([bad, false]);
    }
  });
});

describe('route table', () => {
  const handler = () => undefined;
  it('refuses a route that declares no permission', () => {
    const route = { method: 'get', path: '/x', summary: 'x', handler } as unknown as RouteDef;
    expect(() => mountRoutes({} as Db, [route])).toThrow('GET /x declares no permission');
  });

  it('refuses a project permission on a path without :project', () => {
    const route: RouteDef = {
      method: 'get',
      path: '/x',
      permission: { project: 'read' },
      summary: 'x',
      handler,
    };
    expect(() => mountRoutes({} as Db, [route])).toThrow(/no :project parameter/);
  });
});
