import { z } from 'zod';
import type { ProtocolRule } from '../../db/schema';

export const protocolIdParams = z.strictObject({ protocolId: z.uuid() });
export const episodeProtocolParams = z.strictObject({ clientId: z.uuid(), episodeId: z.uuid() });

/** Issue 4: sent 1 hour to 7 days before an appointment. */
const hoursBefore = z.number().int().min(1, 'Send at least 1 hour before.').max(168, 'Send at most 168 hours (7 days) before.');
/** Issue 4: every 2nd to every 52nd attended session. */
const everyN = z.number().int().min(2, 'Use 2 or more.').max(52, 'Use 52 or fewer.');

export const protocolTrigger = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('intake') }),
  z.strictObject({ kind: z.literal('before_each'), hoursBefore }),
  z.strictObject({ kind: z.literal('after_each_attended') }),
  z.strictObject({ kind: z.literal('every_nth'), n: everyN }),
  z.strictObject({ kind: z.literal('discharge') }),
]);

export const protocolRule = z.strictObject({
  /** Stable within the protocol: it is part of every assignment's idempotency key. */
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'Use lower-case letters, digits, - and _ (at most 48).'),
  instrumentIds: z.array(z.string().min(1).max(64)).min(1, 'Choose at least one instrument.').max(10),
  respondent: z.enum(['client', 'clinician']),
  trigger: protocolTrigger,
}) satisfies z.ZodType<ProtocolRule>;

/**
 * Reminder or expiry days (issue 4: 1 to 30, or none): a number of days, `null` for none (no
 * reminder / never expires), or `"organisation"` to follow the organisation's setting.
 */
export const protocolDays = z.union([z.number().int().min(1, 'Use 1 to 30 days.').max(30, 'Use 1 to 30 days.'), z.null(), z.literal('organisation')]);
export type ProtocolDays = z.infer<typeof protocolDays>;

const name = z.string().trim().min(1, 'This field is required.').max(200);
const rules = z.array(protocolRule).min(1, 'A protocol needs at least one rule.').max(30);

/** The editable part of a protocol, shared by every scope. */
const protocolContent = {
  name,
  rules,
  reminderAfterDays: protocolDays.default('organisation'),
  expiryDays: protocolDays.default('organisation'),
};

/** `POST /protocols`: the organisation's default (no programme) or a programme's protocol. */
export const protocolCreateBody = z.strictObject({ ...protocolContent, programmeId: z.uuid().nullable().default(null) });

/** `PUT /protocols/:id`: replaces the content; the scope (programme) never changes. */
export const protocolUpdateBody = z.strictObject(protocolContent);

/** `PUT .../episodes/:episodeId/protocol`: the episode's own protocol. */
export const episodeProtocolBody = z.strictObject({ ...protocolContent, name: name.default('Episode protocol') });

export const protocolListQuery = z.strictObject({
  programmeId: z.uuid().optional(),
  includeArchived: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});

const sampleAppointment = z.strictObject({
  startsAt: z.iso.datetime({ offset: true }),
  /** Whether the session is attended (after-session and every-nth rules count only attended ones). */
  attended: z.boolean().default(true),
  kind: z.enum(['assessment', 'treatment', 'follow_up']).default('treatment'),
});

/** `POST /protocols/preview`: what a client would receive, and when, for a sample schedule. */
export const protocolPreviewBody = z.strictObject({
  rules,
  reminderAfterDays: protocolDays.default('organisation'),
  expiryDays: protocolDays.default('organisation'),
  appointments: z.array(sampleAppointment).min(1).max(60),
  /** When the episode opens (intake); the first appointment's start by default. */
  episodeStart: z.iso.datetime({ offset: true }).optional(),
  /** When the episode closes (discharge); none by default. */
  discharge: z.iso.datetime({ offset: true }).optional(),
  /** The client's time zone; the organisation's by default. */
  timeZone: z.string().max(64).optional(),
});

export const protocolView = z.object({
  id: z.uuid().nullable(),
  source: z.enum(['episode', 'programme', 'organisation', 'built_in']),
  programmeId: z.uuid().nullable(),
  episodeId: z.uuid().nullable(),
  name: z.string(),
  rules: z.array(protocolRule),
  reminderAfterDays: protocolDays,
  expiryDays: protocolDays,
  version: z.number().int(),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  archivedAt: z.string().nullable(),
});

export const previewItemView = z.object({
  ruleId: z.string(),
  instrumentIds: z.array(z.string()),
  respondent: z.enum(['client', 'clinician']),
  channel: z.enum(['link', 'in_session']),
  /** Index into the request's `appointments`, or null for intake and discharge. */
  appointmentIndex: z.number().int().nullable(),
  trigger: z.string(),
  /** When the rule makes it due. */
  dueAt: z.string(),
  /** When the message would go out (after quiet hours); null for in-session questionnaires. */
  sendAt: z.string().nullable(),
  reminderAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
});
