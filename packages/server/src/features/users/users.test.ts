import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvents, memberships, recoveryCodes, users } from '../../db/schema';
import { createTestContext, type TestContext } from '../../../test/context';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

type Method = 'GET' | 'POST' | 'PATCH';
const call = (method: Method, url: string, cookie: string | undefined, payload?: object) =>
  ctx.app.inject({ method, url, headers: cookie ? { cookie } : {}, ...(payload ? { payload } : {}) });

async function clinic() {
  const org = await ctx.buildOrganisation({ name: `Clinic ${Math.random().toString(36).slice(2, 8)}` });
  const admin = await ctx.buildStaff(org.id, 'admin', { displayName: 'Ada Admin' });
  const supervisor = await ctx.buildStaff(org.id, 'supervisor');
  const clinician = await ctx.buildStaff(org.id, 'clinician', { experienceYears: 2, trainee: true });
  return { org, admin, supervisor, clinician };
}

const auditFor = (orgId: string, action: string) =>
  ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.action, action)));

/** The token in the last email's link (it is in the URL fragment). */
async function tokenFromNextEmail(before: number, path: string) {
  const mails = await ctx.smtp.waitFor(before + 1);
  const mail = mails[before]!;
  const match = new RegExp(`http://rapport\\.test/${path}#token=([A-Za-z0-9_-]+)`).exec(mail.text);
  expect(match).not.toBeNull();
  return { mail, token: match![1]! };
}

describe('listing staff', () => {
  it.each(['admin', 'supervisor'] as const)('shows a %s the staff with role, status, experience, trainee and MFA, audited', async (role) => {
    const c = await clinic();
    const res = await call('GET', '/api/v1/users', c[role].cookie);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(3);
    expect(res.json().items).toContainEqual(
      expect.objectContaining({ id: c.clinician.userId, role: 'clinician', status: 'active', experienceYears: 2, trainee: true, mfaEnabled: false, joined: true }),
    );
    expect(JSON.stringify(res.json())).not.toMatch(/passwordHash|mfaSecret/);
    expect(await auditFor(c.org.id, 'users.list')).toEqual([expect.objectContaining({ actorId: c[role].userId, entityType: 'user', outcome: 'success' })]);
  });

  it('forbids a clinician to list staff', async () => {
    const c = await clinic();
    const res = await call('GET', '/api/v1/users', c.clinician.cookie);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
  });
});

