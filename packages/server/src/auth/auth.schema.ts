import { z } from 'zod';

export const email = z
  .email('Enter a valid email address.')
  .max(254)
  .transform((v) => v.trim().toLowerCase());

/** At least 12 characters; length beats composition rules (NIST SP 800-63B). */
export const newPassword = z.string().min(12, 'Use at least 12 characters.').max(200, 'Use at most 200 characters.');

export const signInBody = z.strictObject({
  email,
  password: z.string().min(1, 'Enter your password.').max(200),
  organisationId: z.uuid().optional(),
});

export const mfaVerifyBody = z.union([
  z.strictObject({ code: z.string().regex(/^\d{6}$/, 'Enter the 6-digit code.') }),
  z.strictObject({ recoveryCode: z.string().min(6).max(40) }),
]);

export const mfaConfirmBody = z.strictObject({ code: z.string().regex(/^\d{6}$/, 'Enter the 6-digit code.') });

export const passwordResetRequestBody = z.strictObject({ email });
export const tokenPasswordBody = z.strictObject({ token: z.string().min(20).max(200), password: newPassword });
/**
 * Accepting an invitation: a new password for someone new (checked against `newPassword` then),
 * or the current password of an existing account.
 */
export const invitationAcceptBody = z.strictObject({ token: z.string().min(20).max(200), password: z.string().min(1, 'Enter a password.').max(200, 'Use at most 200 characters.') });
export const invitationDetailsBody = z.strictObject({ token: z.string().min(20).max(200) });
/** What the accept screen shows; nothing about the account beyond whether it already has a password. */
export const invitationDetailsView = z.object({ organisationName: z.string(), existingAccount: z.boolean() });

export const meResponse = z.object({
  user: z.object({ id: z.uuid(), email: z.string(), displayName: z.string(), mfaEnabled: z.boolean(), locale: z.string() }),
  organisation: z.object({ id: z.uuid(), name: z.string() }),
  role: z.enum(['admin', 'supervisor', 'clinician']),
  stage: z.enum(['full', 'mfa', 'enrol']),
  organisations: z.array(z.object({ id: z.uuid(), name: z.string(), role: z.enum(['admin', 'supervisor', 'clinician']) })),
});
