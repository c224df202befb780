import type { Db } from '../../lib/db';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import type { Actor } from './actor';
import { isRole, roleRank, type Role } from './roles';

/** The actor's roles per project, direct or through a team, strongest first per project. */
export async function projectRolesOf(
  db: Db,
  actor: Actor,
): Promise<{ project: string; role: Role; via: string }[]> {
  const bindings = await db.roleBinding.findMany({
    where: { OR: [{ userId: actor.userId }, { team: { members: { some: { userId: actor.userId } } } }] },
    include: { project: { select: { name: true } }, team: { select: { name: true } } },
  });
  const best = new Map<string, { project: string; role: Role; via: string }>();
  for (const b of bindings) {
    if (!isRole(b.role)) continue;
    const current = best.get(b.project.name);
    if (!current || roleRank(b.role) > roleRank(current.role)) {
      best.set(b.project.name, {
        project: b.project.name,
        role: b.role,
        via: b.team ? `team:${b.team.name}` : 'user',
      });
    }
  }
  return [...best.values()].sort((a, b) => a.project.localeCompare(b.project));
}

export function whoamiRoutes({ db }: ApiDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/whoami',
      permission: 'authenticated',
      summary: 'The caller: user, admin flag, teams and project roles',
      async handler(_req, res, { actor }) {
        const user = await db.user.findUniqueOrThrow({
          where: { id: actor.userId },
          include: { teams: { include: { team: { select: { name: true } } } } },
        });
        res.json({
          id: user.id,
          name: user.name,
          email: user.email,
          isAdmin: user.isAdmin,
          teams: user.teams.map((t) => t.team.name).sort(),
          projects: await projectRolesOf(db, actor),
        });
      },
    },
  ];
}
