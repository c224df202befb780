import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import type { Project } from '../../generated/prisma/client';
import { conflict } from '../../lib/errors';
import type { Actor } from '../crew/actor';
import { audit } from '../crew/audit';
import { isUniqueViolation } from '../crew/names';
import { isRole, strongestRole, type Role } from '../crew/roles';

export interface ProjectView {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  /** The caller's effective role; admins see `owner`. */
  role?: Role;
}

export function projectView(project: Project, role?: Role): ProjectView {
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    createdAt: project.createdAt.toISOString(),
    ...(role ? { role } : {}),
  };
}

/** Creates a project with its creator as owner; a taken name is a 409. */
export async function createProject(
  db: Db,
  actor: Actor,
  input: { name: string; description: string },
): Promise<Project> {
  const id = crypto.randomUUID();
  try {
    const project = await db.$transaction(async (tx) => {
      const created = await tx.project.create({
        data: { id, name: input.name, description: input.description },
      });
      await tx.roleBinding.create({
        data: { id: crypto.randomUUID(), projectId: id, userId: actor.userId, role: 'owner' },
      });
      return created;
    });
    await audit(db, { actor, projectId: id, action: 'project.created', target: `project:${project.name}` });
    return project;
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`project ${JSON.stringify(input.name)} already exists`);
    throw err;
  }
}

/** Projects the actor can see (all of them for admins) with the actor's role, by name, after a name. */
export async function listVisibleProjects(
  db: Db,
  actor: Actor,
  page: { limit: number; after?: string },
): Promise<{ project: Project; role?: Role }[]> {
  const mine = { OR: [{ userId: actor.userId }, { team: { members: { some: { userId: actor.userId } } } }] };
  const rows = await db.project.findMany({
    where: {
      ...(actor.isAdmin ? {} : { roleBindings: { some: mine } }),
      ...(page.after ? { name: { gt: page.after } } : {}),
    },
    include: { roleBindings: { where: mine, select: { role: true } } },
    orderBy: { name: 'asc' },
    take: page.limit + 1,
  });
  return rows.map(({ roleBindings, ...project }) => ({
    project,
    role: actor.isAdmin ? 'owner' : strongestRole(roleBindings.map((b) => b.role).filter(isRole)),
  }));
}
