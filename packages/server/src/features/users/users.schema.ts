import { z } from 'zod';
import { roles } from '../../db/schema';
import { email } from '../../auth/auth.schema';
import { mobileNumber } from '../clients/clients.schema';

export const userIdParams = z.strictObject({ userId: z.uuid() });

const role = z.enum(roles);
/** Years of clinical experience, for the calibration report's experience periods. */
const experienceYears = z.number().int().min(0).max(70).nullable();

export const staffListQuery = z.strictObject({
  status: z.enum(['active', 'invited', 'deactivated', 'all']).default('all'),
});

export const inviteBody = z.strictObject({
  email,
  displayName: z.string().trim().min(1, 'This field is required.').max(120),
  role,
  experienceYears: experienceYears.optional(),
  trainee: z.boolean().optional(),
});

export const userUpdateBody = z.strictObject({
  role: role.optional(),
  experienceYears: experienceYears.optional(),
  trainee: z.boolean().optional(),
});

export const meSettingsBody = z.strictObject({
  locale: z.enum(['en', 'fr']).optional(),
  /** Lets supervisors see this therapist's alliance calibration report in this organisation. */
  calibrationConsent: z.boolean().optional(),
  /**
   * Their own mobile for urgent-alert SMS, in international format (the clients' mobile validator,
   * reused: a plus and 7–15 digits, spaces and brackets dropped); null removes it.
   */
  alertMobile: mobileNumber.nullable().optional(),
  /** Their consent to be texted when an urgent item waits; needs a mobile number. */
  smsUrgentAlerts: z.boolean().optional(),
});

export const staffMemberView = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  role: role,
  status: z.enum(['invited', 'active', 'deactivated']),
  experienceYears: z.number().nullable(),
  trainee: z.boolean(),
  calibrationConsent: z.boolean(),
  mfaEnabled: z.boolean(),
  /** False for an invitation not (yet) accepted: no MFA reset or reactivation, invite again instead. */
  joined: z.boolean(),
  joinedAt: z.string(),
  deactivatedAt: z.string().nullable(),
});

export const meSettingsView = z.object({
  locale: z.enum(['en', 'fr']),
  calibrationConsent: z.boolean(),
  alertMobile: z.string().nullable(),
  smsUrgentAlerts: z.boolean(),
  /** When they last gave or withdrew the SMS consent; null if never. */
  smsUrgentAlertsSetAt: z.string().nullable(),
  /** Whether this server can send SMS at all (an SMS provider is configured). */
  smsAvailable: z.boolean(),
});
