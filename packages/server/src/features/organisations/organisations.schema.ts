import { z } from 'zod';
import type { OrganisationSettings } from '../../db/schema';
import { timeZone } from '../clients/clients.schema';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use 24-hour time, e.g. 08:30.');
const days = z.number().int().min(1).max(30);

/** Organisation settings as stored and as accepted from admins (all fields, validated). */
export const organisationSettingsSchema = z.strictObject({
  colour: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Use a hex colour such as #2F6F8F.'),
  timeZone,
  workingHours: z.strictObject({
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7),
    start: hhmm,
    end: hhmm,
  }),
  mfaRequired: z.boolean(),
  crisisResources: z.string().trim().max(2000).nullable(),
  /** Days after sending when a questionnaire link expires; null = never (delivery issue: 1–30, default 4). */
  linkExpiryDays: days.nullable(),
  /** Days after sending when a reminder goes out; null = no reminder (default 2). */
  reminderAfterDays: days.nullable(),
  quietHours: z.strictObject({ start: hhmm, end: hhmm }),
  onCallSupervisorUserId: z.uuid().nullable(),
  languages: z.array(z.enum(['en', 'fr'])).min(1),
  /** Hours an urgent alert may wait unacknowledged before it escalates to the supervisors (issue 5 item 3: default 4). */
  urgentEscalationHours: z.number().int().min(1).max(72),
  /**
   * Years after a client's last activity, with every episode closed, before the daily retention job
   * erases the client (issue 7 item 8). Default 8: a common minimum for adult health records (e.g. the
   * NHS Records Management Code of Practice keeps adult mental-health records 8 years after the end of
   * care for most cases, longer in some); clinics set what their law requires.
   */
  retentionYears: z.number().int().min(1).max(100),
}) satisfies z.ZodType<OrganisationSettings>;

export const defaultOrganisationSettings: OrganisationSettings = {
  colour: '#2F6F8F',
  timeZone: 'Europe/London',
  workingHours: { days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' },
  mfaRequired: true,
  crisisResources: null,
  linkExpiryDays: 4,
  reminderAfterDays: 2,
  quietHours: { start: '21:00', end: '08:00' },
  onCallSupervisorUserId: null,
  languages: ['en', 'fr'],
  urgentEscalationHours: 4,
  retentionYears: 8,
};

/** `PATCH /organisation`: the name and any top-level settings field (nested objects are replaced whole). */
export const organisationUpdateBody = z.strictObject({
  name: z.string().trim().min(1, 'This field is required.').max(200).optional(),
  settings: organisationSettingsSchema.partial().optional(),
});

export const organisationView = z.object({
  id: z.uuid(),
  name: z.string(),
  // Stored settings were validated on the way in; the stored type keeps languages as plain strings.
  settings: organisationSettingsSchema.extend({ languages: z.array(z.string()) }),
  updatedAt: z.string(),
});
