import type { FastifyRequest } from 'fastify';
import type { App, AppDeps } from '../../app';
import { seesWholeOrganisation, staffOf, withAudit } from '../../access/access';
import { forbidden } from '../../errors';
import { allianceVisibility } from '../alliance/blind';
import { buildOutcomeReport } from './reports.report';
import { outcomeReportCsv } from './reports.present';
import { outcomeReportQuery, outcomeReportView } from './reports.schema';
import type { z } from 'zod';

const tags = ['reports'];

/** Outcome reports (issue 7 item 1): JSON and CSV. A client's PDF is in `reports.pdf.routes.ts`. */
export function registerReportRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  /** Admins and supervisors: any scope of their organisation; a clinician: their own caseload only. */
  async function report(request: FastifyRequest, query: z.infer<typeof outcomeReportQuery>) {
    const p = staffOf(request);
    let clinicianId = query.clinicianId;
    if (!seesWholeOrganisation(p.role)) {
      if (clinicianId && clinicianId !== p.userId) throw forbidden('A clinician may only see the outcome report of their own caseload.', 'own_caseload_only');
      clinicianId = p.userId;
    }
    const scope = { orgId: p.orgId, from: query.from, to: query.to, programmeId: query.programmeId, clinicianId };
    return withAudit(request, db, clock, { action: 'reports.outcomes', entityType: 'report' }, async (tx) => {
      // Blind rating: a clinician does not see client alliance ratings they have not rated yet.
      const hiddenResponseIds = seesWholeOrganisation(p.role)
        ? []
        : [...(await allianceVisibility(tx, { orgId: p.orgId, clinicianUserId: p.userId, now: clock.now() })).hiddenResponseIds];
      return buildOutcomeReport(tx, scope, { userId: p.userId, hiddenResponseIds });
    });
  }

  app.get(
    '/api/v1/reports/outcomes',
    { config: { access: { kind: 'staff' } }, schema: { tags, querystring: outcomeReportQuery, response: { 200: outcomeReportView } } },
    async (request) => report(request, request.query),
  );

  app.get(
    '/api/v1/reports/outcomes.csv',
    { config: { access: { kind: 'staff' } }, schema: { tags, querystring: outcomeReportQuery } },
    async (request, reply) => {
      const csv = outcomeReportCsv(await report(request, request.query));
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="outcomes-${request.query.from}-${request.query.to}.csv"`)
        .send(csv);
    },
  );
}
