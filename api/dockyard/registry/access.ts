import type { Request } from 'express';
import type { Db } from '../../../lib/db';
import type { Project } from '../../../generated/prisma/client';
import { HttpError } from '../../../lib/errors';
import type { Actor } from '../../crew/actor';
import { visibleProject } from '../../crew/membership';
import { roleAllows, type ProjectAction } from '../../crew/roles';
import { challenge } from './auth';
import { nameUnknown, RegistryError } from './errors';
import { projectOf } from './names';
import { PLATFORM_PROJECT } from './platform';

export type RegistryAction = 'pull' | 'push' | 'delete';

const ACTION: Record<RegistryAction, ProjectAction> = {
  pull: 'read',
  push: 'write-artifacts',
  delete: 'delete-artifacts',
};

/**
 * viewer pulls, developer pushes, maintainer deletes; another project's repositories do not exist
 * (404), except that anyone authenticated pulls the platform's images.
 */
export async function authorizeRepo(
  db: Db,
  req: Request,
  actor: Actor | undefined,
  name: string,
  action: RegistryAction,
): Promise<Project> {
  if (!actor) throw challenge(req, `repository:${name}:${action === 'pull' ? 'pull' : 'pull,push'}`);
  if (!name.includes('/')) {
    throw new RegistryError(400, 'NAME_INVALID', 'repository names are <project>/<name>');
  }
  if (action === 'pull' && projectOf(name) === PLATFORM_PROJECT) {
    // platform images are every project's: any authenticated caller pulls them
    const platform = await db.project.findUnique({ where: { name: PLATFORM_PROJECT } });
    if (platform) return platform;
  }
  let found;
  try {
    found = await visibleProject(db, actor, projectOf(name));
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) throw nameUnknown(name);
    throw err;
  }
  if (!roleAllows(found.role, ACTION[action])) {
    throw new RegistryError(403, 'DENIED', `your role "${found.role}" does not allow ${action} on ${name}`);
  }
  return found.project;
}
