import { z } from 'zod';
import type { App, AppDeps } from '../../app';
import { seesWholeOrganisation, staffOf, withAudit } from '../../access/access';
import type { StaffPrincipal } from '../../access/principal';
import type { Queryable } from '../../db/database';
import { badRequest, conflict, notFound } from '../../errors';
import { activeStaffIds, addCareTeamMembers } from '../clients/clients.queries';
import { findOpenEpisode, getEpisode } from '../episodes/episodes.queries';
import { getOrganisation } from '../organisations/organisations.queries';
import { getAppointment, insertAppointment, listClientAppointments, listDayAppointments, moveAppointment, recordAttendance } from './appointments.queries';
import { presentAppointment, presentDayAppointment } from './appointments.present';
import {
  appointmentCreateBody,
  appointmentMoveBody,
  appointmentParams,
  appointmentView,
  attendanceBody,
  clientAppointmentsParams,
  dayListQuery,
  dayListView,
} from './appointments.schema';

const tags = ['appointments'];
const access = { access: { kind: 'client' } } as const;

/** Appointments under a client (book, move, record attendance) and the day's list across clients. */
export function registerAppointmentRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  app.get(
    '/api/v1/clients/:clientId/appointments',
    { config: access, schema: { tags, params: clientAppointmentsParams, response: { 200: z.object({ items: z.array(appointmentView) }) } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const rows = await withAudit(request, db, clock, { action: 'appointments.list', clientId, entityType: 'appointment' }, (tx) =>
        listClientAppointments(tx, p.orgId, clientId),
      );
      return { items: rows.map(presentAppointment) };
    },
  );

  app.post(
    '/api/v1/clients/:clientId/appointments',
    { config: access, schema: { tags, params: clientAppointmentsParams, body: appointmentCreateBody, response: { 201: appointmentView } } },
    async (request, reply) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const { startsAt, durationMinutes, kind, episodeId } = request.body;
      const clinicianId = request.body.clinicianId ?? (p.role === 'clinician' ? p.userId : undefined);
      if (!clinicianId) throw badRequest('Choose the clinician for this appointment.', 'clinicianId', 'validation_failed');
      const now = clock.now();
      const row = await withAudit(
        request,
        db,
        clock,
        (created: { id: string }) => ({ action: 'appointment.create', clientId, entityType: 'appointment', entityId: created.id }),
        async (tx) => {
          await assertActiveClinician(tx, p, clinicianId);
          let episode = null;
          if (episodeId) {
            episode = await getEpisode(tx, p.orgId, clientId, episodeId);
            if (!episode || episode.endedOn) throw badRequest('Choose an open episode of this client.', 'episodeId');
          } else {
            episode = await findOpenEpisode(tx, p.orgId, clientId);
          }
          await addCareTeamMembers(tx, p.orgId, clientId, [clinicianId], now);
          return insertAppointment(tx, p.orgId, clientId, { startsAt: new Date(startsAt), durationMinutes, kind, clinicianId, episodeId: episode?.id ?? null }, now);
        },
      );
      return reply.status(201).send(presentAppointment(row));
    },
  );

  app.patch(
    '/api/v1/clients/:clientId/appointments/:appointmentId',
    { config: access, schema: { tags, params: appointmentParams, body: appointmentMoveBody, response: { 200: appointmentView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId, appointmentId } = request.params;
      const { startsAt, durationMinutes, clinicianId } = request.body;
      const now = clock.now();
      const change = await withAudit(request, db, clock, { action: 'appointment.move', clientId, entityType: 'appointment', entityId: appointmentId }, async (tx) => {
        const current = await getAppointment(tx, p.orgId, clientId, appointmentId, { lock: true });
        if (!current) throw notFound('appointment');
        if (current.status !== 'scheduled') throw conflict('Only a scheduled appointment can be moved.', 'appointment_not_scheduled');
        if (clinicianId && clinicianId !== current.clinicianId) {
          await assertActiveClinician(tx, p, clinicianId);
          await addCareTeamMembers(tx, p.orgId, clientId, [clinicianId], now);
        }
        const changes = { ...(startsAt ? { startsAt: new Date(startsAt) } : {}), ...(durationMinutes ? { durationMinutes } : {}), ...(clinicianId ? { clinicianId } : {}) };
        return moveAppointment(tx, { orgId: p.orgId, clientId, appointmentId, changes, now });
      });
      return presentAppointment(change!.after);
    },
  );

  app.post(
    '/api/v1/clients/:clientId/appointments/:appointmentId/attendance',
    { config: access, schema: { tags, params: appointmentParams, body: attendanceBody, response: { 200: appointmentView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId, appointmentId } = request.params;
      const { status, cancelledBy } = request.body;
      if (cancelledBy && status !== 'cancelled') throw badRequest('Say who cancelled only when the appointment is cancelled.', 'cancelledBy', 'validation_failed');
      const change = await withAudit(request, db, clock, { action: 'appointment.attendance', clientId, entityType: 'appointment', entityId: appointmentId }, async (tx) => {
        const result = await recordAttendance(tx, { orgId: p.orgId, clientId, appointmentId, status, cancelledBy, now: clock.now() });
        if (!result) throw notFound('appointment');
        return result;
      });
      return presentAppointment(change.after);
    },
  );

  app.get(
    '/api/v1/appointments',
    { config: { access: { kind: 'staff' } }, schema: { tags, querystring: dayListQuery, response: { 200: dayListView } } },
    async (request) => {
      const p = staffOf(request);
      const org = await getOrganisation(db, p.orgId);
      if (!org) throw notFound('organisation');
      const timeZone = org.settings.timeZone;
      const date = request.query.date ?? localDate(clock.now(), timeZone);
      const rows = await withAudit(request, db, clock, { action: 'appointments.day', entityType: 'appointment', entityId: date }, (tx) =>
        listDayAppointments(tx, {
          orgId: p.orgId,
          date,
          timeZone,
          clinicianId: request.query.clinicianId,
          visibleTo: seesWholeOrganisation(p.role) ? undefined : p.userId,
        }),
      );
      return { date, timeZone, items: rows.map(presentDayAppointment) };
    },
  );
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
function localDate(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const part = (type: string) => parts.find((x) => x.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

async function assertActiveClinician(db: Queryable, p: StaffPrincipal, userId: string): Promise<void> {
  if (!(await activeStaffIds(db, p.orgId, [userId])).has(userId)) {
    throw badRequest('The clinician must be an active staff member of this clinic.', 'clinicianId');
  }
}
