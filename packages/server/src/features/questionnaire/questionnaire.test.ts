import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context';
import { alerts, assignments, auditEvents, clientConsents, episodes, jobs, linkSessions, organisations, responses } from '../../db/schema';
import { submitAtOnce } from './questionnaire.submit';
import { episodeHistoryColumn } from '../alerts/alert-engine';
import { hashToken } from '../../lib/crypto';
import { insertOrgInstrumentVersion } from '../instruments/instruments.queries';
import { issueLink } from '../assignments/assignment-links';
import { invalidLinkPage } from './questionnaire.pages';
import { themeCss } from './questionnaire.assets';

let ctx: TestContext;
let orgId: string;
let clinician: Awaited<ReturnType<TestContext['buildStaff']>>;

beforeAll(async () => {
  ctx = await createTestContext();
  const org = await ctx.buildOrganisation({ name: 'Riverside Therapy' });
  orgId = org.id;
  clinician = await ctx.buildStaff(orgId, 'clinician');
});
afterAll(() => ctx.close());

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const json = { 'content-type': 'application/json', accept: 'application/json' };

async function newAssignment(overrides: Parameters<TestContext['buildAssignment']>[2] = {}, clientOverrides: Parameters<TestContext['buildClient']>[1] = {}) {
  const client = await ctx.buildClient(orgId, clientOverrides, [clinician.userId]);
  const assignment = await ctx.buildAssignment(orgId, client.id, overrides);
  const token = await issueLink(ctx.db, { orgId, assignmentId: assignment.id, now: ctx.clock.now() });
  return { client, assignment, token };
}

/** Posts the token as the open page does; returns the response and the `rapport_q` cookie header. */
async function open(token: string, remoteAddress?: string) {
  const res = await ctx.app.inject({ method: 'POST', url: '/q/open', headers: form, payload: `token=${encodeURIComponent(token)}`, ...(remoteAddress ? { remoteAddress } : {}) });
  const set = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('rapport_q='));
  return { res, cookie: set ? set.split(';')[0]! : '' };
}

function answer(cookie: string, itemId: string, value: number | null, instrumentId = 'phq9') {
  return ctx.app.inject({ method: 'PUT', url: '/q/answers', headers: { ...json, cookie }, payload: { instrumentId, itemId, value } });
}

function submit(cookie: string, answers: Record<string, number | null>, submissionId = randomUUID()) {
  return ctx.app.inject({ method: 'POST', url: '/q/submit', headers: { ...json, cookie }, payload: { submissionId, answers: { phq9: answers } } });
}

const allNine = (value: number, item9 = value) => Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`phq9_${i + 1}`, i === 8 ? item9 : value]));

