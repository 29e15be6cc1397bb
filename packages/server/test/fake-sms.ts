import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeSms = { to: string; from: string; body: string };

/**
 * A local stand-in for a Twilio-compatible SMS API: checks the path, HTTP Basic auth and the
 * form fields like the real one, and records accepted messages. `failNext(n, status, to)` makes the
 * next n requests (to that number, if given) fail with that status (an outage).
 */
export async function startFakeSmsProvider(credentials = { accountSid: 'AC0123456789', authToken: 'secret-token' }) {
  const messages: FakeSms[] = [];
  const requests: { status: number }[] = [];
  let failures: { remaining: number; status: number; to?: string } = { remaining: 0, status: 500 };
  const expectedPath = `/2010-04-01/Accounts/${credentials.accountSid}/Messages.json`;
  const expectedAuth = `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`;

  const answer = (status: number, body: object) => ({ status, body: JSON.stringify(body) });
  async function handle(req: IncomingMessage) {
    if (req.method !== 'POST' || req.url !== expectedPath) return answer(404, { code: 20404, message: 'The requested resource was not found' });
    if (req.headers.authorization !== expectedAuth) return answer(401, { code: 20003, message: 'Authenticate' });
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return answer(415, { message: 'form encoding expected' });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const to = form.get('To');
    const from = form.get('From');
    const body = form.get('Body');
    if (!to || !from || !body) return answer(400, { code: 21604, message: "A 'To', 'From' and 'Body' are required" });
    if (failures.remaining > 0 && (!failures.to || failures.to === to)) {
      failures.remaining -= 1;
      return answer(failures.status, { code: 20500, message: 'Internal Server Error' });
    }
    messages.push({ to, from, body });
    return answer(201, { sid: `SM${messages.length}`, status: 'queued', to, from, body });
  }

  const server = createServer((req, res) => {
    handle(req).then(({ status, body }) => {
      requests.push({ status });
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    }, () => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    ...credentials,
    messages,
    requests,
    failNext(count: number, status = 500, to?: string) {
      failures = { remaining: count, status, to };
    },
    /** Environment for `createTestContext` so the app sends SMS here. */
    env: (from = '+15005550006') => ({ SMS_URL: `http://127.0.0.1:${port}`, SMS_ACCOUNT_SID: credentials.accountSid, SMS_AUTH_TOKEN: credentials.authToken, SMS_FROM: from }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
