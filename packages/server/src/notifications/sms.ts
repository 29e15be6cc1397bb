import type { Config } from '../config';
import { createTwilioSmsTransport } from './twilio-sms';

/** An SMS to one number. Bodies carry no health information: the clinic's name and a link at most. */
export type SmsMessage = { to: string; body: string };

/** How the server sends SMS. One real implementation (Twilio-compatible REST), tested against a local fake. */
export interface SmsTransport {
  send(message: SmsMessage): Promise<void>;
}

/** The configured transport (`SMS_URL` and its credentials), or null when SMS is not set up. */
export function createSmsTransport(config: Pick<Config, 'sms'>): SmsTransport | null {
  return config.sms ? createTwilioSmsTransport(config.sms) : null;
}
