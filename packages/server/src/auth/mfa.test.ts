import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context';
import { users } from '../db/schema';
import { SESSION_COOKIE } from './session-cookie';
import { currentTotp } from './totp';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const PASSWORD = 'correct horse battery staple';
let ipCounter = 0;
const nextIp = () => `10.2.0.${++ipCounter}`;

type Reply = { statusCode: number; cookies: Array<{ name: string; value: string }>; json: () => any };

function cookieOf(res: Reply): string {
  const c = res.cookies.find((x) => x.name === SESSION_COOKIE);
  if (!c) throw new Error('no session cookie set');
  return `${SESSION_COOKIE}=${c.value}`;
}

function post(url: string, cookie: string | undefined, payload?: object, ip = nextIp()) {
  return ctx.app.inject({ method: 'POST', url, remoteAddress: ip, headers: cookie ? { cookie } : {}, ...(payload ? { payload } : {}) });
}

const signIn = (email: string, ip?: string) => post('/api/v1/auth/sign-in', undefined, { email, password: PASSWORD }, ip);
const listClients = (cookie: string) => ctx.app.inject({ method: 'GET', url: '/api/v1/clients', headers: { cookie } });

/** A code that is not valid now or one step either side. */
async function wrongCode(secret: string): Promise<string> {
  const valid = new Set(await Promise.all([-30_000, 0, 30_000].map((d) => currentTotp(secret, new Date(ctx.clock.now().getTime() + d)))));
  let n = 0;
  while (valid.has(String(n).padStart(6, '0'))) n++;
  return String(n).padStart(6, '0');
}

/** A staff member of an MFA-required organisation who has enrolled; returns their TOTP secret and recovery codes. */
async function enrolledStaff() {
  const org = await ctx.buildOrganisation({ settings: { mfaRequired: true } });
  const staff = await ctx.buildStaff(org.id, 'clinician', { password: PASSWORD });
  const enrolCookie = cookieOf(await signIn(staff.email));
  const { secret } = (await post('/api/v1/auth/mfa/enrol', enrolCookie)).json();
  const confirm = await post('/api/v1/auth/mfa/enrol/confirm', enrolCookie, { code: await currentTotp(secret, ctx.clock.now()) });
  expect(confirm.statusCode).toBe(200);
  ctx.clock.advance(60_000);
  return { org, staff, secret: secret as string, recoveryCodes: confirm.json().recoveryCodes as string[] };
}

