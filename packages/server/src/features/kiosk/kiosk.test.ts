import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context';
import { auditEvents, kioskCodes, kioskDevices } from '../../db/schema';

let ctx: TestContext;
let orgId: string;
let admin: Awaited<ReturnType<TestContext['buildStaff']>>;
let clinician: Awaited<ReturnType<TestContext['buildStaff']>>;

beforeAll(async () => {
  ctx = await createTestContext();
  orgId = (await ctx.buildOrganisation()).id;
  admin = await ctx.buildStaff(orgId, 'admin');
  clinician = await ctx.buildStaff(orgId, 'clinician');
});
afterAll(() => ctx.close());

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const cookieOf = (res: { headers: Record<string, unknown> }, name: string) =>
  ([res.headers['set-cookie'] ?? []].flat() as string[]).find((c) => c.startsWith(`${name}=`))?.split(';')[0] ?? '';

/** A registered device set up through `/kiosk/setup`; returns its id and kiosk cookie. */
async function setUpDevice() {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/kiosk-devices', headers: { cookie: admin.cookie }, payload: { name: 'Waiting room tablet' } });
  expect(res.statusCode).toBe(201);
  const { id, token, setupUrl } = res.json() as { id: string; token: string; setupUrl: string };
  expect(setupUrl).toBe(`http://rapport.test/kiosk/setup#token=${token}`);
  const setup = await ctx.app.inject({ method: 'POST', url: '/kiosk/setup', headers: form, payload: `token=${encodeURIComponent(token)}` });
  expect(setup.statusCode).toBe(200);
  expect(String(setup.headers['set-cookie'])).toMatch(/rapport_kiosk=[^;]+; Max-Age=\d+; Path=\/kiosk; HttpOnly; SameSite=Strict/);
  return { id, cookie: cookieOf(setup, 'rapport_kiosk') };
}

async function assignmentWithCode() {
  const client = await ctx.buildClient(orgId, {}, [clinician.userId]);
  const assignment = await ctx.buildAssignment(orgId, client.id, { channel: 'kiosk', status: 'scheduled', sentAt: null, expiresAt: null });
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/clients/${client.id}/assignments/${assignment.id}/kiosk-code`, headers: { cookie: clinician.cookie } });
  expect(res.statusCode).toBe(201);
  return { client, assignment, code: (res.json() as { code: string }).code };
}

const enter = (device: string, code: string) => ctx.app.inject({ method: 'POST', url: '/kiosk/code', headers: { ...form, cookie: device }, payload: `code=${code}` });

describe('kiosk devices', () => {
  it('shows the device token once, then lists devices without it; only admins manage them', async () => {
    const { id } = await setUpDevice();
    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/kiosk-devices', headers: { cookie: admin.cookie } });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toContainEqual({ id, name: 'Waiting room tablet', locked: false, failedAttempts: 0, revoked: false, createdAt: expect.any(String) });
    expect(list.body).not.toMatch(/token/i);
    const denied = await ctx.app.inject({ method: 'POST', url: '/api/v1/kiosk-devices', headers: { cookie: clinician.cookie }, payload: { name: 'x' } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
  });

  it('shows the code screen only on a set-up device', async () => {
    const { cookie } = await setUpDevice();
    const ok = await ctx.app.inject({ method: 'GET', url: '/kiosk', headers: { cookie } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('<label for="code">');
    const bare = await ctx.app.inject({ method: 'GET', url: '/kiosk' });
    expect(bare.statusCode).toBe(401);
    expect(bare.body).toContain('This device is not ready');
  });

  it('stops a revoked device at once', async () => {
    const { id, cookie } = await setUpDevice();
    const del = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/kiosk-devices/${id}`, headers: { cookie: admin.cookie } });
    expect(del.statusCode).toBe(204);
    expect((await ctx.app.inject({ method: 'GET', url: '/kiosk', headers: { cookie } })).statusCode).toBe(401);
  });
});

