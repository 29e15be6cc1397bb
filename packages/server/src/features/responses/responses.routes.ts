import type { App, AppDeps } from '../../app';
import { staffOf, withAudit } from '../../access/access';
import { badRequest } from '../../errors';
import { allianceVisibility } from '../alliance/blind';
import { resolveInstruments } from '../instruments/org-instruments';
import { presentClientResponse } from './responses.present';
import { decodeResponseCursor, listClientResponses } from './responses.queries';
import { responseListParams, responseListQuery, responseListView } from './responses.schema';

const tags = ['responses'];

/**
 * A client's completed questionnaires with their item answers (issue 6, the client page's
 * responses panel): newest first, paged, optionally one instrument. `client` access (care team,
 * supervisors, admins; anything else a 404), read inside `withAudit`. Blind rating: the client's
 * alliance response of a session the caller still has to rate is left out altogether, as
 * `allianceVisibility` (features/alliance/blind.ts) says; "discussed" (features/alliance) 404s it too.
 */
export function registerResponseRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  app.get(
    '/api/v1/clients/:clientId/responses',
    { config: { access: { kind: 'client' } }, schema: { tags, params: responseListParams, querystring: responseListQuery, response: { 200: responseListView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const { instrumentId, limit, cursor } = request.query;
      const after = cursor ? decodeResponseCursor(cursor) : null;
      if (cursor && !after) throw badRequest('This page link is not valid; start from the first page.', 'cursor');
      return withAudit(request, db, clock, { action: 'responses.read', clientId, entityType: 'client', entityId: clientId }, async (tx) => {
        const visibility = await allianceVisibility(tx, { orgId: p.orgId, clinicianUserId: p.userId, clientId, now: clock.now() });
        const page = await listClientResponses(tx, { orgId: p.orgId, clientId, instrumentId, hiddenResponseIds: visibility.hiddenResponseIds, limit, after });
        const instruments = await resolveInstruments(tx, p.orgId, [...new Set(page.items.map((r) => r.response.instrumentId))]);
        return {
          items: page.items.map((row) => presentClientResponse(row, instruments.get(row.response.instrumentId) ?? null)),
          nextCursor: page.nextCursor,
        };
      });
    },
  );
}