describe('two-step sign-in', () => {
  it('makes a member of an MFA-required organisation enrol before anything else', async () => {
    const org = await ctx.buildOrganisation({ settings: { mfaRequired: true } });
    const staff = await ctx.buildStaff(org.id, 'clinician', { password: PASSWORD });
    const res = await signIn(staff.email);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ stage: 'enrol' });
    const cookie = cookieOf(res);
    const blocked = await listClients(cookie);
    expect(blocked.statusCode).toBe(401);
    expect(blocked.json()).toEqual({ error: { code: 'mfa_enrolment_required', message: 'Set up two-step sign-in to continue.' } });
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    expect(me.json()).toMatchObject({ stage: 'enrol' });
  });

  it('enrols with a TOTP code, gives 10 recovery codes, and upgrades the session to a new token', async () => {
    const org = await ctx.buildOrganisation({ settings: { mfaRequired: true } });
    const staff = await ctx.buildStaff(org.id, 'clinician', { password: PASSWORD });
    const cookie = cookieOf(await signIn(staff.email));
    const enrol = await post('/api/v1/auth/mfa/enrol', cookie);
    expect(enrol.statusCode).toBe(200);
    const { secret, otpauthUri } = enrol.json();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);

    const bad = await post('/api/v1/auth/mfa/enrol/confirm', cookie, { code: await wrongCode(secret) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'invalid_code', field: 'code' });

    const confirm = await post('/api/v1/auth/mfa/enrol/confirm', cookie, { code: await currentTotp(secret, ctx.clock.now()) });
    expect(confirm.statusCode).toBe(200);
    const codes: string[] = confirm.json().recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const full = cookieOf(confirm);
    expect(full).not.toBe(cookie);
    expect((await listClients(full)).statusCode).toBe(200);
    expect((await listClients(cookie)).statusCode).toBe(401);
  });

  it('stores the TOTP secret encrypted, never in the clear', async () => {
    const { staff, secret } = await enrolledStaff();
    const [row] = await ctx.db.select().from(users).where(eq(users.id, staff.userId));
    expect(row!.mfaSecret).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it('asks for the code at the next sign-in and lets the user in with it', async () => {
    const { staff, secret } = await enrolledStaff();
    const res = await signIn(staff.email);
    expect(res.json()).toEqual({ stage: 'mfa' });
    const pending = cookieOf(res);
    const blocked = await listClients(pending);
    expect(blocked.statusCode).toBe(401);
    expect(blocked.json().error.code).toBe('mfa_required');
    const enrolAgain = await post('/api/v1/auth/mfa/enrol', pending);
    expect(enrolAgain.statusCode).toBe(401);

    const verify = await post('/api/v1/auth/mfa/verify', pending, { code: await currentTotp(secret, ctx.clock.now()) });
    expect(verify.statusCode).toBe(200);
    expect(verify.json()).toEqual({ stage: 'full' });
    const full = cookieOf(verify);
    expect((await listClients(full)).statusCode).toBe(200);
    expect((await listClients(pending)).statusCode).toBe(401);
  });

  it('accepts each authenticator code once only', async () => {
    const { staff, secret } = await enrolledStaff();
    const code = await currentTotp(secret, ctx.clock.now());
    const first = await post('/api/v1/auth/mfa/verify', cookieOf(await signIn(staff.email)), { code });
    expect(first.statusCode).toBe(200);
    // The same code again, still inside its 30 seconds (or the next step's drift window).
    ctx.clock.advance(20_000);
    const replay = await post('/api/v1/auth/mfa/verify', cookieOf(await signIn(staff.email)), { code });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toEqual({ error: { code: 'invalid_code', message: 'That code is not right.' } });
    ctx.clock.advance(30_000);
    const next = await post('/api/v1/auth/mfa/verify', cookieOf(await signIn(staff.email)), { code: await currentTotp(secret, ctx.clock.now()) });
    expect(next.statusCode).toBe(200);
  });

  it('accepts each recovery code once only', async () => {
    const { staff, recoveryCodes } = await enrolledStaff();
    const first = cookieOf(await signIn(staff.email));
    const ok = await post('/api/v1/auth/mfa/verify', first, { recoveryCode: recoveryCodes[3]!.toUpperCase() });
    expect(ok.statusCode).toBe(200);
    expect((await listClients(cookieOf(ok))).statusCode).toBe(200);

    const second = cookieOf(await signIn(staff.email));
    const reused = await post('/api/v1/auth/mfa/verify', second, { recoveryCode: recoveryCodes[3]! });
    expect(reused.statusCode).toBe(401);
    expect(reused.json()).toEqual({ error: { code: 'invalid_code', message: 'That code is not right.' } });
    expect((await post('/api/v1/auth/mfa/verify', second, { recoveryCode: recoveryCodes[4]! })).statusCode).toBe(200);
  });

  it('counts wrong codes towards the account lock-out', async () => {
    const { staff, secret } = await enrolledStaff();
    const ip = nextIp();
    const pending = cookieOf(await signIn(staff.email, ip));
    for (let i = 0; i < 10; i++) {
      const res = await post('/api/v1/auth/mfa/verify', pending, { code: await wrongCode(secret) }, ip);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('invalid_code');
    }
    // Even the right code is refused now, and the half-finished session is ended.
    const locked = await post('/api/v1/auth/mfa/verify', pending, { code: await currentTotp(secret, ctx.clock.now()) }, ip);
    expect(locked.statusCode).toBe(401);
    expect(locked.json().error.code).toBe('account_locked');
    const again = await signIn(staff.email, ip);
    expect(again.statusCode).toBe(429);
    expect(again.json().error.code).toBe('account_locked');
  });
});
