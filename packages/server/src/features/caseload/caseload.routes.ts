import type { App, AppDeps } from '../../app';
import { seesWholeOrganisation, staffOf, withAudit } from '../../access/access';
import { forbidden } from '../../errors';
import { loadCaseload } from './caseload.queries';
import { presentCaseload } from './caseload.present';
import { caseloadQuery, caseloadView } from './caseload.schema';

const tags = ['caseload'];

/**
 * The caseload (issue 6): the caller's clients ordered by what needs attention, with everything
 * the triage list shows per client, in one request and a fixed number of queries
 * (`caseload.queries.ts`). Blind rating applies to the caller (`allianceVisibility`). Supervisors
 * and admins may open another staff member's caseload or the whole organisation's; a clinician
 * only their own.
 */
export function registerCaseloadRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  app.get(
    '/api/v1/caseload',
    { config: { access: { kind: 'staff' } }, schema: { tags, querystring: caseloadQuery, response: { 200: caseloadView } } },
    async (request) => {
      const p = staffOf(request);
      const { therapistId, q, status, attention, programmeId, limit, offset } = request.query;
      let careTeamOf: string | undefined = p.userId;
      if (therapistId && therapistId !== p.userId) {
        if (!seesWholeOrganisation(p.role)) throw forbidden('Only supervisors and admins can open another clinician’s caseload.', 'not_your_caseload');
        careTeamOf = therapistId === 'all' ? undefined : therapistId;
      }
      const now = clock.now();
      const data = await withAudit(request, db, clock, { action: 'caseload.list', entityType: 'caseload', entityId: careTeamOf ?? null }, (tx) =>
        loadCaseload(tx, { orgId: p.orgId, userId: p.userId, careTeamOf, q: q || undefined, status, attention, programmeId, limit, offset, now }),
      );
      return presentCaseload(data, { now, limit, offset });
    },
  );
}
