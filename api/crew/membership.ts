import type { Db } from '../../lib/db';
import type { Project } from '../../generated/prisma/client';
import { notFound } from '../../lib/errors';
import type { Actor } from './actor';
import { projectByName } from './project-cache';
import { isRole, strongestRole, type Role } from './roles';

/** The actor's effective role in a project: direct or through a team; admins act as owners. */
export async function roleIn(db: Db, actor: Actor, projectId: string): Promise<Role | undefined> {
  if (actor.isAdmin) return 'owner';
  if (actor.run) return actor.run.projectId === projectId ? 'developer' : undefined;
  const bindings = await db.roleBinding.findMany({
    where: {
      projectId,
      OR: [{ userId: actor.userId }, { team: { members: { some: { userId: actor.userId } } } }],
    },
    select: { role: true },
  });
  return strongestRole(bindings.map((b) => b.role).filter(isRole));
}

/** Loads a project the actor can see; a project they cannot see is "not found", so names never leak. */
export async function visibleProject(
  db: Db,
  actor: Actor,
  name: string,
): Promise<{ project: Project; role: Role }> {
  const project = await projectByName(db, name);
  const role = project ? await roleIn(db, actor, project.id) : undefined;
  if (!project || !role) throw notFound(`project ${JSON.stringify(name)}`);
  return { project, role };
}
