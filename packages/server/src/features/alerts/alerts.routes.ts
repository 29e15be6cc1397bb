import type { App, AppDeps } from '../../app';
import { seesWholeOrganisation, staffOf, withAudit } from '../../access/access';
import { badRequest, conflict, notFound } from '../../errors';
import { getClient } from '../clients/clients.queries';
import { acknowledgeAlert, decodeAlertCursor, listAlerts, type AlertFilter, type AlertRow } from './alerts.queries';
import { presentAlert } from './alerts.present';
import { alertListQuery, alertListView, alertParams, alertView, clientAlertParams } from './alerts.schema';

const tags = ['alerts'];

function statusFilter(status: 'open' | 'acknowledged' | 'resolved' | 'active' | 'all'): AlertRow['status'][] | undefined {
  if (status === 'all') return undefined;
  return status === 'active' ? ['open', 'acknowledged'] : [status];
}

/**
 * Alerts: the staff-wide list, a client's alerts, and acknowledgement. Resolution, escalation and
 * digests (issue 5) add `POST …/alerts/:alertId/resolve` and jobs beside these, on the same rows.
 */
export function registerAlertRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  app.get(
    '/api/v1/alerts',
    { config: { access: { kind: 'staff' } }, schema: { tags, querystring: alertListQuery, response: { 200: alertListView } } },
    async (request) => {
      const p = staffOf(request);
      const { status, kind, urgent, limit, cursor } = request.query;
      const after = cursor ? decodeAlertCursor(cursor) : null;
      if (cursor && !after) throw badRequest('This page link is not valid; start from the first page.', 'cursor');
      const filter: AlertFilter = {
        orgId: p.orgId,
        careTeamOf: seesWholeOrganisation(p.role) ? undefined : p.userId,
        status: statusFilter(status),
        kind,
        urgent,
        limit,
        after,
      };
      const page = await withAudit(request, db, clock, { action: 'alerts.list', entityType: 'alert' }, (tx) => listAlerts(tx, filter));
      return { items: page.items.map((r) => presentAlert(r.alert, r.client)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/v1/clients/:clientId/alerts',
    { config: { access: { kind: 'client' } }, schema: { tags, params: clientAlertParams, querystring: alertListQuery, response: { 200: alertListView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const { status, kind, urgent, limit, cursor } = request.query;
      const after = cursor ? decodeAlertCursor(cursor) : null;
      if (cursor && !after) throw badRequest('This page link is not valid; start from the first page.', 'cursor');
      const page = await withAudit(request, db, clock, { action: 'client.alerts.list', clientId, entityType: 'alert' }, (tx) =>
        listAlerts(tx, { orgId: p.orgId, clientId, status: statusFilter(status), kind, urgent, limit, after }),
      );
      return { items: page.items.map((r) => presentAlert(r.alert, r.client)), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/v1/clients/:clientId/alerts/:alertId/acknowledge',
    { config: { access: { kind: 'client' } }, schema: { tags, params: alertParams, response: { 200: alertView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId, alertId } = request.params;
      const result = await withAudit(
        request,
        db,
        clock,
        { action: 'alert.acknowledge', clientId, entityType: 'alert', entityId: alertId },
        async (tx) => {
          const alert = await acknowledgeAlert(tx, { orgId: p.orgId, clientId, alertId, userId: p.userId, now: clock.now() });
          const client = alert ? await getClient(tx, p.orgId, clientId) : null;
          return alert && client ? { alert, client } : null;
        },
      );
      if (!result) throw notFound('alert');
      if (result.alert.status === 'resolved') throw conflict('This alert is already resolved.', 'alert_resolved');
      return presentAlert(result.alert, result.client);
    },
  );
}
