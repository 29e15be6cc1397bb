import { z } from 'zod';
import { appointmentStatuses } from '../../db/schema';

const kinds = ['assessment', 'treatment', 'follow_up'] as const;
/** An instant with its offset (`2026-03-02T10:00:00+01:00` or `…Z`): never a bare local time. */
const startsAt = z.iso.datetime({ offset: true, message: 'Use an ISO date-time with an offset, e.g. 2026-03-02T10:00:00+01:00.' });
const durationMinutes = z.number().int().min(5).max(480);

export const clientAppointmentsParams = z.strictObject({ clientId: z.uuid() });
export const appointmentParams = z.strictObject({ clientId: z.uuid(), appointmentId: z.uuid() });

export const appointmentCreateBody = z.strictObject({
  startsAt,
  durationMinutes: durationMinutes.default(50),
  kind: z.enum(kinds).default('treatment'),
  /** Defaults to the caller when the caller is a clinician. */
  clinicianId: z.uuid().optional(),
  /** Defaults to the client's open episode, if any. */
  episodeId: z.uuid().optional(),
});

export const appointmentMoveBody = z.strictObject({
  startsAt: startsAt.optional(),
  durationMinutes: durationMinutes.optional(),
  clinicianId: z.uuid().optional(),
});

export const attendanceBody = z.strictObject({
  status: z.enum(['attended', 'did_not_attend', 'cancelled']),
  /** Only with `cancelled`. */
  cancelledBy: z.enum(['client', 'clinic']).optional(),
});

export const dayListQuery = z.strictObject({
  /** A day in the organisation's time zone; defaults to today there. */
  date: z.iso.date('Use the format YYYY-MM-DD.').optional(),
  clinicianId: z.uuid().optional(),
});

export const appointmentView = z.object({
  id: z.uuid(),
  clientId: z.uuid(),
  episodeId: z.uuid().nullable(),
  clinicianId: z.uuid(),
  startsAt: z.string(),
  durationMinutes: z.number(),
  kind: z.enum(kinds),
  status: z.enum(appointmentStatuses),
  cancelledBy: z.enum(['client', 'clinic']).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const dayAppointmentView = appointmentView.extend({
  client: z.object({ id: z.uuid(), givenName: z.string(), familyName: z.string(), preferredName: z.string().nullable() }),
  clinician: z.object({ id: z.uuid(), displayName: z.string() }),
});

export const dayListView = z.object({ date: z.string(), timeZone: z.string(), items: z.array(dayAppointmentView) });
