import type { AppointmentRow } from './appointments.queries';

/** The only shape of an appointment sent out. */
export function presentAppointment(a: AppointmentRow) {
  return {
    id: a.id,
    clientId: a.clientId,
    episodeId: a.episodeId,
    clinicianId: a.clinicianId,
    startsAt: a.startsAt.toISOString(),
    durationMinutes: a.durationMinutes,
    kind: a.kind,
    status: a.status,
    cancelledBy: a.cancelledBy,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

/** One line of a day's list: the appointment with who it is with. */
export function presentDayAppointment(row: {
  appointment: AppointmentRow;
  client: { id: string; givenName: string; familyName: string; preferredName: string | null };
  clinician: { id: string; displayName: string };
}) {
  return { ...presentAppointment(row.appointment), client: row.client, clinician: row.clinician };
}
