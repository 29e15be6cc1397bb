import { Readable } from 'node:stream';
import type { App, AppDeps } from '../../app';
import { staffOf, withAudit } from '../../access/access';
import { responsesExportQuery } from './exports.schema';
import { responsesCsv } from './exports.queries';

const tags = ['exports'];

/** Research exports (issue 7 item 4): admins and supervisors, the whole organisation or a filter. */
export function registerExportRoutes(app: App, deps: AppDeps): void {
  const { db, clock, secretKey } = deps;

  app.get(
    '/api/v1/exports/responses.csv',
    {
      config: { access: { kind: 'staff', roles: ['admin', 'supervisor'] }, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: { tags, querystring: responsesExportQuery },
    },
    async (request, reply) => {
      const p = staffOf(request);
      const { deidentified, ...filter } = request.query;
      // One audit event per export, with the filter (ids, codes and dates only: no PHI).
      await withAudit(request, db, clock, { action: 'exports.responses_csv', entityType: 'export', entityId: JSON.stringify({ ...filter, deidentified }) }, async () => null);
      const lines = responsesCsv(db, { orgId: p.orgId, ...filter }, { deidentified: deidentified === 'true', secretKey });
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="responses${deidentified === 'true' ? '-deidentified' : ''}.csv"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(lines));
    },
  );
}
