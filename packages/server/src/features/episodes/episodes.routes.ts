import { z } from 'zod';
import type { App, AppDeps } from '../../app';
import { staffOf, withAudit } from '../../access/access';
import type { StaffPrincipal } from '../../access/principal';
import type { Queryable } from '../../db/database';
import { badRequest, conflict, notFound } from '../../errors';
import { activeStaffIds, addCareTeamMembers } from '../clients/clients.queries';
import { getProgramme } from '../programmes/programmes.queries';
import { refreshEpisodeOutcome } from '../outcomes/outcomes.queries';
import { cancelOrphanedAssignments } from '../assignments/assignments.protocol-change';
import { closeEpisode, findOpenEpisode, getEpisode, insertEpisode, listEpisodes, lockClient, updateEpisode } from './episodes.queries';
import { presentEpisode } from './episodes.present';
import { episodeCloseBody, episodeCreateBody, episodeListParams, episodeParams, episodeUpdateBody, episodeView } from './episodes.schema';

const tags = ['episodes'];
const access = { access: { kind: 'client' } } as const;

/** Episodes of care under a client: at most one open at a time, closed with a reason. */
export function registerEpisodeRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  app.get(
    '/api/v1/clients/:clientId/episodes',
    { config: access, schema: { tags, params: episodeListParams, response: { 200: z.object({ items: z.array(episodeView) }) } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const rows = await withAudit(request, db, clock, { action: 'episodes.list', clientId, entityType: 'episode' }, (tx) => listEpisodes(tx, p.orgId, clientId));
      return { items: rows.map(presentEpisode) };
    },
  );

  app.post(
    '/api/v1/clients/:clientId/episodes',
    { config: access, schema: { tags, params: episodeListParams, body: episodeCreateBody, response: { 201: episodeView } } },
    async (request, reply) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const { programmeId = null, presentingProblem, startedOn } = request.body;
      const primaryClinicianId = request.body.primaryClinicianId ?? (p.role === 'clinician' ? p.userId : undefined);
      if (!primaryClinicianId) throw badRequest('Choose the primary clinician.', 'primaryClinicianId', 'validation_failed');
      const now = clock.now();
      const episode = await withAudit(
        request,
        db,
        clock,
        (created: { id: string }) => ({ action: 'episode.create', clientId, entityType: 'episode', entityId: created.id }),
        async (tx) => {
          await lockClient(tx, p.orgId, clientId);
          if (await findOpenEpisode(tx, p.orgId, clientId)) {
            throw conflict('This client already has an open episode of care. Close it before starting another.', 'episode_open');
          }
          if (programmeId) await assertUsableProgramme(tx, p, programmeId);
          await assertActiveStaff(tx, p, primaryClinicianId);
          await addCareTeamMembers(tx, p.orgId, clientId, [primaryClinicianId], now);
          return insertEpisode(tx, p.orgId, clientId, { programmeId, primaryClinicianId, presentingProblem, startedOn }, now);
        },
      );
      return reply.status(201).send(presentEpisode(episode));
    },
  );

  app.get(
    '/api/v1/clients/:clientId/episodes/:episodeId',
    { config: access, schema: { tags, params: episodeParams, response: { 200: episodeView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId, episodeId } = request.params;
      const episode = await withAudit(request, db, clock, { action: 'episode.read', clientId, entityType: 'episode', entityId: episodeId }, (tx) =>
        getEpisode(tx, p.orgId, clientId, episodeId),
      );
      if (!episode) throw notFound('episode');
      return presentEpisode(episode);
    },
  );

  app.patch(
    '/api/v1/clients/:clientId/episodes/:episodeId',
    { config: access, schema: { tags, params: episodeParams, body: episodeUpdateBody, response: { 200: episodeView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId, episodeId } = request.params;
      const changes = request.body;
      const episode = await withAudit(request, db, clock, { action: 'episode.update', clientId, entityType: 'episode', entityId: episodeId }, async (tx) => {
        const current = await getEpisode(tx, p.orgId, clientId, episodeId, { lock: true });
        if (!current) throw notFound('episode');
        if (changes.programmeId && changes.programmeId !== current.programmeId) await assertUsableProgramme(tx, p, changes.programmeId);
        if (changes.primaryClinicianId && changes.primaryClinicianId !== current.primaryClinicianId) {
          await assertActiveStaff(tx, p, changes.primaryClinicianId);
          await addCareTeamMembers(tx, p.orgId, clientId, [changes.primaryClinicianId], clock.now());
        }
        if (changes.startedOn && current.endedOn && changes.startedOn > current.endedOn) {
          throw badRequest('The start date cannot be after the episode ended.', 'startedOn');
        }
        const updated = await updateEpisode(tx, p.orgId, episodeId, changes);
        // Another programme may mean another protocol: cancel what the old one scheduled (issue 4).
        if (changes.programmeId !== undefined && changes.programmeId !== current.programmeId) {
          await cancelOrphanedAssignments(tx, { orgId: p.orgId, scope: { episodeId }, now: clock.now(), actorId: p.userId, requestId: request.id });
        }
        return updated;
      });
      return presentEpisode(episode);
    },
  );

  app.post(
    '/api/v1/clients/:clientId/episodes/:episodeId/close',
    { config: access, schema: { tags, params: episodeParams, body: episodeCloseBody, response: { 200: episodeView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId, episodeId } = request.params;
      const { endedOn, endReason } = request.body;
      const episode = await withAudit(request, db, clock, { action: 'episode.close', clientId, entityType: 'episode', entityId: episodeId }, async (tx) => {
        const current = await getEpisode(tx, p.orgId, clientId, episodeId, { lock: true });
        if (!current) throw notFound('episode');
        if (current.endedOn) throw conflict('This episode is already closed.', 'episode_closed');
        if (endedOn < current.startedOn) throw badRequest('The end date cannot be before the episode started.', 'endedOn');
        const closed = await closeEpisode(tx, p.orgId, episodeId, { endedOn, endReason });
        // Issue 5 item 5: the episode's outcome is stored, final, with the episode's closing.
        await refreshEpisodeOutcome(tx, p.orgId, episodeId, clock.now());
        return closed;
      });
      return presentEpisode(episode);
    },
  );
}

async function assertUsableProgramme(db: Queryable, p: StaffPrincipal, programmeId: string): Promise<void> {
  const programme = await getProgramme(db, p.orgId, programmeId);
  if (!programme || programme.archivedAt) throw badRequest('Choose a current programme of this clinic.', 'programmeId');
}

async function assertActiveStaff(db: Queryable, p: StaffPrincipal, userId: string): Promise<void> {
  if (!(await activeStaffIds(db, p.orgId, [userId])).has(userId)) {
    throw badRequest('The primary clinician must be an active staff member of this clinic.', 'primaryClinicianId');
  }
}
