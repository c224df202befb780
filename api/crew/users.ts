import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import type { User } from '../../generated/prisma/client';
import { conflict, notFound } from '../../lib/errors';
import type { Actor } from './actor';
import { audit } from './audit';
import { forgetTokens } from './token-cache';
import { isUniqueViolation } from './names';

export interface UserView {
  id: string;
  name: string;
  email: string;
  isAdmin: boolean;
  disabled: boolean;
  createdAt: string;
}

export function userView(user: User): UserView {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    isAdmin: user.isAdmin,
    disabled: user.disabled,
    createdAt: user.createdAt.toISOString(),
  };
}

export async function findUser(db: Db, name: string): Promise<User> {
  const user = await db.user.findUnique({ where: { name } });
  if (!user) throw notFound(`user ${JSON.stringify(name)}`);
  return user;
}

export async function createUser(
  db: Db,
  actor: Actor,
  input: { name: string; email: string; isAdmin: boolean },
): Promise<User> {
  try {
    const user = await db.user.create({ data: { id: crypto.randomUUID(), ...input } });
    await audit(db, {
      actor,
      action: 'user.created',
      target: `user:${user.name}`,
      details: { isAdmin: user.isAdmin },
    });
    return user;
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict(`a user named ${input.name} or with that email already exists`);
    throw err;
  }
}

export async function listUsers(db: Db, page: { limit: number; after?: string }): Promise<User[]> {
  return db.user.findMany({
    where: page.after ? { name: { gt: page.after } } : {},
    orderBy: { name: 'asc' },
    take: page.limit + 1,
  });
}

/** Disabling takes effect at once: authenticate() refuses every token of a disabled user. */
export async function updateUser(
  db: Db,
  actor: Actor,
  name: string,
  change: { disabled?: boolean; isAdmin?: boolean },
): Promise<User> {
  const user = await findUser(db, name);
  if (user.id === actor.userId && (change.disabled === true || change.isAdmin === false)) {
    throw conflict('administrators cannot disable themselves or drop their own admin flag');
  }
  const updated = await db.user.update({ where: { id: user.id }, data: change });
  forgetTokens(db);
  if (change.disabled !== undefined && change.disabled !== user.disabled) {
    const action = change.disabled ? 'user.disabled' : 'user.enabled';
    await audit(db, { actor, action, target: `user:${user.name}` });
  }
  if (change.isAdmin !== undefined && change.isAdmin !== user.isAdmin) {
    const action = change.isAdmin ? 'user.admin_granted' : 'user.admin_revoked';
    await audit(db, { actor, action, target: `user:${user.name}` });
  }
  return updated;
}
