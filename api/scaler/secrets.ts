import crypto from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../lib/config';
import type { Db } from '../../lib/db';
import { conflict, notFound } from '../../lib/errors';
import { keyringOf, seal } from '../../lib/secret-box';
import { SECRET_NAME_PATTERN } from '../../pipeline/secrets';
import type { Project } from '../../generated/prisma/client';
import type { Actor } from '../crew/actor';
import { audit } from '../crew/audit';
import { isUniqueViolation } from '../crew/names';

export const secretName = z
  .string()
  .regex(SECRET_NAME_PATTERN, 'must be a letter or underscore followed by letters, digits, underscores');
/** 64 KiB: certificates and kubeconfigs fit; a secret is not a file store */
export const secretValue = z.string().min(1, 'must not be empty').max(65_536, 'must be at most 64 KiB');

/** What anyone who may read the project sees of a secret: never its value. */
export function secretView(row: { name: string; createdAt: Date; updatedAt: Date }) {
  return { name: row.name, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

export async function createSecret(
  db: Db,
  config: Config,
  actor: Actor,
  project: Project,
  input: { name: string; value: string },
) {
  const value = seal(keyringOf(config), input.value);
  try {
    const row = await db.projectSecret.create({
      data: { id: crypto.randomUUID(), projectId: project.id, name: input.name, value },
    });
    await audit(db, { actor, projectId: project.id, action: 'secret.created', target: input.name });
    return row;
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict(
        `secret ${input.name} already exists in project ${project.name}; PUT replaces its value`,
      );
    throw err;
  }
}

export async function updateSecret(
  db: Db,
  config: Config,
  actor: Actor,
  project: Project,
  name: string,
  input: { value: string },
) {
  const value = seal(keyringOf(config), input.value);
  const { count } = await db.projectSecret.updateMany({
    where: { projectId: project.id, name },
    data: { value },
  });
  if (count === 0) throw notFound(`secret ${name}`);
  await audit(db, { actor, projectId: project.id, action: 'secret.updated', target: name });
  return db.projectSecret.findUniqueOrThrow({ where: { projectId_name: { projectId: project.id, name } } });
}

export async function deleteSecret(db: Db, actor: Actor, project: Project, name: string) {
  const { count } = await db.projectSecret.deleteMany({ where: { projectId: project.id, name } });
  if (count === 0) throw notFound(`secret ${name}`);
  await audit(db, { actor, projectId: project.id, action: 'secret.deleted', target: name });
}

export function listSecrets(db: Db, project: Project, page: { limit: number; after?: string }) {
  return db.projectSecret.findMany({
    where: { projectId: project.id, ...(page.after ? { name: { gt: page.after } } : {}) },
    select: { name: true, createdAt: true, updatedAt: true },
    orderBy: { name: 'asc' },
    take: page.limit + 1,
  });
}
