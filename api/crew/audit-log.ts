import type { Db } from '../../lib/db';
import { BIGINT_MAX, integerParam, plainBigInt } from '../http/integer-params';

export interface AuditEventView {
  id: string;
  at: string;
  /** user name; null for system actions or deleted users */
  actor: string | null;
  project: string | null;
  action: string;
  target: string;
  details: unknown;
}

/** Newest first; the cursor is the id of the last event of the previous page. */
export async function listAuditEvents(
  db: Db,
  filter: { projectId?: string },
  page: { limit: number; cursor?: string },
): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
  const before = integerParam('cursor', page.cursor, plainBigInt(1n, BIGINT_MAX));
  const rows = await db.auditEvent.findMany({
    where: {
      ...(filter.projectId ? { projectId: filter.projectId } : {}),
      ...(before !== undefined ? { id: { lt: before } } : {}),
    },
    orderBy: { id: 'desc' },
    take: page.limit + 1,
  });
  const more = rows.length > page.limit;
  const events = more ? rows.slice(0, page.limit) : rows;
  const [users, projects] = await Promise.all([
    namesById(
      db,
      'user',
      events.map((e) => e.actorId),
    ),
    namesById(
      db,
      'project',
      events.map((e) => e.projectId),
    ),
  ]);
  return {
    items: events.map((e) => ({
      id: e.id.toString(),
      at: e.at.toISOString(),
      actor: e.actorId ? (users.get(e.actorId) ?? null) : null,
      project: e.projectId ? (projects.get(e.projectId) ?? null) : null,
      action: e.action,
      target: e.target,
      details: e.details ?? null,
    })),
    nextCursor: more ? events[events.length - 1]!.id.toString() : null,
  };
}

async function namesById(
  db: Db,
  table: 'user' | 'project',
  ids: (string | null)[],
): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter((id): id is string => id !== null))];
  if (unique.length === 0) return new Map();
  const query = { where: { id: { in: unique } }, select: { id: true, name: true } };
  const rows = table === 'user' ? await db.user.findMany(query) : await db.project.findMany(query);
  return new Map(rows.map((r) => [r.id, r.name]));
}
