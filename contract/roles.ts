/**
 * Project roles and what each may do: one table for the API's permission checks and the web
 * UI's buttons (ui/ imports this file), so the two cannot drift apart.
 */

/** Project roles, weakest first; each role can do everything the ones before it can. */
export const ROLES = ['viewer', 'developer', 'maintainer', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/** What a route may need inside a project, and the weakest role that grants it. */
export const PROJECT_ACTIONS = {
  read: 'viewer',
  run: 'developer',
  cancel: 'developer',
  approve: 'developer',
  'write-pipelines': 'maintainer',
  'write-services': 'maintainer',
  'write-secrets': 'maintainer',
  'write-artifacts': 'developer',
  'delete-artifacts': 'maintainer',
  'manage-members': 'owner',
  'read-audit': 'owner',
} as const satisfies Record<string, Role>;
export type ProjectAction = keyof typeof PROJECT_ACTIONS;

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function roleAllows(role: Role, action: ProjectAction): boolean {
  return roleRank(role) >= roleRank(PROJECT_ACTIONS[action]);
}
