import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, lte } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context';
import { memberships, signInFailures, users } from '../db/schema';
import { SESSION_COOKIE } from './session-cookie';
import { failureKeyOf, issueUserToken } from './auth.queries';
import { FAILURE_WINDOW_MS } from './auth.routes';
import { sha256Hex } from '../lib/crypto';
import { createApp } from '../app';
import { createLogger } from '../lib/logger';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const PASSWORD = 'correct horse battery staple';
let ipCounter = 0;
/** Each test signs in from its own address, so the per-IP limit of one test never trips another. */
const nextIp = () => `10.1.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

function signIn(email: string, password: string, options: { ip?: string; cookie?: string } = {}) {
  return ctx.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    remoteAddress: options.ip ?? nextIp(),
    headers: options.cookie ? { cookie: options.cookie } : {},
    payload: { email, password },
  });
}

function sessionCookieOf(res: { cookies: Array<{ name: string; value: string }> }): string {
  const c = res.cookies.find((x) => x.name === SESSION_COOKIE);
  if (!c) throw new Error('no session cookie set');
  return `${SESSION_COOKIE}=${c.value}`;
}

const me = (cookie: string) => ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });

async function staffWithPassword(role: 'admin' | 'clinician' | 'supervisor' = 'clinician') {
  const org = await ctx.buildOrganisation();
  const staff = await ctx.buildStaff(org.id, role, { password: PASSWORD });
  return { org, staff };
}

const invalidCredentials = { error: { code: 'invalid_credentials', message: 'That email and password do not match.' } };

describe('sign-in', () => {
  it('signs in with an argon2id password and sets an HttpOnly, SameSite=Strict session cookie', async () => {
    const { staff } = await staffWithPassword();
    const [row] = await ctx.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, staff.userId));
    expect(row!.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const res = await signIn(staff.email, PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ stage: 'full' });
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(Buffer.from(cookie.value, 'base64url')).toHaveLength(32);
    expect((await me(sessionCookieOf(res))).statusCode).toBe(200);
  });

  it('rotates the session at sign-in: the cookie sent with the sign-in is dead afterwards', async () => {
    const { staff } = await staffWithPassword();
    expect((await me(staff.cookie)).statusCode).toBe(200);
    const res = await signIn(staff.email, PASSWORD, { cookie: staff.cookie });
    expect(res.statusCode).toBe(200);
    const fresh = sessionCookieOf(res);
    expect(fresh).not.toBe(staff.cookie);
    const old = await me(staff.cookie);
    expect(old.statusCode).toBe(401);
    expect(old.json().error.code).toBe('unauthorized');
    expect((await me(fresh)).statusCode).toBe(200);
  });

  it('answers a wrong password and an unknown email with the same 401 body', async () => {
    const { staff } = await staffWithPassword();
    const wrong = await signIn(staff.email, 'not the password at all');
    const unknown = await signIn('nobody-here@clinic.test', PASSWORD);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(invalidCredentials);
    expect(unknown.json()).toEqual(invalidCredentials);
    expect(wrong.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
  });

  it('locks the account after 10 failures in 15 minutes, with Retry-After, and waits longer after each further failure', async () => {
    const { staff } = await staffWithPassword();
    for (let i = 0; i < 10; i++) {
      ctx.clock.advance(1000);
      expect((await signIn(staff.email, `wrong-${i}`)).statusCode).toBe(401);
    }
    // Locked even with the right password.
    const locked = await signIn(staff.email, PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('account_locked');
    const firstWait = Number(locked.headers['retry-after']);
    expect(firstWait).toBeGreaterThan(0);

    // After the wait, one more failure brings a longer wait.
    ctx.clock.advance(firstWait * 1000);
    expect((await signIn(staff.email, 'wrong-again')).statusCode).toBe(401);
    const lockedAgain = await signIn(staff.email, PASSWORD);
    expect(lockedAgain.statusCode).toBe(429);
    expect(lockedAgain.json().error.code).toBe('account_locked');
    const secondWait = Number(lockedAgain.headers['retry-after']);
    expect(secondWait).toBeGreaterThan(firstWait);

    ctx.clock.advance(secondWait * 1000);
    expect((await signIn(staff.email, 'wrong-a-third-time')).statusCode).toBe(401);
    const thirdWait = Number((await signIn(staff.email, PASSWORD)).headers['retry-after']);
    expect(thirdWait).toBeGreaterThan(secondWait);

    // Once the failures have aged out of the 15-minute window, the right password works again.
    ctx.clock.advanceMinutes(16);
    expect((await signIn(staff.email, PASSWORD)).statusCode).toBe(200);
  });

  /** What a caller can see of an answer: status, body and Retry-After. */
  const observable = (res: Awaited<ReturnType<typeof signIn>>) => ({ status: res.statusCode, body: res.json(), retryAfter: res.headers['retry-after'] });

  it('answers an address without an account exactly as one with an account, lock-out and its growing wait included', async () => {
    const { staff } = await staffWithPassword();
    const invited = `invited-${ipCounter}@clinic.test`;
    const org = await ctx.buildOrganisation();
    const [pending] = await ctx.db.insert(users).values({ email: invited, displayName: 'Pending', createdAt: ctx.clock.now() }).returning();
    await ctx.db.insert(memberships).values({ orgId: org.id, userId: pending!.id, role: 'clinician', status: 'invited', createdAt: ctx.clock.now() });
    const ghost = `ghost-${ipCounter}@clinic.test`;
    /** The same attempt at the same instant for the three addresses; the known one uses `knownPassword`. */
    const attemptAll = async (knownPassword: string) => {
      const known = observable(await signIn(staff.email, knownPassword));
      expect(observable(await signIn(ghost, knownPassword))).toEqual(known);
      expect(observable(await signIn(invited, knownPassword))).toEqual(known);
      return known;
    };
    for (let i = 0; i < 10; i++) {
      ctx.clock.advance(1000);
      expect(await attemptAll(`wrong-${i}`)).toEqual({ status: 401, body: invalidCredentials, retryAfter: undefined });
    }
    // The known address is locked even with its right password; the others give the very same answer.
    const locked = await attemptAll(PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body).toEqual({ error: { code: 'account_locked', message: 'Too many failed sign-ins. Wait a little and try again, or reset your password.' } });
    ctx.clock.advance(Number(locked.retryAfter) * 1000);
    expect((await attemptAll('wrong-again')).status).toBe(401);
    const longer = await attemptAll('wrong-again');
    expect(longer.status).toBe(429);
    expect(Number(longer.retryAfter)).toBeGreaterThan(Number(locked.retryAfter));
    // No account was made for the unknown address.
    expect(await ctx.db.select().from(users).where(eq(users.email, ghost))).toEqual([]);
    ctx.clock.advanceMinutes(16);
    expect((await signIn(staff.email, PASSWORD)).statusCode).toBe(200);
  });

  it('keeps failures bounded to one window, under a keyed hash rather than the address', async () => {
    const addresses = Array.from({ length: 12 }, (_, i) => `spray-${ipCounter}-${i}@clinic.test`);
    for (const email of addresses) expect((await signIn(email, 'whatever')).statusCode).toBe(401);
    const keys = (await ctx.db.select({ key: signInFailures.emailKey }).from(signInFailures)).map((r) => r.key);
    expect(keys).toEqual(expect.arrayContaining(addresses.map((e) => failureKeyOf(ctx.secretKey, e))));
    for (const email of addresses) {
      expect(keys).not.toContain(email);
      expect(keys).not.toContain(sha256Hex(email));
    }
    ctx.clock.advanceMinutes(16);
    expect((await signIn(`late-${ipCounter}@clinic.test`, 'whatever')).statusCode).toBe(401);
    const stale = await ctx.db.select().from(signInFailures).where(lte(signInFailures.at, new Date(ctx.clock.now().getTime() - FAILURE_WINDOW_MS)));
    expect(stale).toEqual([]);
    expect(await ctx.db.select().from(signInFailures)).toHaveLength(1);
  });

  it('allows at most 60 sign-in attempts per IP address per minute', async () => {
    const ip = nextIp();
    const attempts = await Promise.all(
      Array.from({ length: 60 }, (_, i) => signIn(`flood${i}@clinic.test`, 'whatever', { ip }).then((r) => r.statusCode)),
    );
    expect(attempts.every((s) => s === 401)).toBe(true);
    const limited = await signIn('flood@clinic.test', 'whatever', { ip });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('too_many_requests');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await signIn('flood@clinic.test', 'whatever')).statusCode).toBe(401);
  });
});

describe('sessions', () => {
  it('ends a session after 30 idle minutes', async () => {
    const { staff } = await staffWithPassword();
    ctx.clock.advanceMinutes(29);
    expect((await me(staff.cookie)).statusCode).toBe(200);
    ctx.clock.advanceMinutes(29);
    expect((await me(staff.cookie)).statusCode).toBe(200);
    ctx.clock.advanceMinutes(30);
    const res = await me(staff.cookie);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'unauthorized', message: 'Please sign in.' } });
  });

  it('ends an active session 12 hours after sign-in however busy it is', async () => {
    const { staff } = await staffWithPassword();
    const cookie = sessionCookieOf(await signIn(staff.email, PASSWORD));
    for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
      ctx.clock.advanceMinutes(20);
      expect((await me(cookie)).statusCode, `after ${minutes} minutes`).toBe(200);
    }
    ctx.clock.advanceMinutes(20);
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('revokes the session at sign-out', async () => {
    const { staff } = await staffWithPassword();
    const cookie = sessionCookieOf(await signIn(staff.email, PASSWORD));
    const out = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/sign-out', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toBe('');
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it("answers a deactivated user's next request with 401", async () => {
    const { org, staff } = await staffWithPassword('admin');
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/clients', headers: { cookie: staff.cookie } })).statusCode).toBe(200);
    await ctx.deactivate(org.id, staff.userId);
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/clients', headers: { cookie: staff.cookie } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthorized');
    // And they cannot sign in again either.
    expect((await signIn(staff.email, PASSWORD)).json()).toEqual(invalidCredentials);
  });
});

describe('cross-origin requests', () => {
  it.each([
    [{ origin: 'https://evil.example' }],
    [{ 'sec-fetch-site': 'cross-site' }],
  ])('refuses a state-changing request with %j as 403 cross_origin', async (headers) => {
    const { staff } = await staffWithPassword();
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/clients',
      headers: { cookie: staff.cookie, ...headers },
      payload: { givenName: 'Cross', familyName: 'Site' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: { code: 'cross_origin', message: 'This request came from another website and was refused.' } });
    const out = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/sign-out', headers: { cookie: staff.cookie, ...headers } });
    expect(out.statusCode).toBe(403);
    expect((await me(staff.cookie)).statusCode).toBe(200);
  });

  it('accepts a state-changing request from its own origin', async () => {
    const { staff } = await staffWithPassword();
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/clients',
      headers: { cookie: staff.cookie, origin: 'http://rapport.test', 'sec-fetch-site': 'same-origin' },
      payload: { givenName: 'Same', familyName: 'Origin' },
    });
    expect(res.statusCode).toBe(201);
  });
});

describe('password reset', () => {
  const requestReset = (email: string) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', remoteAddress: nextIp(), payload: { email } });
  const completeReset = (token: string, password: string) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/complete', remoteAddress: nextIp(), payload: { token, password } });

  /** The token in the newest reset email to `to`, once it has arrived. */
  async function emailedToken(to: string, before: number): Promise<string> {
    await ctx.smtp.waitFor(before + 1);
    const mail = ctx.smtp.messages.slice(before).find((m) => m.to.includes(to))!;
    expect(mail.subject).toBe('Reset your Rapport password');
    const token = /\/reset-password#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    expect(token).toBeDefined();
    return token!;
  }

  it('resets the password through the emailed link, ends every session, and works once only', async () => {
    const { staff } = await staffWithPassword();
    const other = sessionCookieOf(await signIn(staff.email, PASSWORD));
    const before = ctx.smtp.messages.length;
    const asked = await requestReset(staff.email);
    expect(asked.statusCode).toBe(202);
    const token = await emailedToken(staff.email, before);
    const newPassword = 'a brand new passphrase';
    expect((await completeReset(token, newPassword)).statusCode).toBe(204);
    expect((await me(staff.cookie)).statusCode).toBe(401);
    expect((await me(other)).statusCode).toBe(401);
    expect((await signIn(staff.email, PASSWORD)).statusCode).toBe(401);
    expect((await signIn(staff.email, newPassword)).statusCode).toBe(200);
    const again = await completeReset(token, 'yet another passphrase');
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('invalid_token');
  });

  it('ends every other outstanding reset link once one is used', async () => {
    const { staff } = await staffWithPassword();
    let before = ctx.smtp.messages.length;
    await requestReset(staff.email);
    const first = await emailedToken(staff.email, before);
    before = ctx.smtp.messages.length;
    await requestReset(staff.email);
    const second = await emailedToken(staff.email, before);
    expect((await completeReset(second, 'a brand new passphrase')).statusCode).toBe(204);
    const stale = await completeReset(first, 'an attacker passphrase');
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error.code).toBe('invalid_token');
    expect((await signIn(staff.email, 'a brand new passphrase')).statusCode).toBe(200);
  });

  it('refuses a reset link older than 30 minutes', async () => {
    const { staff } = await staffWithPassword();
    const before = ctx.smtp.messages.length;
    await requestReset(staff.email);
    const token = await emailedToken(staff.email, before);
    ctx.clock.advanceMinutes(31);
    const res = await completeReset(token, 'a brand new passphrase');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'invalid_token', message: 'This reset link has expired or was already used. Ask for a new one.' } });
    expect((await signIn(staff.email, PASSWORD)).statusCode).toBe(200);
  });

  it('answers a reset request for an unknown address exactly as for a known one, and sends nothing', async () => {
    const { staff } = await staffWithPassword();
    const before = ctx.smtp.messages.length;
    const known = await requestReset(staff.email);
    await ctx.smtp.waitFor(before + 1);
    const unknown = await requestReset('nobody-at-all@clinic.test');
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(unknown.body).toBe(known.body);
    await new Promise((r) => setTimeout(r, 200));
    expect(ctx.smtp.messages.filter((m) => m.to.includes('nobody-at-all@clinic.test'))).toHaveLength(0);
  });
  it('answers a known address the same way when the mail server is down', async () => {
    const { staff } = await staffWithPassword();
    const failingMailer = { send: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), close: () => undefined };
    const app = await createApp({ config: ctx.config, db: ctx.db, clock: ctx.clock, mailer: failingMailer, sms: null, logger: createLogger('silent'), secretKey: ctx.secretKey, ping: async () => true });
    try {
      const known = await app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: staff.email } });
      const unknown = await app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'nobody-else@clinic.test' } });
      expect(known.statusCode).toBe(202);
      expect(known.body).toBe(unknown.body);
    } finally {
      await app.close();
    }
  });
});

describe('invitations', () => {
  it('lets an invited user set a password, activates the membership, and works once only', async () => {
    const org = await ctx.buildOrganisation();
    const [user] = await ctx.db.insert(users).values({ email: 'invited@clinic.test', displayName: 'Invited', createdAt: ctx.clock.now() }).returning();
    await ctx.db.insert(memberships).values({ orgId: org.id, userId: user!.id, role: 'clinician', status: 'invited', createdAt: ctx.clock.now() });
    const token = await issueUserToken(ctx.db, { userId: user!.id, orgId: org.id, kind: 'invite', now: ctx.clock.now(), validForMs: 7 * 86_400_000 });
    expect((await signIn('invited@clinic.test', PASSWORD)).statusCode).toBe(401);

    const accept = (password: string) =>
      ctx.app.inject({ method: 'POST', url: '/api/v1/auth/invitation/accept', remoteAddress: nextIp(), payload: { token, password } });
    expect((await accept(PASSWORD)).statusCode).toBe(204);
    const [membership] = await ctx.db
      .select({ status: memberships.status })
      .from(memberships)
      .where(and(eq(memberships.orgId, org.id), eq(memberships.userId, user!.id)));
    expect(membership!.status).toBe('active');
    const res = await signIn('invited@clinic.test', PASSWORD);
    expect(res.statusCode).toBe(200);
    expect((await me(sessionCookieOf(res))).json()).toMatchObject({ role: 'clinician', organisation: { id: org.id } });

    const again = await accept('another passphrase!');
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('invalid_token');
  });

  const accept = (token: string, password: string) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/auth/invitation/accept', remoteAddress: nextIp(), payload: { token, password } });
  const membershipStatus = async (orgId: string, userId: string) =>
    (await ctx.db.select({ status: memberships.status }).from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId))))[0]?.status;
  const passwordHashOf = async (userId: string) => (await ctx.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId)))[0]!.hash;

  /** Someone signed in at one clinic, invited by the admin of another through the API; returns the emailed token. */
  async function invitedToSecondClinic() {
    const { org: first, staff } = await staffWithPassword();
    const second = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(second.id, 'admin');
    const before = ctx.smtp.messages.length;
    const invite = await ctx.app.inject({ method: 'POST', url: '/api/v1/users/invite', headers: { cookie: admin.cookie }, payload: { email: staff.email, displayName: 'Again', role: 'clinician' } });
    expect(invite.statusCode).toBe(201);
    const mails = await ctx.smtp.waitFor(before + 1);
    const mail = mails.slice(before).find((m) => m.to.includes(staff.email))!;
    const token = /\/accept-invitation#token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    return { first, second, staff, token, mail };
  }

  it('asks someone who already has an account for their current password, and keeps it', async () => {
    const { first, second, staff, token, mail } = await invitedToSecondClinic();
    expect(mail.text).toContain('You already have a Rapport account with this address');
    expect(mail.text).toContain('enter the password you sign in with');
    const hashBefore = await passwordHashOf(staff.userId);

    // A new password is not theirs: refused, nothing changes, the invitation stays usable.
    const takeover = await accept(token, 'an attacker chose this');
    expect(takeover.statusCode).toBe(401);
    expect(takeover.json()).toEqual({
      error: { code: 'invalid_credentials', message: 'This email address already has a Rapport account. Enter the password you sign in with: accepting keeps it as it is.' },
    });
    expect(await passwordHashOf(staff.userId)).toBe(hashBefore);
    expect(await membershipStatus(second.id, staff.userId)).toBe('invited');
    expect((await signIn(staff.email, 'an attacker chose this')).statusCode).toBe(401);

    // Their own password: the membership is active, the password the same, sign-in works at both clinics.
    expect((await accept(token, PASSWORD)).statusCode).toBe(204);
    expect(await membershipStatus(second.id, staff.userId)).toBe('active');
    expect(await passwordHashOf(staff.userId)).toBe(hashBefore);
    for (const orgId of [first.id, second.id]) {
      const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', remoteAddress: nextIp(), payload: { email: staff.email, password: PASSWORD, organisationId: orgId } });
      expect(res.statusCode).toBe(200);
      expect((await me(sessionCookieOf(res))).json().organisation.id).toBe(orgId);
    }
    // Their other sessions go on: nothing about their account changed.
    expect((await me(staff.cookie)).statusCode).toBe(200);
    expect((await accept(token, PASSWORD)).json().error.code).toBe('invalid_token');
  });

  const details = (token: string, ip = nextIp()) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/auth/invitation/details', remoteAddress: ip, payload: { token } });

  it("tells the invitation's holder the clinic and whether to sign in with an existing account, using nothing up", async () => {
    const { second, staff, token } = await invitedToSecondClinic();
    const res = await details(token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ organisationName: second.name, existingAccount: true });
    expect(res.body).not.toContain(staff.email);
    expect(await membershipStatus(second.id, staff.userId)).toBe('invited');
    expect((await accept(token, PASSWORD)).statusCode).toBe(204);

    const org = await ctx.buildOrganisation();
    const [user] = await ctx.db.insert(users).values({ email: `details-${ipCounter}@clinic.test`, displayName: 'New', createdAt: ctx.clock.now() }).returning();
    await ctx.db.insert(memberships).values({ orgId: org.id, userId: user!.id, role: 'clinician', status: 'invited', createdAt: ctx.clock.now() });
    const fresh = await issueUserToken(ctx.db, { userId: user!.id, orgId: org.id, kind: 'invite', now: ctx.clock.now(), validForMs: 86_400_000 });
    expect((await details(fresh)).json()).toEqual({ organisationName: org.name, existingAccount: false });
  });

  it('answers a used, expired or made-up invitation token with the same 401, telling nothing', async () => {
    const { token } = await invitedToSecondClinic();
    const { token: expiring } = await invitedToSecondClinic();
    expect((await accept(token, PASSWORD)).statusCode).toBe(204);
    ctx.clock.advance(7 * 24 * 3_600_000 + 1000);
    const expected = { error: { code: 'invalid_token', message: 'This invitation has expired or was already used. Ask your administrator for a new one.' } };
    for (const t of [token, expiring, 'x'.repeat(43)]) {
      const res = await details(t);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual(expected);
    }
    const malformed = await details('short');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toMatchObject({ code: 'validation_failed', field: 'token' });
  });

  it('allows at most 20 invitation look-ups per IP address per minute', async () => {
    const ip = nextIp();
    for (let i = 0; i < 20; i++) expect((await details('y'.repeat(43), ip)).statusCode).toBe(401);
    const limited = await details('y'.repeat(43), ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('too_many_requests');
  });

  it('counts wrong passwords at the invitation towards the lock-out of the address', async () => {
    const { second, staff, token } = await invitedToSecondClinic();
    for (let i = 0; i < 10; i++) {
      ctx.clock.advance(1000);
      expect((await accept(token, `not-my-password-${i}`)).statusCode).toBe(401);
    }
    const locked = await accept(token, PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('account_locked');
    expect((await signIn(staff.email, PASSWORD)).statusCode).toBe(429);
    expect(await membershipStatus(second.id, staff.userId)).toBe('invited');
    ctx.clock.advanceMinutes(16);
    expect((await accept(token, PASSWORD)).statusCode).toBe(204);
  });

  it('holds a first password to the password rules without using up the invitation', async () => {
    const org = await ctx.buildOrganisation();
    const [user] = await ctx.db.insert(users).values({ email: `short-${ipCounter}@clinic.test`, displayName: 'Short', createdAt: ctx.clock.now() }).returning();
    await ctx.db.insert(memberships).values({ orgId: org.id, userId: user!.id, role: 'clinician', status: 'invited', createdAt: ctx.clock.now() });
    const token = await issueUserToken(ctx.db, { userId: user!.id, orgId: org.id, kind: 'invite', now: ctx.clock.now(), validForMs: 86_400_000 });
    const short = await accept(token, 'too short');
    expect(short.statusCode).toBe(400);
    expect(short.json()).toEqual({ error: { code: 'validation_failed', message: 'Use at least 12 characters.', field: 'password' } });
    expect(await passwordHashOf(user!.id)).toBeNull();
    expect((await accept(token, PASSWORD)).statusCode).toBe(204);
  });

  it('lets someone invited to two clinics choose a password at the first and asks for it at the second', async () => {
    const orgs = [await ctx.buildOrganisation(), await ctx.buildOrganisation()];
    const [user] = await ctx.db.insert(users).values({ email: `twice-${ipCounter}@clinic.test`, displayName: 'Twice', createdAt: ctx.clock.now() }).returning();
    const tokens: string[] = [];
    for (const org of orgs) {
      await ctx.db.insert(memberships).values({ orgId: org.id, userId: user!.id, role: 'clinician', status: 'invited', createdAt: ctx.clock.now() });
      tokens.push(await issueUserToken(ctx.db, { userId: user!.id, orgId: org.id, kind: 'invite', now: ctx.clock.now(), validForMs: 86_400_000 }));
    }
    expect((await accept(tokens[0]!, PASSWORD)).statusCode).toBe(204);
    const hash = await passwordHashOf(user!.id);
    expect((await accept(tokens[1]!, 'a second new passphrase')).json().error.code).toBe('invalid_credentials');
    expect(await passwordHashOf(user!.id)).toBe(hash);
    expect((await accept(tokens[1]!, PASSWORD)).statusCode).toBe(204);
    expect(await membershipStatus(orgs[1]!.id, user!.id)).toBe('active');
  });
});
