import type { FastifyRequest } from 'fastify';
import type { Db, Queryable, Tx } from '../../db/database';
import { recordAudit } from '../../audit/audit.queries';
import { unauthorized } from '../../errors';
import type { ApiTokenPrincipal } from '../../access/principal';
import type { Clock } from '../../lib/clock';

export type ApiAuditDescription = { action: string; clientId?: string | null; entityType?: string; entityId?: string | null };

/** The API token of a request that passed an `api` access rule. */
export function tokenOf(request: FastifyRequest): ApiTokenPrincipal {
  const p = request.principal;
  if (p.kind !== 'api_token') throw unauthorized();
  return p;
}

async function record(db: Queryable, request: FastifyRequest, clock: Clock, e: ApiAuditDescription, outcome: 'success' | 'denied') {
  const token = tokenOf(request);
  await recordAudit(db, {
    orgId: token.orgId,
    actorKind: 'api_token',
    actorId: token.tokenId,
    action: e.action,
    clientId: e.clientId ?? null,
    entityType: e.entityType ?? null,
    entityId: e.entityId ?? null,
    requestId: request.id,
    outcome,
    at: clock.now(),
  });
}

/**
 * `withAudit` for API tokens: the work and its audit event (actor `api_token`, the token's id) in
 * one transaction. The description may depend on the result (the client a response belongs to).
 */
export async function withApiAudit<T>(
  request: FastifyRequest,
  db: Db,
  clock: Clock,
  event: ApiAuditDescription | ((result: T) => ApiAuditDescription),
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    const result = await work(tx);
    await record(tx, request, clock, typeof event === 'function' ? event(result) : event, 'success');
    return result;
  });
}

/** Records a refused request (an id outside the token's organisation, or none): ids only, the id kept only when well formed. */
export async function auditDenied(request: FastifyRequest, db: Db, clock: Clock, e: ApiAuditDescription): Promise<void> {
  const wellFormed = e.entityId && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(-[a-z0-9-]+)?$/i.test(e.entityId) ? e.entityId.slice(0, 100) : null;
  await record(db, request, clock, { ...e, clientId: null, entityId: wellFormed }, 'denied');
}
