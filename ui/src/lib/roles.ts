/** The API's role table (contract/roles.ts), so the UI shows exactly the buttons a role may use. */
import { ROLES, roleAllows, type ProjectAction, type Role } from '../../../contract/roles';

export { ROLES };
export type { ProjectAction, Role };

export function can(role: Role | undefined, action: ProjectAction): boolean {
  return role !== undefined && roleAllows(role, action);
}
