import type { FastifyRequest } from 'fastify';
import type { Db } from '../../db/database';
import { recordAudit } from '../../audit/audit.queries';
import { unauthorized } from '../../errors';
import { auditEventOf, type AuditDescription } from '../../access/access';
import type { ApiTokenPrincipal } from '../../access/principal';
import type { Clock } from '../../lib/clock';

/** The API token of a request that passed an `api` access rule. */
export function tokenOf(request: FastifyRequest): ApiTokenPrincipal {
  const p = request.principal;
  if (p.kind !== 'api_token') throw unauthorized();
  return p;
}

/**
 * Records a refused request (an id outside the token's organisation, or none), outcome `denied`,
 * actor the API token (`api_token`, the token's id): ids only, the id kept only when well formed.
 * Successful requests go through `withAudit`, which takes the same actor from the principal.
 */
export async function auditDenied(request: FastifyRequest, db: Db, clock: Clock, e: AuditDescription): Promise<void> {
  const wellFormed = e.entityId && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(-[a-z0-9-]+)?$/i.test(e.entityId) ? e.entityId.slice(0, 100) : null;
  await recordAudit(db, auditEventOf(request, clock, { ...e, clientId: null, entityId: wellFormed }, { outcome: 'denied' }));
}
