import type { MailMessage } from '../mail/mailer';

/**
 * The password-reset email, the same whether the person asked for it or an admin sent it. The
 * token rides in the URL fragment so it never reaches a server log or a Referer header.
 */
export function passwordResetEmail(publicUrl: string, to: string, token: string): MailMessage {
  return {
    to,
    subject: 'Reset your Rapport password',
    text: `Someone asked to reset the password for this address on Rapport.\n\nTo choose a new password, open this link within 30 minutes:\n${publicUrl}/reset-password#token=${token}\n\nIf it was not you, ignore this message: your password stays as it is.`,
  };
}
