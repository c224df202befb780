import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import type { Team } from '../../generated/prisma/client';
import { conflict, notFound } from '../../lib/errors';
import type { Actor } from './actor';
import { audit } from './audit';
import { isUniqueViolation } from './names';
import { findUser } from './users';

export interface TeamView {
  id: string;
  name: string;
  members: string[];
  createdAt: string;
}

export async function findTeam(db: Db, name: string): Promise<Team> {
  const team = await db.team.findUnique({ where: { name } });
  if (!team) throw notFound(`team ${JSON.stringify(name)}`);
  return team;
}

export async function teamView(db: Db, team: Team): Promise<TeamView> {
  const members = await db.teamMember.findMany({ where: { teamId: team.id }, include: { user: true } });
  return {
    id: team.id,
    name: team.name,
    members: members.map((m) => m.user.name).sort(),
    createdAt: team.createdAt.toISOString(),
  };
}

export async function createTeam(db: Db, actor: Actor, name: string): Promise<Team> {
  try {
    const team = await db.team.create({ data: { id: crypto.randomUUID(), name } });
    await audit(db, { actor, action: 'team.created', target: `team:${name}` });
    return team;
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`team ${JSON.stringify(name)} already exists`);
    throw err;
  }
}

export async function listTeams(db: Db, page: { limit: number; after?: string }): Promise<Team[]> {
  return db.team.findMany({
    where: page.after ? { name: { gt: page.after } } : {},
    orderBy: { name: 'asc' },
    take: page.limit + 1,
  });
}

/** Idempotent: adding a member twice leaves one membership and one audit event. */
export async function addTeamMember(db: Db, actor: Actor, teamName: string, userName: string): Promise<void> {
  const team = await findTeam(db, teamName);
  const user = await findUser(db, userName);
  const key = { teamId_userId: { teamId: team.id, userId: user.id } };
  if (await db.teamMember.findUnique({ where: key })) return;
  try {
    await db.teamMember.create({ data: { teamId: team.id, userId: user.id } });
  } catch (err) {
    if (isUniqueViolation(err)) return;
    throw err;
  }
  await audit(db, {
    actor,
    action: 'team.member_added',
    target: `team:${team.name}`,
    details: { user: user.name },
  });
}

export async function removeTeamMember(
  db: Db,
  actor: Actor,
  teamName: string,
  userName: string,
): Promise<void> {
  const team = await findTeam(db, teamName);
  const user = await findUser(db, userName);
  const removed = await db.teamMember.deleteMany({ where: { teamId: team.id, userId: user.id } });
  if (removed.count === 0) throw notFound(`${user.name} in team ${team.name}`);
  await audit(db, {
    actor,
    action: 'team.member_removed',
    target: `team:${team.name}`,
    details: { user: user.name },
  });
}
