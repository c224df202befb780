import type { Db } from '../../lib/db';
import type { Project } from '../../generated/prisma/client';
import type { Actor } from './actor';
import { roleIn } from './membership';
import { roleAllows } from './roles';

/** An approver entry: `user:<name>`, `team:<name>`, or a bare user name. */
export function parseApprover(entry: string): { kind: 'user' | 'team'; name: string } {
  if (entry.startsWith('team:')) return { kind: 'team', name: entry.slice(5) };
  if (entry.startsWith('user:')) return { kind: 'user', name: entry.slice(5) };
  return { kind: 'user', name: entry };
}

/**
 * Whether the actor may approve or reject an approval step of this project. Admins and project
 * owners always may; otherwise the actor needs the `approve` action (developer+) and, when the step
 * names approvers, must be one of them or belong to one of the named teams. No approvers named:
 * any developer+ of the project may decide.
 */
export async function canDecideApproval(
  db: Db,
  actor: Actor,
  project: Pick<Project, 'id'>,
  approvers: string[],
): Promise<boolean> {
  if (actor.isAdmin) return true;
  const role = await roleIn(db, actor, project.id);
  if (!role) return false;
  if (role === 'owner') return true;
  if (!roleAllows(role, 'approve')) return false;
  if (approvers.length === 0) return true;
  const named = approvers.map(parseApprover);
  if (named.some((a) => a.kind === 'user' && a.name === actor.name)) return true;
  const teams = named.filter((a) => a.kind === 'team').map((a) => a.name);
  if (teams.length === 0) return false;
  const membership = await db.teamMember.findFirst({
    where: { userId: actor.userId, team: { name: { in: teams } } },
    select: { teamId: true },
  });
  return membership !== null;
}
