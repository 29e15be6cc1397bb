import { z } from 'zod';
import type { App, AppDeps } from '../../app';
import { auditEventOf, seesWholeOrganisation, staffOf, withAudit } from '../../access/access';
import { badRequest, notFound } from '../../errors';
import {
  activeStaffIds,
  addCareTeamMembers,
  consentHistory,
  currentConsents,
  decodeCursor,
  type ClientRow,
  getClient,
  insertClient,
  listCareTeam,
  listClients,
  recordConsent,
  removeCareTeamMember,
  updateClient,
} from './clients.queries';
import { presentClient, presentConsent } from './clients.present';
import {
  careTeamMemberView,
  careTeamParams,
  clientCreateBody,
  clientIdParams,
  clientListQuery,
  clientListView,
  clientUpdateBody,
  clientView,
  consentBody,
  consentView,
} from './clients.schema';

const tags = ['clients'];

/** Clients, their contact consent and their care team. */
export function registerClientRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  app.get(
    '/api/v1/clients',
    { config: { access: { kind: 'staff' } }, schema: { tags, querystring: clientListQuery, response: { 200: clientListView } } },
    async (request) => {
      const p = staffOf(request);
      const { q, status, limit, cursor } = request.query;
      const after = cursor ? decodeCursor(cursor) : null;
      if (cursor && !after) throw badRequest('This page link is not valid; start from the first page.', 'cursor');
      const careTeamOf = seesWholeOrganisation(p.role) ? undefined : p.userId;
      // One statement reads the page and inserts its audit event (see listClients).
      return listClients(db, { orgId: p.orgId, careTeamOf, q, status, limit, after }, auditEventOf(request, clock, { action: 'clients.list', entityType: 'client' }));
    },
  );

  app.post(
    '/api/v1/clients',
    { config: { access: { kind: 'staff' } }, schema: { tags, body: clientCreateBody, response: { 201: clientView } } },
    async (request, reply) => {
      const p = staffOf(request);
      const { careTeam = [], ...values } = request.body;
      const team = [...new Set(p.role === 'clinician' ? [p.userId, ...careTeam] : careTeam)];
      const known = await activeStaffIds(db, p.orgId, team);
      const unknown = team.find((id) => !known.has(id));
      if (unknown) throw badRequest('Care-team members must be active staff of this clinic.', 'careTeam');
      const now = clock.now();
      const client = await withAudit<ClientRow>(
        request,
        db,
        clock,
        (created) => ({ action: 'client.create', clientId: created.id, entityType: 'client', entityId: created.id }),
        async (tx) => {
          const created = await insertClient(tx, p.orgId, values, now);
          await addCareTeamMembers(tx, p.orgId, created.id, team, now);
          return created;
        },
      );
      return reply.status(201).send(presentClient(client));
    },
  );

  app.get(
    '/api/v1/clients/:clientId',
    { config: { access: { kind: 'client' } }, schema: { tags, params: clientIdParams, response: { 200: clientView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const client = await withAudit(request, db, clock, { action: 'client.read', clientId, entityType: 'client', entityId: clientId }, (tx) =>
        getClient(tx, p.orgId, clientId),
      );
      if (!client) throw notFound('client');
      return presentClient(client);
    },
  );

  app.patch(
    '/api/v1/clients/:clientId',
    { config: { access: { kind: 'client' } }, schema: { tags, params: clientIdParams, body: clientUpdateBody, response: { 200: clientView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const client = await withAudit(request, db, clock, { action: 'client.update', clientId, entityType: 'client', entityId: clientId }, (tx) =>
        updateClient(tx, p.orgId, clientId, request.body, clock.now()),
      );
      if (!client) throw notFound('client');
      return presentClient(client);
    },
  );

  app.get(
    '/api/v1/clients/:clientId/consents',
    {
      config: { access: { kind: 'client' } },
      schema: { tags, params: clientIdParams, response: { 200: z.object({ current: z.array(consentView), history: z.array(consentView) }) } },
    },
    async (request) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      return withAudit(request, db, clock, { action: 'client.consent.read', clientId, entityType: 'consent' }, async (tx) => ({
        current: (await currentConsents(tx, p.orgId, clientId)).map(presentConsent),
        history: (await consentHistory(tx, p.orgId, clientId)).map(presentConsent),
      }));
    },
  );

  app.post(
    '/api/v1/clients/:clientId/consents',
    { config: { access: { kind: 'client' } }, schema: { tags, params: clientIdParams, body: consentBody, response: { 201: consentView } } },
    async (request, reply) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const row = await withAudit(request, db, clock, { action: 'client.consent.record', clientId, entityType: 'consent' }, (tx) =>
        recordConsent(tx, {
          orgId: p.orgId,
          clientId,
          channel: request.body.channel,
          granted: request.body.granted,
          note: request.body.note ?? null,
          recordedBy: p.userId,
          source: 'staff',
          recordedAt: clock.now(),
        }),
      );
      return reply.status(201).send(presentConsent(row));
    },
  );

  app.get(
    '/api/v1/clients/:clientId/care-team',
    { config: { access: { kind: 'client' } }, schema: { tags, params: clientIdParams, response: { 200: z.object({ items: z.array(careTeamMemberView) }) } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const rows = await withAudit(request, db, clock, { action: 'client.care_team.read', clientId, entityType: 'care_team' }, (tx) =>
        listCareTeam(tx, p.orgId, clientId),
      );
      return { items: rows.map((r) => ({ ...r, addedAt: r.addedAt.toISOString() })) };
    },
  );

  app.put(
    '/api/v1/clients/:clientId/care-team/:userId',
    { config: { access: { kind: 'client' } }, schema: { tags, params: careTeamParams } },
    async (request, reply) => {
      const p = staffOf(request);
      const { clientId, userId } = request.params;
      if (!(await activeStaffIds(db, p.orgId, [userId])).has(userId)) throw notFound('staff member');
      await withAudit(request, db, clock, { action: 'client.care_team.add', clientId, entityType: 'user', entityId: userId }, (tx) =>
        addCareTeamMembers(tx, p.orgId, clientId, [userId], clock.now()),
      );
      return reply.status(204).send();
    },
  );

  app.delete(
    '/api/v1/clients/:clientId/care-team/:userId',
    { config: { access: { kind: 'client', roles: ['admin', 'supervisor'] } }, schema: { tags, params: careTeamParams } },
    async (request, reply) => {
      const p = staffOf(request);
      const { clientId, userId } = request.params;
      const removed = await withAudit(request, db, clock, { action: 'client.care_team.remove', clientId, entityType: 'user', entityId: userId }, (tx) =>
        removeCareTeamMember(tx, p.orgId, clientId, userId),
      );
      if (!removed) throw notFound('care-team member');
      return reply.status(204).send();
    },
  );
}
