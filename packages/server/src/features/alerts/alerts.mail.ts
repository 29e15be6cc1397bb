import type { MailMessage } from '../../mail/mailer';
import type { SmsMessage } from '../../notifications/sms';

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

/** The urgent-alert SMS, to a staff member who turned it on: as bare as the email (issue 4 item 7). */
export function urgentAlertSms(publicUrl: string, to: string): SmsMessage {
  return { to, body: `Rapport: an urgent item is waiting. Sign in: ${publicUrl}/alerts` };
}

/** The escalation SMS to a supervisor who turned urgent-alert texts on. No client, instrument or score. */
export function escalationSms(publicUrl: string, to: string): SmsMessage {
  return { to, body: `Rapport: an urgent item needs a supervisor. Sign in: ${publicUrl}/alerts` };
}

/** Escalation to a supervisor: an urgent item nobody has acknowledged. No client, instrument or score. */
export function escalationEmail(publicUrl: string, to: string): MailMessage {
  return {
    to,
    subject: 'An urgent item in Rapport needs a supervisor',
    text: `An urgent item in Rapport has not been acknowledged in time and has been passed to you.\n\nSign in to see it:\n${publicUrl}/alerts\n\nThis message leaves out all details on purpose.`,
  };
}

/** The daily digest: only how many alerts wait. No client, instrument or score. */
export function digestEmail(publicUrl: string, to: string, waiting: number): MailMessage {
  const what = waiting === 1 ? '1 alert is' : `${waiting} alerts are`;
  return {
    to,
    subject: `Rapport: ${what} waiting`,
    text: `${what} waiting for you in Rapport.\n\nSign in to see them:\n${publicUrl}/alerts\n\nThis message leaves out all details on purpose.`,
  };
}

/** The nudge to rate a session: nothing about the client or the session. */
export function ratingNudgeEmail(publicUrl: string, to: string): MailMessage {
  return {
    to,
    subject: 'A session rating is waiting in Rapport',
    text: `A session rating is waiting in Rapport.\n\nSign in to give it (it takes under a minute):\n${publicUrl}/\n\nThis message leaves out all details on purpose.`,
  };
}
