import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createTestContext, type TestContext } from './context';
import { createApp } from '../src/app';
import { createLogger } from '../src/lib/logger';
import type { Db } from '../src/db/database';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

/** Values that must never reach a log line. Distinctive enough that a hit cannot be chance. */
const canary = {
  givenName: 'Quillonia',
  familyName: 'Vexmorrow',
  newFamilyName: 'Zanthrope',
  preferredName: 'Quilly',
  email: 'quillonia.vexmorrow@canary.test',
  mobile: '+447700900987',
  mobileDigits: '7700900987',
  externalRef: 'NHS-CANARY-4471',
  password: 'canary-pass-phrase-1187',
  staffEmail: 'canary.staff@canary.test',
  token: 'CanaryTok3n_9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1',
  errorText: 'canary-secret-in-an-error-message',
};

function assertNoCanaries(logs: string) {
  expect(logs.length).toBeGreaterThan(0);
  for (const [name, value] of Object.entries(canary)) {
    expect(logs.toLowerCase().includes(value.toLowerCase()), `${name} appeared in the logs`).toBe(false);
  }
}

describe('no personal data in logs', () => {
  it('keeps names, contact details, passwords and tokens sent through the API out of the log output', async () => {
    const org = await ctx.buildOrganisation();
    const clinician = await ctx.buildStaff(org.id, 'clinician', { email: canary.staffEmail, password: 'the real password here' });
    const headers = { cookie: clinician.cookie };

    const created = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/clients',
      headers,
      payload: { givenName: canary.givenName, familyName: canary.familyName, preferredName: canary.preferredName, email: canary.email, mobile: '+44 7700 900987', externalRef: canary.externalRef },
    });
    expect(created.statusCode).toBe(201);
    const clientId = created.json().id;

    const updated = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/clients/${clientId}`, headers, payload: { familyName: canary.newFamilyName } });
    expect(updated.statusCode).toBe(200);
    const search = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients?q=${canary.givenName}`, headers });
    expect(search.statusCode).toBe(200);
    // A bad value is refused; the refusal is not logged with the value.
    const invalid = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/clients/${clientId}`, headers, payload: { email: `${canary.email} not valid` } });
    expect(invalid.statusCode).toBe(400);

    const wrongPassword = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: canary.staffEmail, password: canary.password } });
    expect(wrongPassword.statusCode).toBe(401);
    const unknown = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: canary.email, password: canary.password } });
    expect(unknown.statusCode).toBe(401);

    const before = ctx.smtp.messages.length;
    const reset = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: canary.staffEmail } });
    expect(reset.statusCode).toBe(202);
    await ctx.smtp.waitFor(before + 1);
    const resetToken = /#token=([A-Za-z0-9_-]+)/.exec(ctx.smtp.messages.at(-1)!.text)![1]!;
    const badReset = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/complete', payload: { token: canary.token, password: canary.password } });
    expect(badReset.statusCode).toBe(401);

    // Client links carry their token in the path; an unknown one is a 404 logged by route pattern only.
    const linkPage = await ctx.app.inject({ method: 'GET', url: `/q/${canary.token}` });
    expect(linkPage.statusCode).toBe(404);
    for (const url of [`/api/v1/client-links/${canary.token}`, `/api/v1/clients/${canary.token}`]) {
      const res = await ctx.app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    const withCookie = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `rapport_session=${canary.token}`, authorization: `Bearer ${canary.token}` } });
    expect(withCookie.statusCode).toBe(401);

    const logs = ctx.logs();
    assertNoCanaries(logs);
    expect(logs).not.toContain(resetToken);
    expect(logs).not.toContain(clinician.token);
    // The log does record the requests, by route pattern.
    expect(logs).toContain('"route":"/api/v1/clients/:clientId"');
    expect(logs).toContain('"route":"unmatched"');
  });

  it('answers an unexpected failure with a generic 500 and the request id, with no stack trace or message', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, cb) => void (lines.push(String(chunk)), cb()) });
    const failing = () => {
      throw new Error(`connection lost while reading ${canary.errorText} for ${canary.email}`);
    };
    // A database whose every query fails, as when the connection drops mid-request.
    const brokenDb = new Proxy(ctx.db, { get: () => failing }) as Db;
    const app = await createApp({ config: ctx.config, db: brokenDb, clock: ctx.clock, mailer: { send: async () => undefined, close: () => undefined }, sms: null, logger: createLogger('info', sink), secretKey: ctx.secretKey, ping: async () => true });
    try {
      const res = await app.inject({ method: 'GET', url: '/api/v1/clients', headers: { cookie: `rapport_session=${canary.token}` } });
      expect(res.statusCode).toBe(500);
      const body = res.json();
      expect(body).toEqual({ error: { code: 'internal', message: 'Something went wrong on our side. It has been logged.', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
      expect(res.body).not.toMatch(/at .*\.ts|stack|connection lost/);
      const logs = lines.join('');
      expect(logs).toContain(body.error.requestId);
      expect(logs).toContain('unhandled error');
      assertNoCanaries(logs);
    } finally {
      await app.close();
    }
  });
});
