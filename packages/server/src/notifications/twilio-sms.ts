import type { SmsMessage, SmsTransport } from './sms';

/**
 * The provider refused or failed a message. Only the HTTP status is kept: a provider's error body
 * can quote the number or the text, and job errors are logged.
 */
export class SmsSendError extends Error {
  readonly code: string;
  constructor(readonly status: number) {
    super(`SMS provider answered HTTP ${status}`);
    this.name = 'SmsSendError';
    this.code = `sms_http_${status}`;
  }
}

export type TwilioSmsOptions = {
  /** Base URL of a Twilio-compatible API, e.g. `https://api.twilio.com` (no trailing slash). */
  url: string;
  accountSid: string;
  authToken: string;
  /** The sender number or alphanumeric sender id. */
  from: string;
  /** Give up on a request after this long (default 10 s); the job runner retries. */
  timeoutMs?: number;
};

/**
 * Sends SMS through the Twilio REST API (or any service that speaks it): `POST
 * {url}/2010-04-01/Accounts/{sid}/Messages.json`, form-encoded `To`, `From`, `Body`, HTTP Basic
 * auth with the account SID and token. A non-2xx answer throws {@link SmsSendError}.
 */
export function createTwilioSmsTransport(options: TwilioSmsOptions): SmsTransport {
  const endpoint = `${options.url.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  return {
    async send(message: SmsMessage) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ To: message.to, From: options.from, Body: message.body }).toString(),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      // Drain the body so the connection can be reused; its content is not needed (nor logged).
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new SmsSendError(response.status);
    },
  };
}
