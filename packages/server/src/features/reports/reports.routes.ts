import type { FastifyRequest } from 'fastify';
import type { App, AppDeps } from '../../app';
import { seesWholeOrganisation, staffOf, withAudit } from '../../access/access';
import { forbidden, notFound } from '../../errors';
import { allianceVisibility } from '../alliance/blind';
import { buildOutcomeReport } from './reports.report';
import { outcomeReportCsv } from './reports.present';
import { clientReportParams, outcomeReportQuery, outcomeReportView } from './reports.schema';
import { progressReportData } from './progress-report.queries';
import { renderProgressReport } from './progress-report.pdf';
import type { z } from 'zod';

const tags = ['reports'];

/** Outcome reports (issue 7 item 1): JSON and CSV; a client's progress report as a PDF (items 5 and 6). */
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

  app.get(
    '/api/v1/clients/:clientId/report.pdf',
    { config: { access: { kind: 'client' } }, schema: { tags, params: clientReportParams } },
    async (request, reply) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const now = clock.now();
      const data = await withAudit(request, db, clock, { action: 'client.report.pdf', clientId, entityType: 'client', entityId: clientId }, async (tx) => {
        // Blind rating: a clinician's own unrated sessions hide the client's alliance ratings and their alerts.
        const visibility = p.role === 'clinician' ? await allianceVisibility(tx, { orgId: p.orgId, clinicianUserId: p.userId, clientId, now }) : null;
        return progressReportData(tx, { orgId: p.orgId, clientId, now, visibility });
      });
      if (!data) throw notFound('client');
      const pdf = await renderProgressReport(data);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="progress-report-${clientId}.pdf"`)
        .header('cache-control', 'no-store')
        .send(pdf);
    },
  );
}
