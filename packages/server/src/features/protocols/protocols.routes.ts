import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App, AppDeps } from '../../app';
import type { Tx } from '../../db/database';
import { staffOf, withAudit } from '../../access/access';
import { badRequest, conflict, notFound } from '../../errors';
import { getOrganisation } from '../organisations/organisations.queries';
import { getProgramme } from '../programmes/programmes.queries';
import { cancelOrphanedAssignments, type ProtocolChangeScope } from '../assignments/assignments.protocol-change';
import { isKnownTimeZone } from '../assignments/quiet-hours';
import {
  archiveProtocol,
  builtInProtocol,
  checkProtocolRules,
  fromRow,
  getEpisode,
  getProtocol,
  insertProtocol,
  listProtocols,
  liveProtocolOfScope,
  resolveProtocol,
  updateProtocol,
} from './protocols.queries';
import { presentProtocol } from './protocols.present';
import { previewProtocol } from './protocols.preview';
import {
  episodeProtocolBody,
  episodeProtocolParams,
  previewItemView,
  protocolCreateBody,
  protocolIdParams,
  protocolListQuery,
  protocolPreviewBody,
  protocolUpdateBody,
  protocolView,
} from './protocols.schema';

const tags = ['protocols'];
const adminOnly = { access: { kind: 'staff', roles: ['admin'] } } as const;
const readers = { access: { kind: 'staff', roles: ['admin', 'supervisor'] } } as const;

/**
 * Measurement protocols: the organisation's default and each programme's (admins write,
 * supervisors read), an episode's own override (its care team), and a preview of what a protocol
 * would send for a sample schedule.
 */
