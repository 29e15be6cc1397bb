import type { MailMessage } from '../../mail/mailer';

/**
 * The urgent-alert email to a clinician. It says only that something urgent is waiting and where
 * to sign in: no client name, no instrument, no score (issue 4 item 7), so it is safe in any inbox.
 */
export function urgentAlertEmail(publicUrl: string, to: string): MailMessage {
  return {
    to,
    subject: 'An urgent item is waiting in Rapport',
    text: `An urgent item is waiting in Rapport.\n\nSign in to see it:\n${publicUrl}/alerts\n\nThis message leaves out all details on purpose.`,
  };
}