describe('inviting staff', () => {
  it('creates the user, emails a 7-day link naming only the clinic, and the link lets them in', async () => {
    const c = await clinic();
    const before = ctx.smtp.messages.length;
    const res = await call('POST', '/api/v1/users/invite', c.admin.cookie, { email: 'New.Person@Clinic.test', displayName: 'New Person', role: 'clinician', experienceYears: 3, trainee: true });
    expect(res.statusCode).toBe(201);
    const invited = res.json();
    expect(invited).toMatchObject({ email: 'new.person@clinic.test', displayName: 'New Person', role: 'clinician', status: 'invited', experienceYears: 3, trainee: true, mfaEnabled: false, joined: false });
    const { mail, token } = await tokenFromNextEmail(before, 'accept-invitation');
    expect(mail.to).toEqual(['new.person@clinic.test']);
    expect(mail.subject).toContain(c.org.name);
    expect(mail.text).toContain(c.org.name);
    expect(mail.text).not.toContain('Ada Admin');
    expect(mail.text).not.toContain('clinician');
    expect(await auditFor(c.org.id, 'user.invite')).toEqual([expect.objectContaining({ actorId: c.admin.userId, entityType: 'user', entityId: invited.id })]);

    ctx.clock.advance(6 * 24 * 3_600_000);
    const accept = await call('POST', '/api/v1/auth/invitation/accept', undefined, { token, password: 'a long enough passphrase' });
    expect(accept.statusCode).toBe(204);
    const signIn = await call('POST', '/api/v1/auth/sign-in', undefined, { email: 'new.person@clinic.test', password: 'a long enough passphrase' });
    expect(signIn.statusCode).toBe(200);
    const admin = await ctx.buildStaff(c.org.id, 'admin'); // the first admin's session has lapsed in six days
    const listed = (await call('GET', '/api/v1/users', admin.cookie)).json().items.find((u: { id: string }) => u.id === invited.id);
    expect(listed).toMatchObject({ status: 'active', joined: true });
  });

  it('sends an outstanding invitation again when invited again: a fresh 7-day link, the same membership, still not joined, the earlier link dead', async () => {
    const c = await clinic();
    const before = ctx.smtp.messages.length;
    const email = `resend${before}@clinic.test`;
    const first = await call('POST', '/api/v1/users/invite', c.admin.cookie, { email, displayName: 'Resent', role: 'supervisor' });
    const { token: firstToken } = await tokenFromNextEmail(before, 'accept-invitation');
    ctx.clock.advance(3 * 24 * 3_600_000);
    // Resent within the week (by an admin signed in now): the first link, still unexpired, no longer works.
    const resender = await ctx.buildStaff(c.org.id, 'admin');
    expect((await call('POST', '/api/v1/users/invite', resender.cookie, { email, displayName: 'Resent', role: 'supervisor' })).statusCode).toBe(201);
    const { token: secondToken } = await tokenFromNextEmail(before + 1, 'accept-invitation');
    const stale = await call('POST', '/api/v1/auth/invitation/accept', undefined, { token: firstToken, password: 'a long enough passphrase' });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error.code).toBe('invalid_token');
    expect(secondToken).not.toBe(firstToken);
    ctx.clock.advance(7 * 24 * 3_600_000 + 1000);
    const admin = await ctx.buildStaff(c.org.id, 'admin'); // the first admin's session has lapsed
    const again = await call('POST', '/api/v1/users/invite', admin.cookie, { email, displayName: 'Resent', role: 'supervisor' });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ id: first.json().id, status: 'invited', role: 'supervisor', joined: false });
    const { mail, token } = await tokenFromNextEmail(before + 2, 'accept-invitation');
    expect(mail.to).toEqual([email]);
    const rows = await ctx.db.select({ status: memberships.status }).from(memberships).where(eq(memberships.userId, first.json().id));
    expect(rows).toEqual([{ status: 'invited' }]);
    expect(await auditFor(c.org.id, 'user.invite')).toHaveLength(3);
    expect((await call('POST', '/api/v1/auth/invitation/accept', undefined, { token, password: 'a long enough passphrase' })).statusCode).toBe(204);
  });

  it('lets the invitation expire after 7 days', async () => {
    const c = await clinic();
    const before = ctx.smtp.messages.length;
    await call('POST', '/api/v1/users/invite', c.admin.cookie, { email: `late${before}@clinic.test`, displayName: 'Late', role: 'clinician' });
    const { token } = await tokenFromNextEmail(before, 'accept-invitation');
    ctx.clock.advance(7 * 24 * 3_600_000 + 1000);
    const accept = await call('POST', '/api/v1/auth/invitation/accept', undefined, { token, password: 'a long enough passphrase' });
    expect(accept.statusCode).toBe(401);
    expect(accept.json().error.code).toBe('invalid_token');
  });

  it('adds a membership for someone already at another clinic, keeping one identity', async () => {
    const c = await clinic();
    const elsewhere = await ctx.buildOrganisation();
    const person = await ctx.buildStaff(elsewhere.id, 'supervisor');
    const res = await call('POST', '/api/v1/users/invite', c.admin.cookie, { email: person.email, displayName: 'Their Name Here', role: 'clinician' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ id: person.userId, displayName: 'Their Name Here', role: 'clinician', status: 'invited' });
    const rows = await ctx.db.select().from(memberships).where(eq(memberships.userId, person.userId));
    expect(rows.map((m) => [m.orgId, m.role, m.status]).sort()).toEqual(
      [[c.org.id, 'clinician', 'invited'], [elsewhere.id, 'supervisor', 'active']].sort(),
    );
  });

  it("shows the inviting admin only what they typed, nothing of the account's other clinic", async () => {
    const c = await clinic();
    const elsewhere = await ctx.buildOrganisation();
    const person = await ctx.buildStaff(elsewhere.id, 'supervisor', { displayName: 'Dr Private Elsewhere', password: 'their own passphrase' });
    await ctx.db.update(users).set({ mfaSecret: 'v1.x.y.z', mfaEnabledAt: ctx.clock.now() }).where(eq(users.id, person.userId));
    const newcomer = await call('POST', '/api/v1/users/invite', c.admin.cookie, { email: `newcomer${ctx.smtp.messages.length}@clinic.test`, displayName: 'Newcomer', role: 'clinician' });
    const res = await call('POST', '/api/v1/users/invite', c.admin.cookie, { email: person.email, displayName: 'Sam Typed', role: 'clinician' });
    expect(res.statusCode).toBe(201);
    // Exactly what a brand-new address gets: the typed name, no MFA, the same fields.
    expect(res.json()).toMatchObject({ email: person.email, displayName: 'Sam Typed', role: 'clinician', status: 'invited', mfaEnabled: false });
    expect(Object.keys(res.json()).sort()).toEqual(Object.keys(newcomer.json()).sort());
    expect(res.body).not.toContain('Private');
    const listed = (await call('GET', '/api/v1/users?status=invited', c.admin.cookie)).json().items.find((u: { id: string }) => u.id === person.userId);
    expect(listed).toMatchObject({ displayName: 'Sam Typed', mfaEnabled: false });
    // Inviting again with another name shows the new one.
    const again = await call('POST', '/api/v1/users/invite', c.admin.cookie, { email: person.email, displayName: 'Sam Retyped', role: 'clinician' });
    expect(again.json()).toMatchObject({ displayName: 'Sam Retyped', mfaEnabled: false });
    // The other clinic still sees its own colleague's name.
    const theirAdmin = await ctx.buildStaff(elsewhere.id, 'admin');
    const theirs = (await call('GET', '/api/v1/users', theirAdmin.cookie)).json().items.find((u: { id: string }) => u.id === person.userId);
    expect(theirs).toMatchObject({ displayName: 'Dr Private Elsewhere', mfaEnabled: true });
  });

  it("lets the inviting clinic see the account's own name and MFA once they accept", async () => {
    const c = await clinic();
    const elsewhere = await ctx.buildOrganisation();
    const person = await ctx.buildStaff(elsewhere.id, 'clinician', { displayName: 'Chosen Own Name', password: 'their own passphrase' });
    const before = ctx.smtp.messages.length;
    await call('POST', '/api/v1/users/invite', c.admin.cookie, { email: person.email, displayName: 'Typed Name', role: 'clinician' });
    const { token } = await tokenFromNextEmail(before, 'accept-invitation');
    expect((await call('POST', '/api/v1/auth/invitation/accept', undefined, { token, password: 'their own passphrase' })).statusCode).toBe(204);
    const listed = (await call('GET', '/api/v1/users', c.admin.cookie)).json().items.find((u: { id: string }) => u.id === person.userId);
    expect(listed).toMatchObject({ displayName: 'Chosen Own Name', status: 'active', joined: true });
  });

  it("refuses to reset the MFA of, or reactivate, someone who has not accepted the clinic's invitation", async () => {
    const c = await clinic();
    const elsewhere = await ctx.buildOrganisation();
    const person = await ctx.buildStaff(elsewhere.id, 'clinician', { password: 'their own passphrase' });
    await ctx.db.update(users).set({ mfaSecret: 'v1.x.y.z', mfaEnabledAt: ctx.clock.now() }).where(eq(users.id, person.userId));
    await call('POST', '/api/v1/users/invite', c.admin.cookie, { email: person.email, displayName: 'Typed', role: 'clinician' });
    const reset = await call('POST', `/api/v1/users/${person.userId}/mfa-reset`, c.admin.cookie);
    expect(reset.statusCode).toBe(409);
    expect(reset.json().error.code).toBe('not_joined');
    expect((await ctx.db.select({ at: users.mfaEnabledAt }).from(users).where(eq(users.id, person.userId)))[0]!.at).not.toBeNull();
    // Withdrawing the invitation and reactivating would make them a member without their consent.
    expect((await call('POST', `/api/v1/users/${person.userId}/deactivate`, c.admin.cookie)).statusCode).toBe(200);
    const reactivate = await call('POST', `/api/v1/users/${person.userId}/reactivate`, c.admin.cookie);
    expect(reactivate.statusCode).toBe(409);
    expect(reactivate.json().error.code).toBe('not_joined');
    const rows = await ctx.db.select({ status: memberships.status }).from(memberships).where(and(eq(memberships.orgId, c.org.id), eq(memberships.userId, person.userId)));
    expect(rows[0]!.status).toBe('deactivated');
    const withdrawn = (await call('GET', '/api/v1/users', c.admin.cookie)).json().items.find((u: { id: string }) => u.id === person.userId);
    expect(withdrawn).toMatchObject({ status: 'deactivated', joined: false });
    // Inviting them again is the way back, and asks for their consent again.
    const reinvite = await call('POST', '/api/v1/users/invite', c.admin.cookie, { email: person.email, displayName: 'Typed Again', role: 'clinician' });
    expect(reinvite.statusCode).toBe(201);
    expect(reinvite.json()).toMatchObject({ displayName: 'Typed Again', status: 'invited', deactivatedAt: null, mfaEnabled: false, joined: false });
  });

  it('refuses to invite someone who is already a member', async () => {
    const c = await clinic();
    const res = await call('POST', '/api/v1/users/invite', c.admin.cookie, { email: c.clinician.email, displayName: 'Again', role: 'clinician' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'already_member', field: 'email' });
  });

  it.each(['supervisor', 'clinician'] as const)('forbids a %s to invite', async (role) => {
    const c = await clinic();
    const res = await call('POST', '/api/v1/users/invite', c[role].cookie, { email: 'x@clinic.test', displayName: 'X', role: 'admin' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
  });

  it.each([
    [{ email: 'not-an-email', displayName: 'X', role: 'clinician' }, 'email'],
    [{ email: 'x@clinic.test', displayName: '', role: 'clinician' }, 'displayName'],
    [{ email: 'x@clinic.test', displayName: 'X', role: 'owner' }, 'role'],
    [{ email: 'x@clinic.test', displayName: 'X', role: 'clinician', experienceYears: -1 }, 'experienceYears'],
    [{ email: 'x@clinic.test', displayName: 'X', role: 'clinician', trainee: 'yes' }, 'trainee'],
    [{ email: 'x@clinic.test', displayName: 'X', role: 'clinician', orgId: '00000000-0000-0000-0000-000000000000' }, 'orgId'],
  ])('refuses an invalid invitation %j naming the field', async (payload, field) => {
    const c = await clinic();
    const res = await call('POST', '/api/v1/users/invite', c.admin.cookie, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field });
  });
});