describe('link exchange', () => {
  it('exchanges the token for a link session and redirects to /q without the token', async () => {
    const { token, assignment } = await newAssignment();
    const page = await ctx.app.inject({ method: 'GET', url: `/q/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('action="/q/open"');
    expect(page.headers['referrer-policy']).toBe('no-referrer');

    const { res, cookie } = await open(token);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/q');
    expect(res.headers.location).not.toContain(token);
    expect(String(res.headers['set-cookie'])).toMatch(/rapport_q=[^;]+; Path=\/q; HttpOnly; SameSite=Lax/);
    expect(cookie).not.toContain(token);
    const [row] = await ctx.db.select().from(assignments).where(eq(assignments.id, assignment.id));
    expect(row!.status).toBe('opened');

    const q = await ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie } });
    expect(q.statusCode).toBe(200);
    expect(q.body).toContain('Riverside Therapy');
    expect(q.body).toContain('Little interest or pleasure in doing things');
  });

  it.each([
    ['accepts', 'same-origin', 303],
    ['refuses', 'cross-site', 403],
  ])('%s a form post with Origin: null (no-referrer) when the browser says %s', async (_verb, site, status) => {
    const { token } = await newAssignment();
    const res = await ctx.app.inject({ method: 'POST', url: '/q/open', headers: { ...form, origin: 'null', 'sec-fetch-site': site }, payload: `token=${token}` });
    expect(res.statusCode).toBe(status);
  });

  it('does not spend or open anything on a GET of the link (link scanners)', async () => {
    const { token, assignment } = await newAssignment();
    await ctx.app.inject({ method: 'GET', url: `/q/${token}` });
    const [row] = await ctx.db.select().from(assignments).where(eq(assignments.id, assignment.id));
    expect(row!.status).toBe('sent');
    expect(await ctx.db.select().from(linkSessions).where(eq(linkSessions.assignmentId, assignment.id))).toHaveLength(0);
  });

  it('ends the earlier session when the link is opened again', async () => {
    const { token } = await newAssignment();
    const first = await open(token);
    const second = await open(token);
    const old = await ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie: first.cookie } });
    expect(old.statusCode).toBe(401);
    expect(old.body).toBe(invalidLinkPage('en'));
    const oldSave = await answer(first.cookie, 'phq9_1', 1);
    expect(oldSave.statusCode).toBe(401);
    expect(oldSave.json()).toEqual({ error: { code: 'link_session_required', message: expect.any(String) } });
    const fresh = await ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie: second.cookie } });
    expect(fresh.statusCode).toBe(200);
  });

  it.each([
    ['unknown', async () => 'A'.repeat(43)],
    ['tampered', async () => (await newAssignment()).token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))],
    ['expired', async () => (await newAssignment({ expiresAt: new Date(ctx.clock.now().getTime() - 1000) })).token],
    ['completed', async () => (await newAssignment({ status: 'completed', completedAt: ctx.clock.now() })).token],
    ['cancelled', async () => (await newAssignment({ status: 'cancelled', cancelledAt: ctx.clock.now() })).token],
  ])('shows the same friendly page for a %s link', async (_case, makeToken) => {
    const token = await makeToken();
    const page = await ctx.app.inject({ method: 'GET', url: `/q/${token}` });
    expect(page.statusCode).toBe(404);
    expect(page.body).toBe(invalidLinkPage('en'));
    expect(page.body).toContain('contact your clinic');
    const posted = await open(token);
    expect(posted.res.statusCode).toBe(404);
    expect(posted.res.body).toBe(invalidLinkPage('en'));
    expect(posted.cookie).toBe('');
  });

  it('keeps a session 2 hours after its last use, touched at most once a minute', async () => {
    const { token } = await newAssignment();
    const { cookie } = await open(token, '192.0.2.11');
    const [started] = await ctx.db.select().from(linkSessions).where(eq(linkSessions.tokenHash, hashToken(cookie.split('=')[1]!)));
    const read = () => ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie } });
    const session = async () => (await ctx.db.select().from(linkSessions).where(eq(linkSessions.id, started!.id)))[0]!;
    ctx.clock.advanceMinutes(0.5);
    expect((await read()).statusCode).toBe(200);
    expect((await session()).lastSeenAt).toEqual(started!.lastSeenAt); // used again within a minute: not written
    ctx.clock.advanceMinutes(119);
    expect((await read()).statusCode).toBe(200);
    expect((await session()).lastSeenAt).toEqual(ctx.clock.now());
    ctx.clock.advanceMinutes(119);
    expect((await read()).statusCode).toBe(200); // 3 h 58 min after it started, but in use
    ctx.clock.advanceMinutes(121);
    expect((await read()).statusCode).toBe(401);
  });

  it('keeps the token out of the logs (route patterns only)', async () => {
    const { token } = await newAssignment();
    await ctx.app.inject({ method: 'GET', url: `/q/${token}` });
    await open(token);
    await ctx.app.inject({ method: 'GET', url: `/q/${token}/stop` });
    expect(ctx.logs()).toContain('"route":"/q/:token"');
    expect(ctx.logs()).not.toContain(token);
  });

  it('limits link requests per IP address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await ctx.app.inject({ method: 'GET', url: `/q/${'B'.repeat(43)}`, remoteAddress: '10.9.8.7' })).statusCode);
    expect(statuses.slice(0, 30).every((s) => s === 404)).toBe(true);
    expect(statuses[30]).toBe(429);
    const other = await ctx.app.inject({ method: 'GET', url: `/q/${'B'.repeat(43)}`, remoteAddress: '10.9.8.6' });
    expect(other.statusCode).toBe(404);
  });

  it('speaks French to a French-speaking client', async () => {
    const { token } = await newAssignment({}, { language: 'fr' });
    const { cookie } = await open(token);
    const q = await ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie } });
    expect(q.body).toContain('<html lang="fr">');
    expect(q.body).toContain('0 sur 9 répondues');
    // PHQ-9 ships English wording only: the items fall back to English.
    expect(q.body).toContain('Little interest or pleasure in doing things');
  });
});

describe('the questionnaire page', () => {
  it('renders each item as a fieldset with a legend and a label for every radio, without inline script or style', async () => {
    const { token } = await newAssignment();
    const { cookie } = await open(token);
    const q = await ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie } });
    expect(q.body.match(/<fieldset/g)).toHaveLength(10);
    expect(q.body.match(/<legend>/g)).toHaveLength(10);
    const radios = [...q.body.matchAll(/<input type="radio" id="([^"]+)"/g)].map((m) => m[1]);
    expect(radios).toHaveLength(40);
    for (const id of radios) expect(q.body).toContain(`<label for="${id}">`);
    expect(q.body).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(q.body).not.toMatch(/\sstyle=/);
    expect(q.body).toContain('0 of 9 answered');
    expect(q.body).toContain('not watched around the clock');
    expect(q.headers['cache-control']).toBe('no-store');
    expect(q.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('shows the friendly page (410) and refuses autosave once the questionnaire expired', async () => {
    const { token } = await newAssignment({ expiresAt: new Date(ctx.clock.now().getTime() + 60_000) });
    const { cookie } = await open(token);
    ctx.clock.advanceMinutes(2);
    const page = await ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie } });
    expect(page.statusCode).toBe(410);
    expect(page.body).toBe(invalidLinkPage('en'));
    const save = await answer(cookie, 'phq9_1', 1);
    expect(save.statusCode).toBe(410);
    expect(save.json()).toEqual({ error: { code: 'questionnaire_closed', message: expect.any(String) } });
  });

  it.each([
    ['#2F6F8F', '#fff'],
    ['#FFD23F', '#000'],
    ['#000000', '#fff'],
    ['#FFFFFF', '#000'],
  ])('gives the clinic colour %s the text colour with more contrast (%s)', (colour, text) => {
    expect(themeCss(colour)).toBe(`:root{--brand:${colour.toLowerCase()};--on-brand:${text}}\n`);
  });

  it('serves its script and stylesheet as cacheable static files', async () => {
    for (const [url, type] of [
      ['/q/app.js', 'text/javascript'],
      ['/q/app.css', 'text/css'],
      ['/q/theme.css?c=2F6F8F', 'text/css'],
    ] as const) {
      const res = await ctx.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain(type);
      expect(res.headers['cache-control']).toContain('max-age=31536000');
    }
    const js = await ctx.app.inject({ method: 'GET', url: '/q/app.js' });
    expect(js.body).not.toMatch(/localStorage|sessionStorage|indexedDB|document\.cookie/);
  });
});

describe('autosave', () => {
  it('saves an answer into the in-progress response, and a new session shows it', async () => {
    const { token, assignment } = await newAssignment();
    const first = await open(token);
    const saved = await answer(first.cookie, 'phq9_3', 2);
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toEqual({ saved: true });
    expect((await answer(first.cookie, 'phq9_1', 1)).statusCode).toBe(200);
    const rows = await ctx.db.select().from(responses).where(eq(responses.assignmentId, assignment.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('in_progress');
    expect(rows[0]!.answers).toEqual({ phq9_1: 1, phq9_3: 2 });
    const [a] = await ctx.db.select().from(assignments).where(eq(assignments.id, assignment.id));
    expect(a!.status).toBe('in_progress');

    const second = await open(token);
    const q = await ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie: second.cookie } });
    expect(q.body).toMatch(/name="phq9\.phq9_3" value="2" checked/);
    expect(q.body).toMatch(/name="phq9\.phq9_1" value="1" checked/);
    expect(q.body).toContain('2 of 9 answered');
  });

  it.each([
    ['a value that is not an option', { instrumentId: 'phq9', itemId: 'phq9_3', value: 7 }, 'answers.phq9.phq9_3', 'invalid_answer'],
    ['an unknown item', { instrumentId: 'phq9', itemId: 'phq9_99', value: 1 }, 'answers.phq9.phq9_99', 'unknown_item'],
    ['an instrument not in this questionnaire', { instrumentId: 'gad7', itemId: 'gad7_1', value: 1 }, 'instrumentId', 'unknown_instrument'],
  ])('refuses %s with a 400 naming it', async (_case, body, field, code) => {
    const { token } = await newAssignment();
    const { cookie } = await open(token);
    const res = await answer(cookie, body.itemId, body.value, body.instrumentId);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code, field, message: expect.any(String) } });
  });
});

describe('submit', () => {
  it('scores, completes and answers the same submission id twice with the first result and one set of rows', async () => {
    const { token, assignment } = await newAssignment();
    const { cookie } = await open(token);
    await answer(cookie, 'phq9_1', 3);
    const submissionId = randomUUID();
    const first = await submit(cookie, allNine(1, 0), submissionId);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ status: 'completed', riskFlagged: false, next: '/q' });
    const again = await submit(cookie, allNine(3, 3), submissionId);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());

    const rows = await ctx.db.select().from(responses).where(eq(responses.assignmentId, assignment.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'completed', submissionId, total: '8', bandId: 'mild', scorerVersion: '1.0.0', channel: 'email', flags: [] });
    const [a] = await ctx.db.select().from(assignments).where(eq(assignments.id, assignment.id));
    expect(a!.status).toBe('completed');
    expect(await ctx.db.select().from(alerts).where(eq(alerts.clientId, assignment.clientId))).toHaveLength(0);
    // The retry is audited as a replay: the submission itself has exactly one submit event.
    const events = await ctx.db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.entityId, assignment.id));
    expect(events.map((e) => e.action).filter((a) => a.startsWith('questionnaire.submit')).sort()).toEqual(['questionnaire.submit', 'questionnaire.submit_replay']);

    const other = await submit(cookie, allNine(1, 0));
    expect(other.statusCode).toBe(409);
    expect(other.json()).toEqual({ error: { code: 'already_submitted', message: expect.any(String) } });
    const done = await ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie } });
    expect(done.body).toContain('Your answers are saved');
    expect(done.body).not.toContain('Help is available now');
  });

  it('accepts a plain form post (no script) and redirects to the thank-you page', async () => {
    const { token, assignment } = await newAssignment();
    const { cookie } = await open(token);
    const fields = Object.entries(allNine(0)).map(([k, v]) => `phq9.${k}=${v}`);
    const res = await ctx.app.inject({ method: 'POST', url: '/q/submit', headers: { ...form, cookie }, payload: [`submissionId=${randomUUID()}`, ...fields].join('&') });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/q');
    const [row] = await ctx.db.select().from(responses).where(eq(responses.assignmentId, assignment.id));
    expect(row!.total).toBe('0');
  });

  // These open from their own address: /q/open allows 30 a minute from one.
  it("writes the urgent alert's notification and escalation jobs with the submission", async () => {
    const { token, assignment } = await newAssignment();
    const { cookie } = await open(token, '192.0.2.10');
    expect((await submit(cookie, allNine(0, 1))).statusCode).toBe(200);
    const [alert] = await ctx.db.select().from(alerts).where(eq(alerts.clientId, assignment.clientId));
    const [response] = await ctx.db.select().from(responses).where(eq(responses.assignmentId, assignment.id));
    expect(alert).toMatchObject({ kind: 'risk_item', responseId: response!.id, evidenceKey: `response:${response!.id}:phq9_9`, createdAt: ctx.clock.now() });
    const queued = await ctx.db.select().from(jobs).where(eq(jobs.orgId, orgId));
    const mine = queued.filter((j) => j.key.startsWith(`alert:${alert!.id}:`)).sort((a, b) => a.key.localeCompare(b.key));
    // Not raised outside working hours with an on-call supervisor: the supervisors hear after the default 4 hours.
    expect(mine.map((j) => [j.kind, j.key, j.runAt.getTime(), j.payload])).toEqual([
      ['alert.escalate', `alert:${alert!.id}:escalate`, ctx.clock.now().getTime() + 4 * 3_600_000, { alertId: alert!.id, to: 'supervisors' }],
      ['alert.notify_urgent', `alert:${alert!.id}:urgent`, ctx.clock.now().getTime(), { alertId: alert!.id }],
    ]);
    const [a] = await ctx.db.select().from(assignments).where(eq(assignments.id, assignment.id));
    expect(a).toMatchObject({ status: 'completed', completedAt: ctx.clock.now() });
  });

  it('answers two submits of the same id at the same time with one result, one set of rows and one submit event', async () => {
    const { token, assignment } = await newAssignment();
    const { cookie } = await open(token, '192.0.2.10');
    const submissionId = randomUUID();
    const [a, b] = await Promise.all([submit(cookie, allNine(2, 1), submissionId), submit(cookie, allNine(2, 1), submissionId)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json()).toEqual({ status: 'completed', riskFlagged: true, next: '/q' });
    expect(b.json()).toEqual(a.json());
    expect(await ctx.db.select().from(responses).where(eq(responses.assignmentId, assignment.id))).toHaveLength(1);
    expect(await ctx.db.select().from(alerts).where(eq(alerts.clientId, assignment.clientId))).toHaveLength(1);
    const events = await ctx.db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.entityId, assignment.id));
    expect(events.map((e) => e.action).filter((x) => x.startsWith('questionnaire.submit')).sort()).toEqual(['questionnaire.submit', 'questionnaire.submit_replay']);
  });

  it("refuses a submission id that another questionnaire's submit already used, and writes nothing", async () => {
    const first = await newAssignment();
    const second = await newAssignment();
    const submissionId = randomUUID();
    expect((await submit((await open(first.token, '192.0.2.10')).cookie, allNine(1), submissionId)).statusCode).toBe(200);
    const res = await submit((await open(second.token, '192.0.2.10')).cookie, allNine(1), submissionId);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'submission_id_reused', field: 'submissionId', message: expect.any(String) } });
    expect(await ctx.db.select().from(responses).where(eq(responses.assignmentId, second.assignment.id))).toHaveLength(0);
    const [a] = await ctx.db.select().from(assignments).where(eq(assignments.id, second.assignment.id));
    expect(a!.status).toBe('opened');
  });

  it('writes nothing in one statement when the questionnaire changed after the session read it (the full path decides)', async () => {
    const { token, assignment } = await newAssignment();
    const { cookie } = await open(token, '192.0.2.10');
    const [org] = await ctx.db.select().from(organisations).where(eq(organisations.id, orgId));
    const [seen] = await ctx.db.select().from(assignments).where(eq(assignments.id, assignment.id));
    const context = { assignment: seen!, settings: org!.settings, orgInstruments: [] };
    const input = { context, answers: { phq9: allNine(1, 1) }, submissionId: randomUUID(), via: 'link' as const, now: ctx.clock.now() };
    const audit = () => ({ orgId, actorKind: 'client_link' as const, actorId: null, action: 'questionnaire.submit', clientId: assignment.clientId, entityType: 'assignment', entityId: assignment.id, outcome: 'success' as const, at: ctx.clock.now() });
    // Cancelled, then expired, since the session statement read it: refused each time, nothing written.
    await ctx.db.update(assignments).set({ status: 'cancelled' }).where(eq(assignments.id, assignment.id));
    expect(await submitAtOnce(ctx.db, { ...input, audit })).toBeNull();
    await ctx.db.update(assignments).set({ status: 'opened', expiresAt: new Date(ctx.clock.now().getTime() - 1) }).where(eq(assignments.id, assignment.id));
    expect(await submitAtOnce(ctx.db, { ...input, audit })).toBeNull();
    expect(await ctx.db.select().from(responses).where(eq(responses.assignmentId, assignment.id))).toHaveLength(0);
    expect(await ctx.db.select().from(alerts).where(eq(alerts.clientId, assignment.clientId))).toHaveLength(0);
    expect(await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.entityId, assignment.id), eq(auditEvents.action, 'questionnaire.submit')))).toHaveLength(0);
    // As it was read: written at once.
    await ctx.db.update(assignments).set({ status: seen!.status, expiresAt: seen!.expiresAt }).where(eq(assignments.id, assignment.id));
    const done = await submitAtOnce(ctx.db, { ...input, audit });
    expect(done).toMatchObject({ riskFlagged: true, responseIds: [expect.any(String)], alertIds: [expect.any(String)] });
    expect(await ctx.db.select().from(responses).where(eq(responses.assignmentId, assignment.id))).toHaveLength(1);
    expect(cookie).not.toBe('');
  });

  it('decides the alert rules of a questionnaire in an episode from its history, each alert audited with the submission', async () => {
    const client = await ctx.buildClient(orgId, {}, [clinician.userId]);
    const [episode] = await ctx.db
      .insert(episodes)
      .values({ orgId, clientId: client.id, primaryClinicianId: clinician.userId, startedOn: '2026-01-05', createdAt: ctx.clock.now() })
      .returning();
    const submitIn = async (score: number) => {
      const assignment = await ctx.buildAssignment(orgId, client.id, { episodeId: episode!.id });
      const token = await issueLink(ctx.db, { orgId, assignmentId: assignment.id, now: ctx.clock.now() });
      expect((await submit((await open(token, '192.0.2.10')).cookie, allNine(score, 0))).statusCode).toBe(200);
      ctx.clock.advanceMinutes(7 * 24 * 60);
    };
    await submitIn(0);
    await submitIn(2); // PHQ-9 0 -> 16: reliable deterioration against the episode's first score
    const raised = await ctx.db.select({ id: alerts.id, kind: alerts.kind }).from(alerts).where(eq(alerts.clientId, client.id));
    expect(raised.map((r) => r.kind)).toContain('reliable_deterioration');
    const raiseEvents = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.clientId, client.id), eq(auditEvents.action, 'alert.raise')));
    expect(raiseEvents.map((e) => e.entityId).sort()).toEqual(raised.map((r) => r.id).sort());
    expect(raiseEvents.every((e) => e.actorKind === 'system' && e.entityType === 'alert' && e.outcome === 'success')).toBe(true);
    // Still deteriorated: the standing alert (read with the history) keeps it to one.
    await submitIn(2);
    const again = await ctx.db.select({ kind: alerts.kind }).from(alerts).where(eq(alerts.clientId, client.id));
    expect(again.filter((r) => r.kind === 'reliable_deterioration')).toHaveLength(1);
  });

  it("writes nothing in one statement when the episode's history changed after the session read it", async () => {
    const client = await ctx.buildClient(orgId, {}, [clinician.userId]);
    const [episode] = await ctx.db
      .insert(episodes)
      .values({ orgId, clientId: client.id, primaryClinicianId: clinician.userId, startedOn: '2026-01-05', createdAt: ctx.clock.now() })
      .returning();
    const first = await ctx.buildAssignment(orgId, client.id, { episodeId: episode!.id });
    expect((await submit((await open(await issueLink(ctx.db, { orgId, assignmentId: first.id, now: ctx.clock.now() }), '192.0.2.10')).cookie, allNine(0, 0))).statusCode).toBe(200);
    ctx.clock.advanceMinutes(7 * 24 * 60);

    const assignment = await ctx.buildAssignment(orgId, client.id, { episodeId: episode!.id });
    const [org] = await ctx.db.select().from(organisations).where(eq(organisations.id, orgId));
    const readContext = async () => {
      const [seen] = await ctx.db
        .select({ assignment: assignments, history: episodeHistoryColumn({ orgId: assignments.orgId, clientId: assignments.clientId, episodeId: assignments.episodeId }) })
        .from(assignments)
        .where(eq(assignments.id, assignment.id));
      return { assignment: seen!.assignment, settings: org!.settings, orgInstruments: [], history: seen!.history };
    };
    const audit = () => ({ orgId, actorKind: 'client_link' as const, actorId: null, action: 'questionnaire.submit', clientId: client.id, entityType: 'assignment', entityId: assignment.id, outcome: 'success' as const, at: ctx.clock.now() });
    const input = { answers: { phq9: allNine(2, 0) }, submissionId: randomUUID(), via: 'link' as const, now: ctx.clock.now(), audit };
    const stale = await readContext();
    expect(stale.history).toEqual(expect.any(String));
    // A deterioration alert resolved since the read: the rules decided on a history that no longer holds.
    await ctx.db.insert(alerts).values({ orgId, clientId: client.id, episodeId: episode!.id, kind: 'reliable_deterioration', status: 'resolved', evidenceKey: 'manual:1', evidence: { instrumentId: 'phq9' }, rulesVersion: 'test', createdAt: ctx.clock.now() });
    expect(await submitAtOnce(ctx.db, { ...input, context: stale })).toBeNull();
    expect(await ctx.db.select().from(responses).where(eq(responses.assignmentId, assignment.id))).toHaveLength(0);
    expect(await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.clientId, client.id), eq(auditEvents.action, 'alert.raise')))).toHaveLength(0);
    // An open alert acknowledged since the read: refused too.
    const [standing] = await ctx.db.insert(alerts).values({ orgId, clientId: client.id, episodeId: episode!.id, kind: 'not_on_track', status: 'open', evidenceKey: 'manual:2', evidence: { instrumentId: 'gad7' }, rulesVersion: 'test', createdAt: ctx.clock.now() }).returning();
    const beforeAcknowledged = await readContext();
    await ctx.db.update(alerts).set({ status: 'acknowledged', acknowledgedBy: clinician.userId, acknowledgedAt: ctx.clock.now() }).where(eq(alerts.id, standing!.id));
    expect(await submitAtOnce(ctx.db, { ...input, context: beforeAcknowledged })).toBeNull();
    // A new score in the episode since the read (another questionnaire's submit): refused too.
    const fresh = await readContext();
    await ctx.db.insert(responses).values({ orgId, clientId: client.id, episodeId: episode!.id, instrumentId: 'gad7', instrumentVersion: '1', respondent: 'client', status: 'completed', answers: {}, total: '3', channel: 'email', startedAt: ctx.clock.now(), submittedAt: ctx.clock.now(), createdAt: ctx.clock.now() });
    expect(await submitAtOnce(ctx.db, { ...input, context: fresh })).toBeNull();
    expect(await ctx.db.select().from(responses).where(eq(responses.assignmentId, assignment.id))).toHaveLength(0);
    // As read: written at once, with the rule's alert (0 -> 16 deteriorated) and its audit event.
    const done = await submitAtOnce(ctx.db, { ...input, context: await readContext() });
    expect(done).toMatchObject({ riskFlagged: false, responseIds: [expect.any(String)] });
    const [deteriorated] = await ctx.db.select().from(alerts).where(and(eq(alerts.clientId, client.id), eq(alerts.kind, 'reliable_deterioration'), eq(alerts.status, 'open')));
    expect(deteriorated).toMatchObject({ responseId: done!.responseIds[0], episodeId: episode!.id, urgent: false, evidence: expect.objectContaining({ first: 0, latest: 16 }) });
    expect(done!.alertIds).toContain(deteriorated!.id);
    const events = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.clientId, client.id), eq(auditEvents.action, 'alert.raise')));
    expect(events.map((e) => e.entityId).sort()).toEqual([...done!.alertIds].sort());
    const [a] = await ctx.db.select().from(assignments).where(eq(assignments.id, assignment.id));
    expect(a!.status).toBe('completed');
  });

  it("scores a clinic's own questionnaire with the version current at submit, a new upload taking effect at once", async () => {
    const scale = { kind: 'options', options: [0, 1, 2, 3].map((value) => ({ value, label: { en: `Level ${value}` } })) };
    const definition = (version: string, items: number) => ({
      id: 'clinic_sleep',
      version,
      names: { short: 'Sleep check', full: 'Clinic sleep check' },
      construct: 'Sleep quality',
      respondent: 'client',
      timeFrame: 'last week',
      items: Array.from({ length: items }, (_, n) => ({ id: `clinic_sleep_${n + 1}`, text: { en: `Sleep question ${n + 1}` }, response: scale })),
      scoring: { method: 'sum', missing: { rule: 'none', source: 'clinic convention' } },
      range: { min: 0, max: 3 * items },
      direction: 'higher-is-worse',
      licence: { status: 'clinic-owned', mayShipWording: true, source: 'clinic' },
      citation: 'Our clinic, 2026.',
      validation: { status: 'not-validated', warning: { en: 'Not validated.' } },
    });
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const upload = (version: string, items: number) =>
      insertOrgInstrumentVersion(ctx.db, { orgId: org.id, kind: 'custom_instrument', instrumentId: 'clinic_sleep', document: definition(version, items), uploadedBy: admin.userId, now: ctx.clock.now() });
    const submitSleep = async (answers: Record<string, number>) => {
      const client = await ctx.buildClient(org.id);
      const assignment = await ctx.buildAssignment(org.id, client.id, { instrumentIds: ['clinic_sleep'] });
      const token = await issueLink(ctx.db, { orgId: org.id, assignmentId: assignment.id, now: ctx.clock.now() });
      const { cookie } = await open(token, '192.0.2.12');
      const res = await ctx.app.inject({ method: 'POST', url: '/q/submit', headers: { ...json, cookie }, payload: { submissionId: randomUUID(), answers: { clinic_sleep: answers } } });
      const [row] = await ctx.db.select().from(responses).where(eq(responses.assignmentId, assignment.id));
      return { res, row };
    };
    await upload('1.0.0', 3);
    const first = await submitSleep({ clinic_sleep_1: 1, clinic_sleep_2: 2, clinic_sleep_3: 3 });
    expect(first.res.statusCode).toBe(200);
    expect(first.row).toMatchObject({ instrumentVersion: '1.0.0', total: '6' });
    await upload('2.0.0', 4);
    const second = await submitSleep({ clinic_sleep_1: 1, clinic_sleep_2: 2, clinic_sleep_3: 3, clinic_sleep_4: 3 });
    expect(second.res.statusCode).toBe(200);
    expect(second.row).toMatchObject({ instrumentVersion: '2.0.0', total: '9' });
    // An item the current version lacks is refused, not scored against the old one.
    await upload('3.0.0', 2);
    const third = await submitSleep({ clinic_sleep_1: 1, clinic_sleep_2: 2, clinic_sleep_3: 3 });
    expect(third.res.statusCode).toBe(400);
    expect(third.row).toBeUndefined();
  });

  it('refuses an invalid answer at submit with a 400 naming the item and writes nothing', async () => {
    const { token, assignment } = await newAssignment();
    const { cookie } = await open(token);
    const res = await submit(cookie, { ...allNine(1), phq9_4: 9 });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'invalid_answer', field: 'answers.phq9.phq9_4', message: expect.any(String) } });
    expect(await ctx.db.select().from(responses).where(eq(responses.assignmentId, assignment.id))).toHaveLength(0);
  });

  it('refuses a submit after expiry with 410, as JSON and as the friendly page', async () => {
    const { token } = await newAssignment({ expiresAt: new Date(ctx.clock.now().getTime() + 60_000) });
    const { cookie } = await open(token);
    ctx.clock.advanceMinutes(2);
    const res = await submit(cookie, allNine(1));
    expect(res.statusCode).toBe(410);
    expect(res.json()).toEqual({ error: { code: 'questionnaire_expired', message: expect.any(String) } });
    const page = await ctx.app.inject({ method: 'POST', url: '/q/submit', headers: { ...form, cookie }, payload: `submissionId=${randomUUID()}&phq9.phq9_1=1` });
    expect(page.statusCode).toBe(410);
    expect(page.body).toBe(invalidLinkPage('en'));
  });

  it.each([
    ['endorsed', allNine(1, 2), 'risk'],
    ['left unanswered', { ...allNine(1), phq9_9: null }, 'risk-unanswered'],
  ])('raises an urgent alert and shows crisis resources when item 9 is %s', async (_case, answers, flag) => {
    const { token, assignment } = await newAssignment();
    const { cookie } = await open(token);
    const res = await submit(cookie, answers);
    expect(res.json()).toMatchObject({ riskFlagged: true });
    const [alert] = await ctx.db.select().from(alerts).where(eq(alerts.clientId, assignment.clientId));
    expect(alert).toMatchObject({ kind: 'risk_item', urgent: true, status: 'open', evidence: expect.objectContaining({ items: [expect.objectContaining({ itemId: 'phq9_9', state: flag === 'risk' ? 'endorsed' : 'unanswered' })] }) });
    const [job] = await ctx.db.select().from(jobs).where(eq(jobs.key, `alert:${alert!.id}:urgent`));
    expect(job).toMatchObject({ kind: 'alert.notify_urgent', payload: { alertId: alert!.id } });
    const done = await ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie } });
    expect(done.body).toContain('Help is available now');
    expect(done.body).toContain('call your local emergency number now');
  });

  it("shows the clinic's own crisis resources when an admin set them", async () => {
    const org = await ctx.buildOrganisation({ settings: { crisisResources: 'Call the Riverside crisis line: 0800 000 000' } });
    const client = await ctx.buildClient(org.id);
    const assignment = await ctx.buildAssignment(org.id, client.id);
    const token = await issueLink(ctx.db, { orgId: org.id, assignmentId: assignment.id, now: ctx.clock.now() });
    const { cookie } = await open(token);
    await submit(cookie, allNine(0, 3));
    const done = await ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie } });
    expect(done.body).toContain('Call the Riverside crisis line: 0800 000 000');
    expect(done.body).not.toContain('call your local emergency number now');
    const [settings] = await ctx.db.select({ s: organisations.settings }).from(organisations).where(eq(organisations.id, org.id));
    expect(settings!.s.crisisResources).toContain('Riverside');
  });

  it('audits every read and write with the link session as the actor', async () => {
    const { token, assignment, client } = await newAssignment();
    const { cookie } = await open(token);
    await ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie } });
    await answer(cookie, 'phq9_1', 1);
    await submit(cookie, allNine(0));
    const events = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.clientId, client.id)));
    expect(events.map((e) => [e.action, e.actorKind, e.outcome])).toEqual([
      ['questionnaire.open', 'client_link', 'success'],
      ['questionnaire.read', 'client_link', 'success'],
      ['questionnaire.answer', 'client_link', 'success'],
      ['questionnaire.submit', 'client_link', 'success'],
    ]);
    expect(events.find((e) => e.action === 'questionnaire.submit')!.entityId).toBe(assignment.id);
    const [session] = await ctx.db.select().from(linkSessions).where(eq(linkSessions.assignmentId, assignment.id));
    expect(new Set(events.map((e) => e.actorId))).toEqual(new Set([session!.id]));
  });
});

describe('opt-out', () => {
  it('withdraws email and SMS consent as the client, cancels open questionnaires and tells the care team without health information', async () => {
    const { token, client, assignment } = await newAssignment();
    const other = await ctx.buildAssignment(orgId, client.id, { status: 'scheduled' });
    const confirm = await ctx.app.inject({ method: 'GET', url: `/q/${token}/stop` });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`action="/q/${token}/stop"`);
    const res = await ctx.app.inject({ method: 'POST', url: `/q/${token}/stop`, headers: form, payload: '' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Check-ins stopped');

    const consents = await ctx.db.select().from(clientConsents).where(eq(clientConsents.clientId, client.id));
    expect(consents.map((c) => [c.channel, c.granted, c.source]).sort()).toEqual([
      ['email', false, 'client'],
      ['sms', false, 'client'],
    ]);
    const statuses = await ctx.db.select({ id: assignments.id, status: assignments.status, cancelReason: assignments.cancelReason }).from(assignments).where(eq(assignments.clientId, client.id));
    expect(statuses.map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
    expect(statuses.map((s) => s.cancelReason)).toEqual(['client_opted_out', 'client_opted_out']);
    expect(statuses.map((s) => s.id).sort()).toEqual([assignment.id, other.id].sort());
    const [alert] = await ctx.db.select().from(alerts).where(eq(alerts.clientId, client.id));
    expect(alert).toMatchObject({ kind: 'stopped_checkins', urgent: false });

    await ctx.jobs.drain();
    const stopped = () => ctx.smtp.messages.filter((m) => m.subject === 'A client stopped questionnaire check-ins');
    const deadline = Date.now() + 5000;
    while (stopped().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(stopped()).toHaveLength(1);
    const mail = stopped()[0]!;
    expect(mail.to).toEqual([clinician.email]);
    expect(mail.text).toContain('stopped questionnaire check-ins');
    expect(mail.text).not.toContain(client.givenName);
    expect(mail.text).not.toMatch(/PHQ|score|depress/i);
    await ctx.jobs.drain();
    await new Promise((r) => setTimeout(r, 200));
    expect(stopped()).toHaveLength(1);
  });

  it('stops from the questionnaire page and ends the session', async () => {
    const { token, client } = await newAssignment();
    const { cookie } = await open(token);
    const confirm = await ctx.app.inject({ method: 'GET', url: '/q/stop', headers: { cookie } });
    expect(confirm.body).toContain('action="/q/stop"');
    const res = await ctx.app.inject({ method: 'POST', url: '/q/stop', headers: { ...form, cookie }, payload: '' });
    expect(res.statusCode).toBe(200);
    expect((await ctx.db.select().from(clientConsents).where(eq(clientConsents.clientId, client.id))).length).toBe(2);
    const after = await ctx.app.inject({ method: 'GET', url: '/q', headers: { cookie } });
    expect(after.statusCode).toBe(401);
  });
});
