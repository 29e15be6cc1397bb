import { z } from 'zod';
import { assignmentCancelReasons, assignmentStatuses, channels } from '../../db/schema';

export const assignmentListParams = z.strictObject({ clientId: z.uuid() });
export const assignmentParams = z.strictObject({ clientId: z.uuid(), assignmentId: z.uuid() });

export const assignmentListQuery = z.strictObject({ status: z.enum(assignmentStatuses).optional() });

/**
 * How a new assignment reaches its respondent: `link` (email, else SMS, whichever the client has
 * consented to, chosen when it is sent), `email` or `sms` (only that one; the client must have
 * consented), or no message at all: `in_session` (answered on this device, handed over) or `kiosk`
 * (answered at the clinic's kiosk with a code).
 */
export const assignmentCreateChannels = ['link', 'email', 'sms', 'in_session', 'kiosk'] as const;

/**
 * `POST .../assignments`: a questionnaire (or bundle) for this client, sent now or at
 * `scheduledFor` (quiet hours still apply to messages). All instruments must have the same
 * respondent; a clinician questionnaire is for the caller to answer in session. `channel` defaults
 * to `link` (client) or `in_session` (clinician).
 */
export const assignmentCreateBody = z.strictObject({
  instrumentIds: z.array(z.string().min(1).max(64)).min(1, 'Choose at least one instrument.').max(10),
  scheduledFor: z.iso.datetime({ offset: true }).optional(),
  channel: z.enum(assignmentCreateChannels).optional(),
  episodeId: z.uuid().optional(),
  appointmentId: z.uuid().optional(),
});

/** `PATCH .../assignments/:id`: move a still-scheduled assignment. */
export const assignmentRescheduleBody = z.strictObject({ scheduledFor: z.iso.datetime({ offset: true }) });

export const messageView = z.object({
  kind: z.string(),
  channel: z.enum(['email', 'sms']),
  status: z.enum(['sending', 'sent', 'skipped']),
  sentAt: z.string().nullable(),
});

export const assignmentView = z.object({
  id: z.uuid(),
  clientId: z.uuid(),
  episodeId: z.uuid().nullable(),
  appointmentId: z.uuid().nullable(),
  protocolId: z.uuid().nullable(),
  /** The protocol rule that made it, or null when a clinician made it. */
  ruleId: z.string().nullable(),
  instrumentIds: z.array(z.string()),
  respondent: z.enum(['client', 'clinician']),
  respondentUserId: z.uuid().nullable(),
  channel: z.enum(channels),
  status: z.enum(assignmentStatuses),
  scheduledFor: z.string(),
  sentAt: z.string().nullable(),
  openedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  /** Why it was cancelled (null while not cancelled). */
  cancelReason: z.enum(assignmentCancelReasons).nullable(),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
  /** Why it has not gone out: the client has consented to no channel that can reach them. */
  deliveryProblem: z.enum(['no_consented_channel']).nullable(),
  messages: z.array(messageView),
});

/** The answer to send-now, schedule and resend: the assignment and when its message may go out. */
export const assignmentActionView = z.object({ assignment: assignmentView, sendAt: z.string().nullable() });