describe('changing a staff member', () => {
  it('changes role, experience and trainee flag, audited; the new role applies at once', async () => {
    const c = await clinic();
    const res = await call('PATCH', `/api/v1/users/${c.clinician.userId}`, c.admin.cookie, { role: 'supervisor', experienceYears: 4, trainee: false });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ role: 'supervisor', experienceYears: 4, trainee: false });
    expect((await call('GET', '/api/v1/users', c.clinician.cookie)).statusCode).toBe(200);
    expect(await auditFor(c.org.id, 'user.update')).toEqual([expect.objectContaining({ entityType: 'user', entityId: c.clinician.userId })]);
  });

  it('refuses to demote the last active admin', async () => {
    const c = await clinic();
    const res = await call('PATCH', `/api/v1/users/${c.admin.userId}`, c.admin.cookie, { role: 'clinician' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'last_admin', field: 'role' });
  });

  it('refuses to make the on-call supervisor a clinician', async () => {
    const c = await clinic();
    await call('PATCH', '/api/v1/organisation', c.admin.cookie, { settings: { onCallSupervisorUserId: c.supervisor.userId } });
    const res = await call('PATCH', `/api/v1/users/${c.supervisor.userId}`, c.admin.cookie, { role: 'clinician' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'on_call_supervisor', field: 'role' });
  });

  it.each([
    [{ role: 'boss' }, 'role'],
    [{ experienceYears: 100 }, 'experienceYears'],
    [{ email: 'new@clinic.test' }, 'email'],
  ])('refuses an invalid change %j naming the field', async (payload, field) => {
    const c = await clinic();
    const res = await call('PATCH', `/api/v1/users/${c.clinician.userId}`, c.admin.cookie, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field });
  });
});

