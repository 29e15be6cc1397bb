import { and, desc, eq, lt, sql } from 'drizzle-orm';
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

/**
 * The audit event as a data-modifying CTE with placeholders, for a prepared read that records
 * itself in the same statement (`with audit_event as (insert …) select …`). One statement is one
 * transaction, so the rows and their event commit together, as with `withAudit`, but in one round
 * trip instead of four (begin, read, insert, commit). Fill it with {@link auditEventValues}.
 */
export function auditEventCte(db: Queryable) {
  const insert = db.insert(auditEvents).values({
    orgId: sql.placeholder('auditOrgId'),
    actorKind: sql.placeholder('auditActorKind'),
    actorId: sql.placeholder('auditActorId'),
    action: sql.placeholder('auditAction'),
    clientId: sql.placeholder('auditClientId'),
    entityType: sql.placeholder('auditEntityType'),
    entityId: sql.placeholder('auditEntityId'),
    requestId: sql.placeholder('auditRequestId'),
    outcome: sql.placeholder('auditOutcome'),
    at: sql.placeholder('auditAt'),
  });
  return db.$with('audit_event', {}).as(insert.getSQL());
}

/** The values for the placeholders of {@link auditEventCte}. */
export function auditEventValues(event: AuditEventInput) {
  return {
    auditOrgId: event.orgId,
    auditActorKind: event.actorKind,
    auditActorId: event.actorId,
    auditAction: event.action,
    auditClientId: event.clientId ?? null,
    auditEntityType: event.entityType ?? null,
    auditEntityId: event.entityId ?? null,
    auditRequestId: event.requestId ?? null,
    auditOutcome: event.outcome,
    auditAt: event.at,
  };
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
