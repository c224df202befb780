import type { Db } from '../../lib/db';
import type { Project } from '../../generated/prisma/client';

/**
 * How long a project row found by name is believed without reading it again: every project
 * route reads it before anything else. Projects are never renamed nor deleted; the one field
 * that changes (badgesPublic) is forgotten at once by the API process that changes it, and
 * read from the database by the badge route, which does not use this cache.
 */
export const PROJECT_CACHE_MS = 1000;
/** Entries kept per database; past it the oldest go first. */
const MAX_ENTRIES = 1000;

interface Entry {
  project: Project;
  until: number;
}

/** Per database client (tests run several apps in one process), keyed by project name. */
const caches = new WeakMap<Db, Map<string, Entry>>();

function cacheOf(db: Db): Map<string, Entry> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  return cache;
}

/** The project of this name, from a read less than PROJECT_CACHE_MS ago when there was one; a missing project is never remembered. */
export async function projectByName(db: Db, name: string): Promise<Project | null> {
  const cache = cacheOf(db);
  const now = Date.now();
  const hit = cache.get(name);
  if (hit && hit.until > now) return hit.project;
  const project = await db.project.findUnique({ where: { name } });
  cache.delete(name);
  if (!project) return null;
  cache.set(name, { project, until: now + PROJECT_CACHE_MS });
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  return project;
}

/** After a change to a project row: this process reads it again from now on. */
export function forgetProject(db: Db, name: string): void {
  cacheOf(db).delete(name);
}
