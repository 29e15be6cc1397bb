/** An SMS to one number. Bodies carry no health information: the clinic's name and a link at most. */
export type SmsMessage = { to: string; body: string };

/** How the server sends SMS. One real implementation (Twilio-compatible REST), tested against a local fake. */
export interface SmsTransport {
  send(message: SmsMessage): Promise<void>;
}

/** The configured transport, or null when SMS is not set up. Real implementation lands with delivery. */
export function createSmsTransport(_config: { sms?: unknown }): SmsTransport | null {
  return null;
}