describe('account actions', () => {
  it('deactivates a user: their next request is 401, audited', async () => {
    const c = await clinic();
    const res = await call('POST', `/api/v1/users/${c.clinician.userId}/deactivate`, c.admin.cookie);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'deactivated', deactivatedAt: ctx.clock.now().toISOString() });
    const next = await call('GET', '/api/v1/me', c.clinician.cookie);
    expect(next.statusCode).toBe(401);
    expect(await auditFor(c.org.id, 'user.deactivate')).toEqual([expect.objectContaining({ actorId: c.admin.userId, entityType: 'user', entityId: c.clinician.userId })]);
  });

  it('does not let an admin deactivate themselves', async () => {
    const c = await clinic();
    const res = await call('POST', `/api/v1/users/${c.admin.userId}/deactivate`, c.admin.cookie);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('cannot_deactivate_self');
  });

  it('refuses to deactivate the on-call supervisor', async () => {
    const c = await clinic();
    await call('PATCH', '/api/v1/organisation', c.admin.cookie, { settings: { onCallSupervisorUserId: c.supervisor.userId } });
    const res = await call('POST', `/api/v1/users/${c.supervisor.userId}/deactivate`, c.admin.cookie);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('on_call_supervisor');
    expect((await call('GET', '/api/v1/me', c.supervisor.cookie)).statusCode).toBe(200);
  });

  it('reactivates a deactivated user, who can then sign in again', async () => {
    const c = await clinic();
    const person = await ctx.buildStaff(c.org.id, 'clinician', { password: 'the right passphrase' });
    await call('POST', `/api/v1/users/${person.userId}/deactivate`, c.admin.cookie);
    const denied = await call('POST', '/api/v1/auth/sign-in', undefined, { email: person.email, password: 'the right passphrase' });
    expect(denied.statusCode).toBe(401);
    const res = await call('POST', `/api/v1/users/${person.userId}/reactivate`, c.admin.cookie);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'active', deactivatedAt: null });
    const signIn = await call('POST', '/api/v1/auth/sign-in', undefined, { email: person.email, password: 'the right passphrase' });
    expect(signIn.statusCode).toBe(200);
    const again = await call('POST', `/api/v1/users/${person.userId}/reactivate`, c.admin.cookie);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('not_deactivated');
    expect(await auditFor(c.org.id, 'user.reactivate')).toHaveLength(1);
  });

  it('resets MFA: clears the secret and recovery codes and ends the user\'s sessions, audited', async () => {
    const c = await clinic();
    await ctx.db.update(users).set({ mfaSecret: 'v1.x.y.z', mfaEnabledAt: ctx.clock.now() }).where(eq(users.id, c.clinician.userId));
    await ctx.db.insert(recoveryCodes).values({ userId: c.clinician.userId, codeHash: 'abc' });
    expect((await call('GET', '/api/v1/users', c.admin.cookie)).json().items).toContainEqual(expect.objectContaining({ id: c.clinician.userId, mfaEnabled: true }));
    const res = await call('POST', `/api/v1/users/${c.clinician.userId}/mfa-reset`, c.admin.cookie);
    expect(res.statusCode).toBe(200);
    expect(res.json().mfaEnabled).toBe(false);
    const [user] = await ctx.db.select().from(users).where(eq(users.id, c.clinician.userId));
    expect(user).toMatchObject({ mfaSecret: null, mfaEnabledAt: null });
    expect(await ctx.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, c.clinician.userId))).toEqual([]);
    expect((await call('GET', '/api/v1/me', c.clinician.cookie)).statusCode).toBe(401);
    expect(await auditFor(c.org.id, 'user.mfa_reset')).toEqual([expect.objectContaining({ entityId: c.clinician.userId })]);
  });

  it('sends a password reset email whose link sets a new password', async () => {
    const c = await clinic();
    const person = await ctx.buildStaff(c.org.id, 'clinician', { password: 'the old passphrase' });
    const before = ctx.smtp.messages.length;
    const res = await call('POST', `/api/v1/users/${person.userId}/password-reset`, c.admin.cookie);
    expect(res.statusCode).toBe(200);
    const { mail, token } = await tokenFromNextEmail(before, 'reset-password');
    expect(mail.to).toEqual([person.email]);
    expect(mail.subject).toBe('Reset your Rapport password');
    const done = await call('POST', '/api/v1/auth/password-reset/complete', undefined, { token, password: 'the new passphrase' });
    expect(done.statusCode).toBe(204);
    expect((await call('POST', '/api/v1/auth/sign-in', undefined, { email: person.email, password: 'the new passphrase' })).statusCode).toBe(200);
    expect(await auditFor(c.org.id, 'user.password_reset_sent')).toEqual([expect.objectContaining({ entityId: person.userId })]);
  });

  it('does not send a password reset to a deactivated member', async () => {
    const c = await clinic();
    await ctx.deactivate(c.org.id, c.clinician.userId);
    const res = await call('POST', `/api/v1/users/${c.clinician.userId}/password-reset`, c.admin.cookie);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('not_active');
  });

  const userRoutes: Array<[Method, string, object?]> = [
    ['PATCH', '', { trainee: true }],
    ['POST', '/deactivate'],
    ['POST', '/reactivate'],
    ['POST', '/mfa-reset'],
    ['POST', '/password-reset'],
  ];

  it.each(userRoutes)('hides another organisation\'s user as 404 on %s …%s', async (method, suffix, payload) => {
    const c = await clinic();
    const other = await clinic();
    const res = await call(method, `/api/v1/users/${other.clinician.userId}${suffix}`, c.admin.cookie, payload);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such user.' } });
    expect((await ctx.db.select().from(memberships).where(eq(memberships.userId, other.clinician.userId)))[0]).toMatchObject({ status: 'active', trainee: true });
  });

  it.each(userRoutes)('forbids a supervisor %s …%s', async (method, suffix, payload) => {
    const c = await clinic();
    const res = await call(method, `/api/v1/users/${c.clinician.userId}${suffix}`, c.supervisor.cookie, payload);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
  });
});