describe('kiosk codes', () => {
  it('opens the questionnaire with a 6-digit code stored only as an HMAC, in kiosk mode', async () => {
    const device = await setUpDevice();
    const { code, assignment, client } = await assignmentWithCode();
    expect(code).toMatch(/^\d{6}$/);
    const [stored] = await ctx.db.select().from(kioskCodes).where(eq(kioskCodes.assignmentId, assignment.id));
    expect(stored!.codeHash).not.toContain(code);
    expect(stored!.expiresAt.getTime() - ctx.clock.now().getTime()).toBe(30 * 60_000);

    const res = await enter(device.cookie, code);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/q');
    const q = await ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie: cookieOf(res, 'rapport_q') } });
    expect(q.statusCode).toBe(200);
    expect(q.body).not.toContain('/q/stop');
    const [event] = await ctx.db.select().from(auditEvents).where(eq(auditEvents.action, 'kiosk.code.redeem'));
    expect(event).toMatchObject({ actorKind: 'kiosk', actorId: device.id, clientId: client.id, outcome: 'success' });
  });

  it('accepts a code once', async () => {
    const device = await setUpDevice();
    const { code } = await assignmentWithCode();
    expect((await enter(device.cookie, code)).statusCode).toBe(303);
    const again = await enter(device.cookie, code);
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('That code did not work');
  });

  it('refuses a code after 30 minutes', async () => {
    const device = await setUpDevice();
    const { code } = await assignmentWithCode();
    ctx.clock.advanceMinutes(30);
    const res = await enter(device.cookie, code);
    // Back again, so the staff sessions of the other tests stay inside their 30-minute idle limit.
    ctx.clock.advanceMinutes(-30);
    expect(res.statusCode).toBe(400);
  });

  it('locks the device after 5 wrong codes until an admin unlocks it', async () => {
    const device = await setUpDevice();
    const { code } = await assignmentWithCode();
    const wrong = code === '000000' ? '000001' : '000000';
    for (let i = 1; i <= 4; i++) expect((await enter(device.cookie, wrong)).statusCode).toBe(400);
    const fifth = await ctx.app.inject({ method: 'POST', url: '/kiosk/code', headers: { cookie: device.cookie, 'content-type': 'application/json' }, payload: { code: wrong } });
    expect(fifth.statusCode).toBe(403);
    expect(fifth.json()).toEqual({ error: { code: 'kiosk_locked', message: expect.any(String) } });
    const [row] = await ctx.db.select().from(kioskDevices).where(eq(kioskDevices.id, device.id));
    expect(row).toMatchObject({ failedAttempts: 5, lockedAt: expect.any(Date) });

    const right = await enter(device.cookie, code);
    expect(right.statusCode).toBe(401);
    expect(right.body).toContain('This device is not ready');

    const unlock = await ctx.app.inject({ method: 'POST', url: `/api/v1/kiosk-devices/${device.id}/unlock`, headers: { cookie: admin.cookie } });
    expect(unlock.statusCode).toBe(200);
    expect(unlock.json()).toMatchObject({ locked: false, failedAttempts: 0 });
    expect((await enter(device.cookie, code)).statusCode).toBe(303);
  });

  it("does not accept another clinic's code", async () => {
    const otherOrg = await ctx.buildOrganisation();
    const otherAdmin = await ctx.buildStaff(otherOrg.id, 'admin');
    const reg = await ctx.app.inject({ method: 'POST', url: '/api/v1/kiosk-devices', headers: { cookie: otherAdmin.cookie }, payload: { name: 'Other' } });
    const setup = await ctx.app.inject({ method: 'POST', url: '/kiosk/setup', headers: form, payload: `token=${encodeURIComponent(reg.json().token as string)}` });
    const { code } = await assignmentWithCode();
    expect((await enter(cookieOf(setup, 'rapport_kiosk'), code)).statusCode).toBe(400);
  });

  it.each([
    ['a clinician off the care team', async () => (await ctx.buildStaff(orgId, 'clinician')).cookie, 404, 'not_found'],
    ['anyone signed out', async () => '', 401, 'unauthorized'],
  ])('hides the code route from %s', async (_case, cookie, status, code) => {
    const client = await ctx.buildClient(orgId, {}, [clinician.userId]);
    const assignment = await ctx.buildAssignment(orgId, client.id);
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/clients/${client.id}/assignments/${assignment.id}/kiosk-code`, headers: { cookie: await cookie() } });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('makes no code for a completed questionnaire', async () => {
    const client = await ctx.buildClient(orgId, {}, [clinician.userId]);
    const assignment = await ctx.buildAssignment(orgId, client.id, { status: 'completed' });
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/clients/${client.id}/assignments/${assignment.id}/kiosk-code`, headers: { cookie: clinician.cookie } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: { code: 'questionnaire_closed', message: expect.any(String) } });
  });
});

describe('in session', () => {
  it("opens the questionnaire in the clinician's browser, locked to the client, and ends with 'hand the device back'", async () => {
    const client = await ctx.buildClient(orgId, {}, [clinician.userId]);
    const assignment = await ctx.buildAssignment(orgId, client.id, { channel: 'in_session', status: 'scheduled' });
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/clients/${client.id}/assignments/${assignment.id}/in-session`, headers: { cookie: clinician.cookie } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ url: '/q?mode=handoff' });
    const both = `${clinician.cookie}; ${cookieOf(res, 'rapport_q')}`;
    const q = await ctx.app.inject({ method: 'GET', url: '/q?mode=handoff', headers: { cookie: both } });
    expect(q.statusCode).toBe(200);
    expect(q.body).not.toMatch(/href="(?!\/q\/|#|data:)/);
    const answers = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`phq9_${i + 1}`, 0]));
    const submit = await ctx.app.inject({ method: 'POST', url: '/q/submit', headers: { cookie: both, 'content-type': 'application/json' }, payload: { submissionId: randomUUID(), answers: { phq9: answers } } });
    expect(submit.statusCode).toBe(200);
    const done = await ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie: both } });
    expect(done.body).toContain('Please hand the device back.');
    expect(done.body).not.toMatch(/<a /);
    // Shown once: the session ends with the thank-you page.
    expect((await ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie: both } })).statusCode).toBe(401);
  });

  it('is for clinicians on the care team', async () => {
    const client = await ctx.buildClient(orgId, {}, [clinician.userId]);
    const assignment = await ctx.buildAssignment(orgId, client.id);
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/clients/${client.id}/assignments/${assignment.id}/in-session`, headers: { cookie: admin.cookie } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
  });
});
