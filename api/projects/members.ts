import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import type { Project } from '../../generated/prisma/client';
import { conflict, notFound } from '../../lib/errors';
import type { Actor } from '../crew/actor';
import { audit } from '../crew/audit';
import type { Role } from '../crew/roles';
import { findTeam } from '../crew/teams';
import { findUser } from '../crew/users';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export interface MemberView {
  /** `alice` or `team:release`, as used in the URL */
  member: string;
  kind: 'user' | 'team';
  name: string;
  role: string;
}

/** A member in a URL: `team:<name>` is a team; `user:<name>` or a bare name is a user. */
async function resolveMember(
  db: Db,
  member: string,
): Promise<{ userId?: string; teamId?: string; label: string }> {
  if (member.startsWith('team:')) {
    const team = await findTeam(db, member.slice(5));
    return { teamId: team.id, label: `team:${team.name}` };
  }
  const user = await findUser(db, member.startsWith('user:') ? member.slice(5) : member);
  return { userId: user.id, label: user.name };
}

/** Serializes membership changes of one project, so two demotions cannot leave it without an owner. */
async function lockProject(tx: Tx, projectId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM Project WHERE id = ${projectId} FOR UPDATE`;
}

/** Owners left besides `excludingId`: users, or teams that have at least one member. */
async function otherOwners(tx: Tx, projectId: string, excludingId: string): Promise<number> {
  return tx.roleBinding.count({
    where: {
      projectId,
      role: 'owner',
      id: { not: excludingId },
      OR: [{ userId: { not: null } }, { team: { members: { some: {} } } }],
    },
  });
}

export async function listMembers(
  db: Db,
  project: Project,
  page: { limit: number; after?: string },
): Promise<{ id: string; view: MemberView }[]> {
  const rows = await db.roleBinding.findMany({
    where: { projectId: project.id, ...(page.after ? { id: { gt: page.after } } : {}) },
    include: { user: { select: { name: true } }, team: { select: { name: true } } },
    orderBy: { id: 'asc' },
    take: page.limit + 1,
  });
  return rows.map((b) => ({
    id: b.id,
    view: b.team
      ? { member: `team:${b.team.name}`, kind: 'team', name: b.team.name, role: b.role }
      : { member: b.user!.name, kind: 'user', name: b.user!.name, role: b.role },
  }));
}

/** Grants or changes a role; demoting the last owner is a 409. */
export async function setMemberRole(
  db: Db,
  actor: Actor,
  project: Project,
  member: string,
  role: Role,
): Promise<{ created: boolean; view: MemberView }> {
  const subject = await resolveMember(db, member);
  const where = subject.teamId
    ? { projectId_teamId: { projectId: project.id, teamId: subject.teamId } }
    : { projectId_userId: { projectId: project.id, userId: subject.userId! } };
  const previous = await db.$transaction(async (tx) => {
    await lockProject(tx, project.id);
    const existing = await tx.roleBinding.findUnique({ where });
    if (
      existing?.role === 'owner' &&
      role !== 'owner' &&
      (await otherOwners(tx, project.id, existing.id)) === 0
    ) {
      throw conflict(
        `${subject.label} is the last owner of project ${project.name}; add another owner first`,
      );
    }
    if (existing) {
      await tx.roleBinding.update({ where: { id: existing.id }, data: { role } });
    } else {
      await tx.roleBinding.create({
        data: {
          id: crypto.randomUUID(),
          projectId: project.id,
          userId: subject.userId,
          teamId: subject.teamId,
          role,
        },
      });
    }
    return existing?.role;
  });
  if (previous !== role) {
    await audit(db, {
      actor,
      projectId: project.id,
      action: previous ? 'member.role_changed' : 'member.added',
      target: subject.label,
      details: { role, ...(previous ? { previous } : {}) },
    });
  }
  const kind = subject.teamId ? 'team' : 'user';
  const name = subject.teamId ? subject.label.slice(5) : subject.label;
  return { created: !previous, view: { member: subject.label, kind, name, role } };
}

/** Removes a member's role binding; removing the last owner is a 409. */
export async function removeMember(db: Db, actor: Actor, project: Project, member: string): Promise<void> {
  const subject = await resolveMember(db, member);
  const removed = await db.$transaction(async (tx) => {
    await lockProject(tx, project.id);
    const existing = await tx.roleBinding.findFirst({
      where: { projectId: project.id, userId: subject.userId ?? null, teamId: subject.teamId ?? null },
    });
    if (!existing) throw notFound(`member ${subject.label} of project ${project.name}`);
    if (existing.role === 'owner' && (await otherOwners(tx, project.id, existing.id)) === 0) {
      throw conflict(
        `${subject.label} is the last owner of project ${project.name}; add another owner first`,
      );
    }
    await tx.roleBinding.delete({ where: { id: existing.id } });
    return existing;
  });
  await audit(db, {
    actor,
    projectId: project.id,
    action: 'member.removed',
    target: subject.label,
    details: { role: removed.role },
  });
}