describe('my settings', () => {
  it('lets any staff member set their locale and their calibration consent for this clinic, audited', async () => {
    const c = await clinic();
    const res = await call('PATCH', '/api/v1/me/settings', c.clinician.cookie, { locale: 'fr', calibrationConsent: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ locale: 'fr', calibrationConsent: true });
    expect((await call('GET', '/api/v1/me', c.clinician.cookie)).json().user.locale).toBe('fr');
    expect((await call('GET', '/api/v1/users', c.admin.cookie)).json().items).toContainEqual(expect.objectContaining({ id: c.clinician.userId, calibrationConsent: true }));
    expect(await auditFor(c.org.id, 'user.settings.update')).toEqual([expect.objectContaining({ actorId: c.clinician.userId, entityType: 'user', entityId: c.clinician.userId })]);
  });

  it('shows each staff member their own settings in this clinic, consent off until they turn it on', async () => {
    const c = await clinic();
    const before = await call('GET', '/api/v1/me/settings', c.clinician.cookie);
    expect(before.statusCode).toBe(200);
    expect(before.json()).toEqual({ locale: 'en', calibrationConsent: false, alertMobile: null, smsUrgentAlerts: false, smsUrgentAlertsSetAt: null, smsAvailable: false });
    await call('PATCH', '/api/v1/me/settings', c.clinician.cookie, { calibrationConsent: true });
    expect((await call('GET', '/api/v1/me/settings', c.clinician.cookie)).json()).toMatchObject({ locale: 'en', calibrationConsent: true });
    expect((await call('GET', '/api/v1/me/settings', c.supervisor.cookie)).json()).toMatchObject({ locale: 'en', calibrationConsent: false });
    expect((await call('GET', '/api/v1/me/settings', undefined)).statusCode).toBe(401);
  });

  it.each([
    [{ locale: 'de' }, 'locale'],
    [{ calibrationConsent: 'yes' }, 'calibrationConsent'],
    [{ role: 'admin' }, 'role'],
  ])('refuses %j naming the field', async (payload, field) => {
    const c = await clinic();
    const res = await call('PATCH', '/api/v1/me/settings', c.clinician.cookie, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field });
  });

  it('refuses a caller who is not signed in', async () => {
    const res = await call('PATCH', '/api/v1/me/settings', undefined, { locale: 'fr' });
    expect(res.statusCode).toBe(401);
  });
});

