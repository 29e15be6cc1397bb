import type { MailMessage } from '../../mail/mailer';

/** How long an invitation link works. */
export const INVITATION_VALID_MS = 7 * 24 * 3_600_000;

/**
 * The invitation email. It names only the clinic that invited them (no inviter, role or other
 * detail), and carries the token in the URL fragment so it never reaches a server log. Someone who
 * already has a Rapport account is told to accept with their current password, which stays as it is.
 */
export function invitationEmail(publicUrl: string, to: string, organisationName: string, token: string, options: { existingAccount: boolean }): MailMessage {
  const how = options.existingAccount
    ? 'You already have a Rapport account with this address. To accept, open this link within 7 days and enter the password you sign in with (accepting does not change it):'
    : 'To accept and choose your password, open this link within 7 days:';
  return {
    to,
    subject: `You are invited to join ${organisationName} on Rapport`,
    text: `${organisationName} has invited you to Rapport.\n\n${how}\n${publicUrl}/accept-invitation#token=${token}\n\nIf you were not expecting this, ignore this message.`,
  };
}
