import type { MailMessage } from '../../mail/mailer';

/** How long an invitation link works. */
export const INVITATION_VALID_MS = 7 * 24 * 3_600_000;

/**
 * The invitation email. It names only the clinic that invited them (no inviter, role or other
 * detail), and carries the token in the URL fragment so it never reaches a server log.
 */
export function invitationEmail(publicUrl: string, to: string, organisationName: string, token: string): MailMessage {
  return {
    to,
    subject: `You are invited to join ${organisationName} on Rapport`,
    text: `${organisationName} has invited you to Rapport.\n\nTo accept and choose your password, open this link within 7 days:\n${publicUrl}/accept-invitation#token=${token}\n\nIf you were not expecting this, ignore this message.`,
  };
}