describe('my urgent-alert texts', () => {
  const settingsOf = async (userId: string) =>
    (await ctx.db.select({ alertMobile: users.alertMobile, smsUrgentAlerts: users.smsUrgentAlerts, setAt: users.smsUrgentAlertsSetAt }).from(users).where(eq(users.id, userId)))[0]!;

  it('stores my own mobile in international format and my consent with when I gave it, audited without the number', async () => {
    const c = await clinic();
    const now = ctx.clock.now();
    const res = await call('PATCH', '/api/v1/me/settings', c.clinician.cookie, { alertMobile: '+44 (7700) 900-555', smsUrgentAlerts: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ locale: 'en', calibrationConsent: false, alertMobile: '+447700900555', smsUrgentAlerts: true, smsUrgentAlertsSetAt: now.toISOString(), smsAvailable: false });
    expect(await settingsOf(c.clinician.userId)).toEqual({ alertMobile: '+447700900555', smsUrgentAlerts: true, setAt: now });
    expect((await call('GET', '/api/v1/me/settings', c.clinician.cookie)).json()).toMatchObject({ alertMobile: '+447700900555', smsUrgentAlerts: true });
    const audit = await auditFor(c.org.id, 'user.settings.update');
    expect(audit).toEqual([expect.objectContaining({ actorId: c.clinician.userId, entityType: 'user', entityId: c.clinician.userId, outcome: 'success' })]);
    expect(JSON.stringify(audit)).not.toContain('900555');
    expect(ctx.logs()).not.toContain('900555');
    expect(ctx.logs()).not.toContain('900-555');
  });

  it('keeps when consent was given while only the number changes, and records when it is withdrawn', async () => {
    const c = await clinic();
    const given = ctx.clock.now();
    await call('PATCH', '/api/v1/me/settings', c.clinician.cookie, { alertMobile: '+447700900556', smsUrgentAlerts: true });
    ctx.clock.advanceMinutes(1);
    const changed = await call('PATCH', '/api/v1/me/settings', c.clinician.cookie, { alertMobile: '+33 6 12 34 56 78' });
    expect(changed.json()).toMatchObject({ alertMobile: '+33612345678', smsUrgentAlerts: true, smsUrgentAlertsSetAt: given.toISOString() });
    ctx.clock.advanceMinutes(1);
    const off = await call('PATCH', '/api/v1/me/settings', c.clinician.cookie, { smsUrgentAlerts: false });
    expect(off.json()).toMatchObject({ alertMobile: '+33612345678', smsUrgentAlerts: false, smsUrgentAlertsSetAt: ctx.clock.now().toISOString() });
    const removed = await call('PATCH', '/api/v1/me/settings', c.clinician.cookie, { alertMobile: null });
    expect(removed.json()).toMatchObject({ alertMobile: null, smsUrgentAlerts: false });
    expect(await auditFor(c.org.id, 'user.settings.update')).toHaveLength(4);
  });

  it('is my own setting only: another staff member of the clinic does not see it', async () => {
    const c = await clinic();
    await call('PATCH', '/api/v1/me/settings', c.clinician.cookie, { alertMobile: '+447700900557', smsUrgentAlerts: true });
    expect((await call('GET', '/api/v1/me/settings', c.supervisor.cookie)).json()).toMatchObject({ alertMobile: null, smsUrgentAlerts: false });
    const listed = await call('GET', '/api/v1/users', c.admin.cookie);
    expect(listed.body).not.toContain('900557');
  });

  it.each([
    ['a number without the country code', { alertMobile: '07700 900123' }],
    ['letters', { alertMobile: '+44 7700 CALLME' }],
    ['an empty number', { alertMobile: '' }],
    ['too many digits', { alertMobile: '+4477009001234567' }],
  ])('refuses %s with 400 validation_failed on alertMobile, and changes nothing', async (_case, payload) => {
    const c = await clinic();
    const res = await call('PATCH', '/api/v1/me/settings', c.clinician.cookie, { ...payload, smsUrgentAlerts: true });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'validation_failed', message: 'Enter the mobile number in international format, e.g. +44 7700 900123.', field: 'alertMobile' } });
    expect(await settingsOf(c.clinician.userId)).toEqual({ alertMobile: null, smsUrgentAlerts: false, setAt: null });
    expect(ctx.logs()).not.toContain('CALLME');
  });

  it('refuses consent to texts without a number with 400 alert_mobile_required, and changes nothing', async () => {
    const c = await clinic();
    const res = await call('PATCH', '/api/v1/me/settings', c.clinician.cookie, { smsUrgentAlerts: true, locale: 'fr' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'alert_mobile_required', message: 'Enter your mobile number to be texted about urgent items.', field: 'alertMobile' } });
    await call('PATCH', '/api/v1/me/settings', c.clinician.cookie, { alertMobile: '+447700900558', smsUrgentAlerts: true });
    const removing = await call('PATCH', '/api/v1/me/settings', c.clinician.cookie, { alertMobile: null });
    expect(removing.statusCode).toBe(400);
    expect(removing.json().error.code).toBe('alert_mobile_required');
    expect(await settingsOf(c.clinician.userId)).toMatchObject({ alertMobile: '+447700900558', smsUrgentAlerts: true });
    expect((await call('GET', '/api/v1/me', c.clinician.cookie)).json().user.locale).toBe('en');
    expect(await auditFor(c.org.id, 'user.settings.update')).toHaveLength(1);
  });

  it('refuses a consent that is not a boolean', async () => {
    const c = await clinic();
    const res = await call('PATCH', '/api/v1/me/settings', c.clinician.cookie, { smsUrgentAlerts: 'yes' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field: 'smsUrgentAlerts' });
  });
});
