import { and, desc, eq, lt } from 'drizzle-orm';
import type { Queryable } from '../db/database';
import { auditEvents } from '../db/schema';

export type AuditEventInput = {
  orgId: string | null;
  actorKind: (typeof auditEvents.$inferInsert)['actorKind'];
  actorId: string | null;
  action: string;
  clientId?: string | null;
  entityType?: string | null;
  entityId?: string | null;
  requestId?: string | null;
  outcome: 'success' | 'denied' | 'failure';
  at: Date;
};

/**
 * Appends one audit event. Call it inside the transaction that reads or writes the client's data,
 * so the event and the change commit (or roll back) together. Ids only: never names or contents.
 */
export async function recordAudit(db: Queryable, event: AuditEventInput): Promise<void> {
  await db.insert(auditEvents).values({
    orgId: event.orgId,
    actorKind: event.actorKind,
    actorId: event.actorId,
    action: event.action,
    clientId: event.clientId ?? null,
    entityType: event.entityType ?? null,
    entityId: event.entityId ?? null,
    requestId: event.requestId ?? null,
    outcome: event.outcome,
    at: event.at,
  });
}

/** A client's access history, newest first, paged by event id. */
export async function listClientAudit(db: Queryable, orgId: string, clientId: string, limit: number, beforeId?: number) {
  return db
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.orgId, orgId),
        eq(auditEvents.clientId, clientId),
        beforeId ? lt(auditEvents.id, beforeId) : undefined,
      ),
    )
    .orderBy(desc(auditEvents.id))
    .limit(limit);
}
