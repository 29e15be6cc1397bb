import type { App, AppDeps } from '../../app';
import { seesWholeOrganisation, staffOf, withAudit } from '../../access/access';
import { badRequest, conflict, notFound } from '../../errors';
import { getClient } from '../clients/clients.queries';
import { recordAudit } from '../../audit/audit.queries';
import type { Tx } from '../../db/database';
import { allianceVisibility } from '../alliance/blind';
import { acknowledgeAlert, decodeAlertCursor, getAlert, listAlerts, resolveAlert, type AlertFilter, type AlertRow } from './alerts.queries';
import { presentAlert } from './alerts.present';
import { alertListQuery, alertListView, alertParams, alertResolveBody, alertView, clientAlertParams } from './alerts.schema';

const tags = ['alerts'];

function statusFilter(status: 'open' | 'acknowledged' | 'resolved' | 'active' | 'all'): AlertRow['status'][] | undefined {
  if (status === 'all') return undefined;
  return status === 'active' ? ['open', 'acknowledged'] : [status];
}

/**
 * Alerts: the staff-wide list, a client's alerts, acknowledgement and resolution. Every read applies
 * blind rating (`allianceVisibility`): an alliance alert of a session the caller has still to rate is
 * left out of their lists and is a 404 to them; risk alerts never wait. Escalation, the daily digest
 * and missed-questionnaire alerts are jobs (`alerts.lifecycle.ts`).
 */
export function registerAlertRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  /** What blind rating hides from this person (one client, or all of theirs). */
  const hiddenFor = async (tx: Tx, p: { orgId: string; userId: string }, clientId?: string) =>
    (await allianceVisibility(tx, { orgId: p.orgId, clinicianUserId: p.userId, clientId, now: clock.now() })).hiddenResponseIds;

  /** The alert, unless it is not this client's or blind rating hides it from the caller (both a 404). */
  async function visibleAlert(tx: Tx, p: { orgId: string; userId: string }, clientId: string, alertId: string): Promise<AlertRow | null> {
    const alert = await getAlert(tx, alertId);
    if (!alert || alert.orgId !== p.orgId || alert.clientId !== clientId) return null;
    const visibility = await allianceVisibility(tx, { orgId: p.orgId, clinicianUserId: p.userId, clientId, now: clock.now() });
    return visibility.isAlertHidden(alert) ? null : alert;
  }

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
      const page = await withAudit(request, db, clock, { action: 'alerts.list', entityType: 'alert' }, async (tx) =>
        listAlerts(tx, { ...filter, hiddenResponseIds: await hiddenFor(tx, p) }),
      );
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
      const page = await withAudit(request, db, clock, { action: 'client.alerts.list', clientId, entityType: 'alert' }, async (tx) =>
        listAlerts(tx, { orgId: p.orgId, clientId, status: statusFilter(status), kind, urgent, limit, after, hiddenResponseIds: await hiddenFor(tx, p, clientId) }),
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
          if (!(await visibleAlert(tx, p, clientId, alertId))) return null;
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

  app.post(
    '/api/v1/clients/:clientId/alerts/:alertId/resolve',
    { config: { access: { kind: 'client' } }, schema: { tags, params: alertParams, body: alertResolveBody, response: { 200: alertView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId, alertId } = request.params;
      const { action, note } = request.body;
      const result = await withAudit(
        request,
        db,
        clock,
        { action: 'alert.resolve', clientId, entityType: 'alert', entityId: alertId },
        async (tx) => {
          if (!(await visibleAlert(tx, p, clientId, alertId))) return null;
          const now = clock.now();
          const outcome = await resolveAlert(tx, { orgId: p.orgId, clientId, alertId, userId: p.userId, action, note, now });
          if (!outcome) return null;
          // Resolving an alert nobody acknowledged acknowledges it too: that step gets its own event.
          if (outcome.acknowledged) {
            await recordAudit(tx, { orgId: p.orgId, actorKind: 'user', actorId: p.userId, action: 'alert.acknowledge', clientId, entityType: 'alert', entityId: alertId, requestId: request.id, outcome: 'success', at: now });
          }
          const client = await getClient(tx, p.orgId, clientId);
          return client ? { ...outcome, client } : null;
        },
      );
      if (!result) throw notFound('alert');
      if (!result.resolved) throw conflict('This alert is already resolved.', 'alert_resolved');
      return presentAlert(result.alert, result.client);
    },
  );
}
