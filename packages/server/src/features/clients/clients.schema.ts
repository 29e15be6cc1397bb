import { z } from 'zod';

export const clientIdParams = z.strictObject({ clientId: z.uuid() });

const name = z.string().trim().min(1, 'This field is required.').max(100);
const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();
/** E.164-ish: a plus and 7–15 digits, spaces allowed when typed. The one mobile-number rule (clients, imports, staff alert numbers). */
export const mobileNumber = z
  .string()
  .transform((v) => v.replace(/[\s()-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/, 'Enter the mobile number in international format, e.g. +44 7700 900123.'));
export const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'Unknown time zone: use a name such as Europe/London.');
export const language = z.enum(['en', 'fr']);
const isoDate = z.iso.date('Use the format YYYY-MM-DD.');

export const clientCreateBody = z.strictObject({
  givenName: name,
  familyName: name,
  preferredName: optionalText(100),
  email: z.email('Enter a valid email address.').max(254).nullable().optional(),
  mobile: mobileNumber.nullable().optional(),
  language: language.default('en'),
  timeZone: timeZone.nullable().optional(),
  dateOfBirth: isoDate.nullable().optional(),
  externalRef: optionalText(100),
  /** Clinicians to put on the care team; a clinician creating a client is added automatically. */
  careTeam: z.array(z.uuid()).max(20).optional(),
});

export const clientUpdateBody = clientCreateBody
  .omit({ careTeam: true })
  .partial()
  .extend({ status: z.enum(['active', 'inactive']).optional() })
  .strict();

export const clientListQuery = z.strictObject({
  q: z.string().trim().max(100).optional(),
  status: z.enum(['active', 'inactive', 'all']).default('active'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(400).optional(),
});

export const consentBody = z.strictObject({
  channel: z.enum(['email', 'sms']),
  granted: z.boolean(),
  note: z.string().trim().max(500).optional(),
});

export const careTeamParams = z.strictObject({ clientId: z.uuid(), userId: z.uuid() });

export const clientView = z.object({
  id: z.uuid(),
  givenName: z.string(),
  familyName: z.string(),
  preferredName: z.string().nullable(),
  email: z.string().nullable(),
  mobile: z.string().nullable(),
  language: z.string(),
  timeZone: z.string().nullable(),
  dateOfBirth: z.string().nullable(),
  status: z.string(),
  externalRef: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const clientSummaryView = clientView.pick({ id: true, givenName: true, familyName: true, preferredName: true, status: true });
export const clientListView = z.object({ items: z.array(clientSummaryView), nextCursor: z.string().nullable() });

export const consentView = z.object({
  channel: z.enum(['email', 'sms']),
  granted: z.boolean(),
  source: z.enum(['staff', 'client']),
  recordedBy: z.uuid().nullable(),
  recordedAt: z.string(),
  note: z.string().nullable(),
});

export const careTeamMemberView = z.object({ userId: z.uuid(), displayName: z.string(), role: z.string(), addedAt: z.string() });
