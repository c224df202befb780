import type { Db } from '../../lib/db';
import type { Actor } from './actor';

export interface AuditEntry {
  actor?: Actor;
  projectId?: string;
  /** e.g. token.created, member.role_changed, pipeline.updated, run.triggered, run.cancelled, run.approved */
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

/** Appends a security-relevant action to the audit log. Never holds secret values. */
export async function audit(db: Db, entry: AuditEntry): Promise<void> {
  await db.auditEvent.create({
    data: {
      actorId: entry.actor?.userId ?? null,
      projectId: entry.projectId ?? null,
      action: entry.action,
      target: entry.target,
      details: (entry.details ?? undefined) as object | undefined,
    },
  });
}
