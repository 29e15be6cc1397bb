import { z } from 'zod';
import type { App, AppDeps } from '../app';
import { staffOf, withAudit } from '../access/access';
import { listClientAudit } from './audit.queries';

const query = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional(),
});

const eventView = z.object({
  id: z.number(),
  at: z.string(),
  actorKind: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  entityType: z.string().nullable(),
  entityId: z.string().nullable(),
  outcome: z.string(),
  requestId: z.string().nullable(),
});

/** A client's access history, for admins. Reading it is itself audited. */
export function registerAuditRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;
  app.get(
    '/api/v1/clients/:clientId/audit',
    {
      config: { access: { kind: 'client', roles: ['admin'] } },
      schema: {
        tags: ['audit'],
        params: z.strictObject({ clientId: z.uuid() }),
        querystring: query,
        response: { 200: z.object({ items: z.array(eventView), nextBefore: z.number().nullable() }) },
      },
    },
    async (request) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const rows = await withAudit(request, db, clock, { action: 'client.audit.read', clientId, entityType: 'audit' }, (tx) =>
        listClientAudit(tx, p.orgId, clientId, request.query.limit, request.query.before),
      );
      return {
        items: rows.map((r) => ({
          id: r.id,
          at: r.at.toISOString(),
          actorKind: r.actorKind,
          actorId: r.actorId,
          action: r.action,
          entityType: r.entityType,
          entityId: r.entityId,
          outcome: r.outcome,
          requestId: r.requestId,
        })),
        nextBefore: rows.length === request.query.limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );
}
