import type { FastifyRequest } from 'fastify';
import type { Db, Tx } from '../../db/database';
import type { Clock } from '../../lib/clock';
import { recordAudit, type AuditEventInput } from '../../audit/audit.queries';
import { unauthorized } from '../../errors';
import type { AuditDescription } from '../../access/access';

/**
 * `withAudit` for the client's side of delivery: the work and its audit event in one transaction,
 * with the link session (`client_link`) or the kiosk device (`kiosk`) as the actor. Token routes,
 * where no session exists yet, pass `actor` explicitly (its id may come from the work's result:
 * the session the work just started).
 */
/** The audit event of a successful client request by its link session or kiosk device, for work that writes it itself. */
export function clientAuditEvent(request: FastifyRequest, clock: Clock, e: AuditDescription): AuditEventInput {
  const p = request.principal;
  const who =
    p.kind === 'client_link' ? { kind: 'client_link' as const, id: p.linkSessionId, orgId: p.orgId } : p.kind === 'kiosk' ? { kind: 'kiosk' as const, id: p.deviceId, orgId: p.orgId } : null;
  if (!who) throw unauthorized();
  return {
    orgId: who.orgId,
    actorKind: who.kind,
    actorId: who.id,
    action: e.action,
    clientId: e.clientId ?? null,
    entityType: e.entityType ?? null,
    entityId: e.entityId ?? null,
    requestId: request.id,
    outcome: 'success',
    at: clock.now(),
  };
}

export async function withClientAudit<T>(
  request: FastifyRequest,
  db: Db,
  clock: Clock,
  event: AuditDescription | ((result: T) => AuditDescription),
  work: (tx: Tx) => Promise<T>,
  actor?: { kind: 'client_link' | 'kiosk'; id: string | null | ((result: T) => string | null); orgId: string },
): Promise<T> {
  const p = request.principal;
  const who =
    actor ??
    (p.kind === 'client_link'
      ? { kind: 'client_link' as const, id: p.linkSessionId, orgId: p.orgId }
      : p.kind === 'kiosk'
        ? { kind: 'kiosk' as const, id: p.deviceId, orgId: p.orgId }
        : null);
  if (!who) throw unauthorized();
  return db.transaction(async (tx) => {
    const result = await work(tx);
    const e = typeof event === 'function' ? event(result) : event;
    await recordAudit(tx, {
      orgId: who.orgId,
      actorKind: who.kind,
      actorId: typeof who.id === 'function' ? who.id(result) : who.id,
      action: e.action,
      clientId: e.clientId ?? null,
      entityType: e.entityType ?? null,
      entityId: e.entityId ?? null,
      requestId: request.id,
      outcome: 'success',
      at: clock.now(),
    });
    return result;
  });
}
