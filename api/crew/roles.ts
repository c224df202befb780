import { ROLES, roleRank, type Role } from '../../contract/roles';

export { PROJECT_ACTIONS, ROLES, roleAllows, roleRank } from '../../contract/roles';
export type { ProjectAction, Role } from '../../contract/roles';

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function strongestRole(roles: Role[]): Role | undefined {
  return roles.reduce<Role | undefined>(
    (best, r) => (best === undefined || roleRank(r) > roleRank(best) ? r : best),
    undefined,
  );
}
