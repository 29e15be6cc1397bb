import type { App, AppDeps } from '../../app';
import { staffOf, withAudit } from '../../access/access';
import { badRequest, notFound } from '../../errors';
import { getOrganisation } from '../organisations/organisations.queries';
import { eraseClient } from './erasure';
import { findRetentionCandidates, retentionCutoff, retentionYearsOf } from './retention';
import { clientIdParams } from '../clients/clients.schema';
import { eraseBody, eraseView, retentionCandidatesView } from './lifecycle.schema';

const tags = ['lifecycle'];

/** Data lifecycle (issue 7 item 8): erasure of one client on request, and the retention dry run. */
export function registerLifecycleRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  app.post(
    '/api/v1/clients/:clientId/erase',
    {
      config: { access: { kind: 'client', roles: ['admin'] } },
      schema: { tags, params: clientIdParams, body: eraseBody, response: { 200: eraseView } },
    },
    async (request) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      if (request.body.confirmClientId !== clientId) {
        throw badRequest("The confirmation does not match this client's id.", 'confirmClientId', 'confirmation_mismatch');
      }
      const now = clock.now();
      const erased = await eraseClient(db, { orgId: p.orgId, clientId, requestedBy: p.userId, reason: request.body.reason, now, requestId: request.id });
      if (!erased) throw notFound('client');
      return { clientId, erasedAt: now.toISOString() };
    },
  );

  app.get(
    '/api/v1/retention/candidates',
    { config: { access: { kind: 'staff', roles: ['admin'] } }, schema: { tags, response: { 200: retentionCandidatesView } } },
    async (request) => {
      const p = staffOf(request);
      const org = await getOrganisation(db, p.orgId);
      if (!org) throw notFound('organisation');
      const retentionYears = retentionYearsOf(org.settings);
      const cutoff = retentionCutoff(clock.now(), retentionYears);
      const items = await withAudit(request, db, clock, { action: 'retention.dry_run', entityType: 'organisation', entityId: p.orgId }, (tx) =>
        findRetentionCandidates(tx, p.orgId, cutoff),
      );
      return {
        retentionYears,
        cutoff: cutoff.toISOString(),
        items: items.map((c) => ({ clientId: c.clientId, lastActivityAt: c.lastActivityAt.toISOString() })),
      };
    },
  );
}