export function registerProtocolRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;
  const scopeTaken = () => conflict('This scope already has a protocol: edit or archive it first.', 'protocol_exists', 'programmeId');
  /** Cancels what the change left without a rule, in the change's transaction (issue 4). */
  const cancelOrphans = (tx: Tx, request: FastifyRequest, scope: ProtocolChangeScope) =>
    cancelOrphanedAssignments(tx, { orgId: staffOf(request).orgId, scope, now: clock.now(), actorId: staffOf(request).userId, requestId: request.id });

  app.get(
    '/api/v1/protocols',
    {
      config: readers,
      schema: { tags, querystring: protocolListQuery, response: { 200: z.object({ items: z.array(protocolView), builtIn: protocolView }) } },
    },
    async (request) => {
      const rows = await listProtocols(db, staffOf(request).orgId, request.query);
      return { items: rows.map((r) => presentProtocol(fromRow(r))), builtIn: presentProtocol(builtInProtocol) };
    },
  );

  app.post(
    '/api/v1/protocols',
    { config: adminOnly, schema: { tags, body: protocolCreateBody, response: { 201: protocolView } } },
    async (request, reply) => {
      const p = staffOf(request);
      const { programmeId, ...content } = request.body;
      const row = await withAudit(
        request,
        db,
        clock,
        (created: { id: string }) => ({ action: 'protocol.create', entityType: 'protocol', entityId: created.id }),
        async (tx) => {
          if (programmeId) {
            const programme = await getProgramme(tx, p.orgId, programmeId);
            if (!programme || programme.archivedAt) throw badRequest('No such programme.', 'programmeId', 'unknown_programme');
          }
          await checkProtocolRules(tx, p.orgId, content.rules);
          if (await liveProtocolOfScope(tx, p.orgId, { programmeId, episodeId: null })) throw scopeTaken();
          const created = await insertProtocol(tx, { ...content, orgId: p.orgId, programmeId, episodeId: null, createdBy: p.userId, now: clock.now() });
          await cancelOrphans(tx, request, { programmeId });
          return created;
        },
      );
      return reply.status(201).send(presentProtocol(fromRow(row)));
    },
  );

  app.post(
    '/api/v1/protocols/preview',
    { config: { access: { kind: 'staff' } }, schema: { tags, body: protocolPreviewBody, response: { 200: z.object({ items: z.array(previewItemView) }) } } },
    async (request) => {
      const p = staffOf(request);
      const body = request.body;
      await checkProtocolRules(db, p.orgId, body.rules);
      const org = await getOrganisation(db, p.orgId);
      if (!org) throw notFound('organisation');
      const timeZone = body.timeZone ?? org.settings.timeZone;
      if (!isKnownTimeZone(timeZone)) throw badRequest('Unknown time zone: use a name such as Europe/London.', 'timeZone');
      return { items: previewProtocol({ ...body, timeZone }, org.settings) };
    },
  );

  app.get(
    '/api/v1/protocols/:protocolId',
    { config: readers, schema: { tags, params: protocolIdParams, response: { 200: protocolView } } },
    async (request) => {
      const row = await getProtocol(db, staffOf(request).orgId, request.params.protocolId);
      // An episode's own protocol is client data: it is read through its episode.
      if (!row || row.episodeId) throw notFound('protocol');
      return presentProtocol(fromRow(row));
    },
  );

  app.put(
    '/api/v1/protocols/:protocolId',
    { config: adminOnly, schema: { tags, params: protocolIdParams, body: protocolUpdateBody, response: { 200: protocolView } } },
    async (request) => {
      const p = staffOf(request);
      const { protocolId } = request.params;
      const row = await withAudit(request, db, clock, { action: 'protocol.update', entityType: 'protocol', entityId: protocolId }, async (tx) => {
        const current = await getProtocol(tx, p.orgId, protocolId);
        if (!current || current.episodeId) throw notFound('protocol');
        if (current.archivedAt) throw conflict('This protocol is archived.', 'protocol_archived');
        await checkProtocolRules(tx, p.orgId, request.body.rules);
        const updated = await updateProtocol(tx, p.orgId, protocolId, request.body, clock.now());
        await cancelOrphans(tx, request, { protocolId });
        return updated;
      });
      if (!row) throw notFound('protocol');
      return presentProtocol(fromRow(row));
    },
  );

  app.post(
    '/api/v1/protocols/:protocolId/archive',
    { config: adminOnly, schema: { tags, params: protocolIdParams, response: { 200: protocolView } } },
    async (request) => {
      const p = staffOf(request);
      const { protocolId } = request.params;
      const row = await withAudit(request, db, clock, { action: 'protocol.archive', entityType: 'protocol', entityId: protocolId }, async (tx) => {
        const current = await getProtocol(tx, p.orgId, protocolId);
        if (!current || current.episodeId) throw notFound('protocol');
        const archived = await archiveProtocol(tx, p.orgId, protocolId, clock.now());
        await cancelOrphans(tx, request, { protocolId });
        return archived;
      });
      return presentProtocol(fromRow(row!));
    },
  );

  const episodeRoute = '/api/v1/clients/:clientId/episodes/:episodeId/protocol';

  app.get(
    episodeRoute,
    { config: { access: { kind: 'client' } }, schema: { tags, params: episodeProtocolParams, response: { 200: protocolView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId, episodeId } = request.params;
      const protocol = await withAudit(request, db, clock, { action: 'episode.protocol.read', clientId, entityType: 'episode', entityId: episodeId }, async (tx) => {
        const episode = await getEpisode(tx, p.orgId, clientId, episodeId);
        if (!episode) throw notFound('episode');
        return resolveProtocol(tx, p.orgId, episode);
      });
      return presentProtocol(protocol);
    },
  );

  app.put(
    episodeRoute,
    { config: { access: { kind: 'client' } }, schema: { tags, params: episodeProtocolParams, body: episodeProtocolBody, response: { 200: protocolView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId, episodeId } = request.params;
      const row = await withAudit(request, db, clock, { action: 'episode.protocol.set', clientId, entityType: 'episode', entityId: episodeId }, async (tx) => {
        const episode = await getEpisode(tx, p.orgId, clientId, episodeId);
        if (!episode) throw notFound('episode');
        await checkProtocolRules(tx, p.orgId, request.body.rules);
        const current = await liveProtocolOfScope(tx, p.orgId, { programmeId: null, episodeId });
        const saved = current
          ? (await updateProtocol(tx, p.orgId, current.id, request.body, clock.now()))!
          : await insertProtocol(tx, { ...request.body, orgId: p.orgId, programmeId: null, episodeId, createdBy: p.userId, now: clock.now() });
        await cancelOrphans(tx, request, { episodeId });
        return saved;
      });
      return presentProtocol(fromRow(row));
    },
  );

  app.delete(
    episodeRoute,
    { config: { access: { kind: 'client' } }, schema: { tags, params: episodeProtocolParams } },
    async (request, reply) => {
      const p = staffOf(request);
      const { clientId, episodeId } = request.params;
      await withAudit(request, db, clock, { action: 'episode.protocol.remove', clientId, entityType: 'episode', entityId: episodeId }, async (tx) => {
        const episode = await getEpisode(tx, p.orgId, clientId, episodeId);
        if (!episode) throw notFound('episode');
        // Idempotent: without an override of its own the episode already follows its programme's.
        const current = await liveProtocolOfScope(tx, p.orgId, { programmeId: null, episodeId });
        if (current) {
          await archiveProtocol(tx, p.orgId, current.id, clock.now());
          await cancelOrphans(tx, request, { episodeId });
        }
      });
      return reply.status(204).send();
    },
  );
}
