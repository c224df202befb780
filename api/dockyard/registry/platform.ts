import crypto from 'node:crypto';
import type { Db } from '../../../lib/db';

/**
 * The platform's own repositories (base images, built-in components' images) live in dockyard
 * under this project. Every authenticated token may pull them: a pipeline of any project runs
 * built-in components. Pushing and deleting stay with the project's roles (administrators).
 */
export const PLATFORM_PROJECT = 'containerops';

/** Creates the platform project on start when it is missing; safe when several APIs start at once. */
export async function ensurePlatformProject(db: Db): Promise<void> {
  if (await db.project.findUnique({ where: { name: PLATFORM_PROJECT } })) return;
  try {
    await db.project.create({
      data: {
        id: crypto.randomUUID(),
        name: PLATFORM_PROJECT,
        description:
          'Platform images: Debian base images and the built-in components (pulled by every project)',
      },
    });
  } catch (err) {
    if ((err as { code?: string }).code !== 'P2002') throw err; // another replica created it
  }
}
