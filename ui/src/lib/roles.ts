/** Mirrors api/crew/roles.ts: what each project role may do, so the UI shows only allowed buttons. */
export const ROLES = ['viewer', 'developer', 'maintainer', 'owner'] as const;
export type Role = (typeof ROLES)[number];

const ACTIONS = {
  read: 'viewer',
  run: 'developer',
  cancel: 'developer',
  approve: 'developer',
  'write-pipelines': 'maintainer',
  'write-services': 'maintainer',
  'manage-members': 'owner',
} as const satisfies Record<string, Role>;
export type ProjectAction = keyof typeof ACTIONS;

export function can(role: Role | undefined, action: ProjectAction): boolean {
  return role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(ACTIONS[action]);
}
