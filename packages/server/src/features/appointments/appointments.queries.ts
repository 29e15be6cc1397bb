import { and, asc, eq, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { appointments, careTeamMembers, clients, users } from '../../db/schema';
import { badRequest } from '../../errors';

export type AppointmentRow = typeof appointments.$inferSelect;
export type AppointmentStatus = AppointmentRow['status'];
type AppointmentInsert = Pick<typeof appointments.$inferInsert, 'episodeId' | 'clinicianId' | 'startsAt' | 'durationMinutes' | 'kind'>;

export async function listClientAppointments(db: Queryable, orgId: string, clientId: string): Promise<AppointmentRow[]> {
  return db
    .select()
    .from(appointments)
    .where(and(eq(appointments.orgId, orgId), eq(appointments.clientId, clientId)))
    .orderBy(asc(appointments.startsAt), asc(appointments.id));
}

export async function getAppointment(db: Queryable, orgId: string, clientId: string, appointmentId: string, options: { lock?: boolean } = {}) {
  const query = db
    .select()
    .from(appointments)
    .where(and(eq(appointments.orgId, orgId), eq(appointments.clientId, clientId), eq(appointments.id, appointmentId)))
    .limit(1);
  const [row] = options.lock ? await query.for('update') : await query;
  return row ?? null;
}

export async function insertAppointment(db: Queryable, orgId: string, clientId: string, values: AppointmentInsert, now: Date): Promise<AppointmentRow> {
  const [row] = await db
    .insert(appointments)
    .values({ ...values, orgId, clientId, status: 'scheduled', createdAt: now, updatedAt: now })
    .returning();
  return row!;
}

/** What changed in one appointment, for callers that react (reminders to reschedule, measures to send). */
export type AppointmentChange = { before: AppointmentRow; after: AppointmentRow };

/** Moves a scheduled appointment (time, length, clinician). Null when there is no such appointment. */
export async function moveAppointment(
  db: Queryable,
  input: { orgId: string; clientId: string; appointmentId: string; changes: Partial<Pick<AppointmentInsert, 'startsAt' | 'durationMinutes' | 'clinicianId'>>; now: Date },
): Promise<AppointmentChange | null> {
  const before = await getAppointment(db, input.orgId, input.clientId, input.appointmentId, { lock: true });
  if (!before) return null;
  const [after] = await db
    .update(appointments)
    .set({ ...input.changes, updatedAt: input.now })
    .where(and(eq(appointments.orgId, input.orgId), eq(appointments.id, input.appointmentId)))
    .returning();
  return { before, after: after! };
}

export type AttendanceStatus = Exclude<AppointmentStatus, 'scheduled'>;

/**
 * Records attendance (attended, did not attend, cancelled) for one appointment, one click at a
 * time; a later click corrects an earlier one. Returns the row before and after so later features
 * can react to the transition (e.g. `before.status !== 'attended' && after.status === 'attended'`).
 * Null when there is no such appointment. Refuses attended or did-not-attend for an appointment
 * that has not started yet (`400`, field `status`).
 */
export async function recordAttendance(
  db: Queryable,
  input: { orgId: string; clientId: string; appointmentId: string; status: AttendanceStatus; cancelledBy?: 'client' | 'clinic' | null; now: Date },
): Promise<AppointmentChange | null> {
  const before = await getAppointment(db, input.orgId, input.clientId, input.appointmentId, { lock: true });
  if (!before) return null;
  if (input.status !== 'cancelled' && before.startsAt.getTime() > input.now.getTime()) {
    throw badRequest('This appointment has not started yet, so it cannot be marked as attended or missed.', 'status', 'appointment_in_future');
  }
  const cancelledBy = input.status === 'cancelled' ? (input.cancelledBy ?? null) : null;
  if (before.status === input.status && before.cancelledBy === cancelledBy) return { before, after: before };
  const [after] = await db
    .update(appointments)
    .set({ status: input.status, cancelledBy, updatedAt: input.now })
    .where(and(eq(appointments.orgId, input.orgId), eq(appointments.id, input.appointmentId)))
    .returning();
  return { before, after: after! };
}

/**
 * The appointments of one local day in the given time zone (PostgreSQL converts the day's bounds,
 * so days with a clock change are 23 or 25 hours long). `visibleTo` limits the list to a
 * clinician's own appointments and those of clients on their care teams.
 */
export async function listDayAppointments(
  db: Queryable,
  input: { orgId: string; date: string; timeZone: string; clinicianId?: string; visibleTo?: string },
) {
  const { orgId, date, timeZone, clinicianId, visibleTo } = input;
  const dayStart = sql`(${date}::date::timestamp at time zone ${timeZone})`;
  const dayEnd = sql`((${date}::date + 1)::timestamp at time zone ${timeZone})`;
  return db
    .select({
      appointment: appointments,
      client: { id: clients.id, givenName: clients.givenName, familyName: clients.familyName, preferredName: clients.preferredName },
      clinician: { id: users.id, displayName: users.displayName },
    })
    .from(appointments)
    .innerJoin(clients, and(eq(clients.id, appointments.clientId), eq(clients.orgId, appointments.orgId)))
    .innerJoin(users, eq(users.id, appointments.clinicianId))
    .where(
      and(
        eq(appointments.orgId, orgId),
        sql`${appointments.startsAt} >= ${dayStart}`,
        sql`${appointments.startsAt} < ${dayEnd}`,
        clinicianId ? eq(appointments.clinicianId, clinicianId) : undefined,
        visibleTo
          ? or(
              eq(appointments.clinicianId, visibleTo),
              sql`exists (select 1 from ${careTeamMembers} where ${careTeamMembers.clientId} = ${appointments.clientId} and ${careTeamMembers.userId} = ${visibleTo})`,
            )
          : undefined,
      ),
    )
    .orderBy(asc(appointments.startsAt), asc(appointments.id));
}
