import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context';
import { createSession } from '../../auth/sessions.queries';
import { SESSION_COOKIE } from '../../auth/session-cookie';
import { alerts, appointments, assignments, auditEvents, episodes, messages, responseDiscussions, responses, sessionRatings } from '../../db/schema';
import { startLinkSession } from '../questionnaire/link-session';
import { allianceVisibility } from './blind';
import { RATINGS_SWEEP_JOB } from './alliance.jobs';
import { enqueueJob } from '../../jobs/job-runner';

let ctx: TestContext;
let orgId: string;
type Staff = { userId: string; email: string };
let clinician: Staff;
let supervisor: Staff;

/** A session cookie started now (manual time): the tests jump days ahead, past any session's lifetime. */
async function cookieOf(who: Staff): Promise<string> {
  const policy = { idleMinutes: ctx.config.sessionIdleMinutes, absoluteHours: ctx.config.sessionAbsoluteHours };
  const { token } = await createSession(ctx.db, { userId: who.userId, orgId, stage: 'full', now: ctx.clock.now(), policy });
  return `${SESSION_COOKIE}=${token}`;
}

const json = { 'content-type': 'application/json', accept: 'application/json' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

beforeAll(async () => {
  ctx = await createTestContext();
  const org = await ctx.buildOrganisation({ name: 'Alliance Clinic' });
  orgId = org.id;
  clinician = await ctx.buildStaff(orgId, 'clinician');
  supervisor = await ctx.buildStaff(orgId, 'supervisor');
});
afterAll(() => ctx.close());

const items = (values: [number, number, number, number], prefix = 'rapport_alliance') =>
  Object.fromEntries(['goals', 'tasks', 'bond', 'overall'].map((name, i) => [`${prefix}_${name}`, values[i]!]));

/** A client with an open episode, on the care team of a clinician of their own (so nudges and digests are theirs alone). */
async function newCase() {
  clinician = await ctx.buildStaff(orgId, 'clinician');
  const client = await ctx.buildClient(orgId, {}, [clinician.userId]);
  const [episode] = await ctx.db
    .insert(episodes)
    .values({ orgId, clientId: client.id, primaryClinicianId: clinician.userId, startedOn: '2026-01-01', createdAt: ctx.clock.now() })
    .returning();
  return { clientId: client.id, episodeId: episode!.id };
}

type Case = Awaited<ReturnType<typeof newCase>>;

/** One attended session as the protocol sweep leaves it: the client's alliance check sent, the clinician's rating due. */
async function attendedSession(c: Case) {
  const now = ctx.clock.now();
  const [appointment] = await ctx.db
    .insert(appointments)
    .values({ orgId, clientId: c.clientId, episodeId: c.episodeId, clinicianId: clinician.userId, startsAt: new Date(now.getTime() - HOUR), durationMinutes: 50, status: 'attended', createdAt: now, updatedAt: now })
    .returning();
  const clientAssignment = await ctx.buildAssignment(orgId, c.clientId, { episodeId: c.episodeId, appointmentId: appointment!.id, instrumentIds: ['rapport_alliance'] });
  const [rating] = await ctx.db
    .insert(assignments)
    .values({
      orgId,
      clientId: c.clientId,
      episodeId: c.episodeId,
      appointmentId: appointment!.id,
      instrumentIds: ['rapport_alliance_therapist'],
      respondent: 'clinician',
      respondentUserId: clinician.userId,
      channel: 'in_session',
      status: 'scheduled',
      scheduledFor: now,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return { appointmentId: appointment!.id, clientAssignmentId: clientAssignment.id, ratingId: rating!.id };
}

/** The client's answers through the real page: a link session, then `POST /q/submit`. */
async function clientAnswers(assignmentId: string, values: [number, number, number, number]) {
  const { token } = await startLinkSession(ctx.db, { orgId, assignmentId, via: 'link', now: ctx.clock.now() });
  const res = await ctx.app.inject({ method: 'POST', url: '/q/submit', headers: { ...json, cookie: `rapport_q=${token}` }, payload: { submissionId: randomUUID(), answers: { rapport_alliance: items(values) } } });
  expect(res.statusCode).toBe(200);
}

async function rate(c: Case, ratingId: string, values: [number, number, number, number], who: Staff = clinician, submissionId = randomUUID()) {
  return ctx.app.inject({
    method: 'POST',
    url: `/api/v1/clients/${c.clientId}/assignments/${ratingId}/rating`,
    headers: { ...json, cookie: await cookieOf(who) },
    payload: { submissionId, answers: { rapport_alliance_therapist: items(values, 'rapport_alliance_therapist') } },
  });
}

async function alertsSeenBy(who: Staff, c: Case) {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${c.clientId}/alerts`, headers: { cookie: await cookieOf(who) } });
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: { id: string; kind: string; status: string; evidence: Record<string, unknown> }[] }).items;
}

describe('the whole case on the alliance check (issue 5)', () => {
  it('raises a rupture hidden until the therapist rates, a discrepancy alert, both resolved with notes, the repair recorded, every step audited', async () => {
    const c = await newCase();
    // Four steady sessions, client and therapist.
    for (const values of [
      [8, 8, 8, 8],
      [8, 8, 9, 8],
      [8, 8, 8, 8],
      [8, 9, 8, 8],
    ] as [number, number, number, number][]) {
      const s = await attendedSession(c);
      await clientAnswers(s.clientAssignmentId, values);
      expect((await rate(c, s.ratingId, [8, 8, 8, 8])).statusCode).toBe(200);
      ctx.clock.advance(7 * DAY);
    }
    expect(await alertsSeenBy(supervisor, c)).toEqual([]);

    // Session 5: the client's score drops by more than the strict threshold (prior mean 32.5 − 2 × 2 = 28.5; 24).
    const fifth = await attendedSession(c);
    await clientAnswers(fifth.clientAssignmentId, [6, 6, 6, 6]);
    const [rupture] = await ctx.db.select().from(alerts).where(and(eq(alerts.clientId, c.clientId), eq(alerts.kind, 'alliance_rupture')));
    expect(rupture).toMatchObject({ status: 'open', urgent: false, rulesVersion: '1.0.0', evidence: expect.objectContaining({ rupture: 'strict', rule: 'history_sd', score: 24, strictThreshold: 28.5, level: 'total' }) });
    expect((rupture!.evidence.items as unknown[]).length).toBe(4);

    // Blind: the clinician does not see it, the supervisor does; the clinician sees the rating they owe.
    expect((await alertsSeenBy(clinician, c)).map((a) => a.kind)).toEqual([]);
    expect((await alertsSeenBy(supervisor, c)).map((a) => a.kind)).toEqual(['alliance_rupture']);
    const hiddenAck = await ctx.app.inject({ method: 'POST', url: `/api/v1/clients/${c.clientId}/alerts/${rupture!.id}/acknowledge`, headers: { cookie: await cookieOf(clinician) } });
    expect(hiddenAck.statusCode).toBe(404);
    expect(hiddenAck.json()).toEqual({ error: { code: 'not_found', message: 'No such alert.' } });
    const pending = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${c.clientId}/ratings/pending`, headers: { cookie: await cookieOf(clinician) } });
    expect(pending.json().items).toEqual([expect.objectContaining({ assignmentId: fifth.ratingId, appointmentId: fifth.appointmentId, instrumentIds: ['rapport_alliance_therapist'] })]);

    // The therapist rates above the client by more than 10 % of the range (34 vs 24: 25 %): discrepancy alert; the rupture is released.
    const rated = await rate(c, fifth.ratingId, [9, 8, 9, 8]);
    expect(rated.statusCode).toBe(200);
    expect(rated.json()).toMatchObject({ assignmentId: fifth.ratingId, outcome: 'rated', skipReason: null, blind: true });
    const [record] = await ctx.db.select().from(sessionRatings).where(eq(sessionRatings.assignmentId, fifth.ratingId));
    expect(record).toMatchObject({ outcome: 'rated', blind: true, appointmentId: fifth.appointmentId });
    const seen = await alertsSeenBy(clinician, c);
    expect(seen.map((a) => a.kind).sort()).toEqual(['alliance_rupture', 'therapist_over_client']);
    const discrepancy = seen.find((a) => a.kind === 'therapist_over_client')!;
    expect(discrepancy.evidence).toMatchObject({ clientScore: 24, therapistScore: 34, gapPercent: 25, thresholdPercent: 10 });

    // Both acknowledged and resolved with notes.
    for (const alert of [rupture!, discrepancy]) {
      const ack = await ctx.app.inject({ method: 'POST', url: `/api/v1/clients/${c.clientId}/alerts/${alert.id}/acknowledge`, headers: { cookie: await cookieOf(clinician) } });
      expect(ack.statusCode).toBe(200);
      const resolved = await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/clients/${c.clientId}/alerts/${alert.id}/resolve`,
        headers: { ...json, cookie: await cookieOf(clinician) },
        payload: { action: 'discussed_with_client', note: 'Talked about how the last session felt.' },
      });
      expect(resolved.statusCode).toBe(200);
      expect(resolved.json()).toMatchObject({ status: 'resolved', resolutionAction: 'discussed_with_client', resolutionNote: 'Talked about how the last session felt.', acknowledgedBy: clinician.userId, resolvedBy: clinician.userId });
    }

    // Session 6: the client recovers above the lenient threshold (32.5 − 2 = 30.5): the rupture is marked repaired.
    ctx.clock.advance(7 * DAY);
    const sixth = await attendedSession(c);
    await clientAnswers(sixth.clientAssignmentId, [8, 8, 8, 9]);
    const [repaired] = await ctx.db.select().from(alerts).where(eq(alerts.id, rupture!.id));
    expect(repaired!.evidence.repair).toMatchObject({ status: 'repaired', repairedAtScore: 33, threshold: 30.5 });
    expect(repaired!.status).toBe('resolved');

    const trail = await ctx.db
      .select({ action: auditEvents.action, entityId: auditEvents.entityId })
      .from(auditEvents)
      .where(eq(auditEvents.clientId, c.clientId))
      .orderBy(asc(auditEvents.id));
    const actions = trail.map((e) => e.action);
    expect(actions.filter((a) => a === 'questionnaire.submit')).toHaveLength(6);
    expect(actions.filter((a) => a === 'session_rating.submit')).toHaveLength(5);
    expect(trail.filter((e) => e.action === 'alert.raise').map((e) => e.entityId).sort()).toEqual([rupture!.id, discrepancy.id].sort());
    for (const alert of [rupture!.id, discrepancy.id]) {
      expect(trail.filter((e) => e.entityId === alert).map((e) => e.action)).toEqual(expect.arrayContaining(['alert.raise', 'alert.acknowledge', 'alert.resolve']));
    }
    expect(trail.filter((e) => e.action === 'alert.repair').map((e) => e.entityId)).toEqual([rupture!.id]);
  });
});

describe('session ratings', () => {
  it('answers a repeated submission id with the first result and stores one response', async () => {
    const c = await newCase();
    const s = await attendedSession(c);
    const submissionId = randomUUID();
    const first = await rate(c, s.ratingId, [7, 7, 7, 7], clinician, submissionId);
    const again = await rate(c, s.ratingId, [7, 7, 7, 7], clinician, submissionId);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    const rows = await ctx.db.select().from(responses).where(eq(responses.assignmentId, s.ratingId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ respondent: 'clinician', respondentUserId: clinician.userId, total: '28', channel: 'in_session', status: 'completed' });
  });

  it.each([
    ['another staff member who can see the client', () => supervisor, 403, 'not_your_rating'],
  ])('refuses a rating from %s', async (_who, who, status, code) => {
    const c = await newCase();
    const s = await attendedSession(c);
    const res = await rate(c, s.ratingId, [7, 7, 7, 7], who());
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('refuses an answer out of range with a 400 naming the item, writing nothing', async () => {
    const c = await newCase();
    const s = await attendedSession(c);
    const res = await rate(c, s.ratingId, [7, 7, 11, 7]);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'invalid_answer', field: 'answers.rapport_alliance_therapist.rapport_alliance_therapist_bond' });
    expect(await ctx.db.select().from(sessionRatings).where(eq(sessionRatings.assignmentId, s.ratingId))).toEqual([]);
  });

  it('records an explicit skip, releases the client score, and refuses a rating after it', async () => {
    const c = await newCase();
    const s = await attendedSession(c);
    await clientAnswers(s.clientAssignmentId, [5, 5, 5, 5]);
    const before = await allianceVisibility(ctx.db, { orgId, clinicianUserId: clinician.userId, clientId: c.clientId, now: ctx.clock.now() });
    expect([...before.hiddenAppointmentIds]).toEqual([s.appointmentId]);
    expect(before.hiddenResponseIds.size).toBe(1);

    const skip = await ctx.app.inject({ method: 'POST', url: `/api/v1/clients/${c.clientId}/assignments/${s.ratingId}/rating/skip`, headers: { cookie: await cookieOf(clinician) } });
    expect(skip.statusCode).toBe(200);
    expect(skip.json()).toMatchObject({ outcome: 'skipped', skipReason: 'clinician', blind: null });
    const after = await allianceVisibility(ctx.db, { orgId, clinicianUserId: clinician.userId, clientId: c.clientId, now: ctx.clock.now() });
    expect(after.hiddenAppointmentIds.size).toBe(0);
    const late = await rate(c, s.ratingId, [7, 7, 7, 7]);
    expect(late.statusCode).toBe(409);
    expect(late.json()).toEqual({ error: { code: 'rating_skipped', message: 'This rating was skipped.' } });
    const [row] = await ctx.db.select().from(assignments).where(eq(assignments.id, s.ratingId));
    expect(row!.status).toBe('cancelled');
    expect(row!.cancelReason).toBe('rating_skipped');
  });

  it('nudges once after a day without health information, and after 7 days counts the rating as skipped', async () => {
    const c = await newCase();
    const s = await attendedSession(c);
    const start = ctx.clock.now();
    const sweep = async () => {
      await enqueueJob(ctx.db, { kind: RATINGS_SWEEP_JOB, key: `test-sweep:${randomUUID()}`, runAt: ctx.clock.now() });
      await ctx.jobs.drain();
    };
    const mailsBefore = ctx.smtp.messages.length;
    ctx.clock.set(new Date(start.getTime() + 23 * HOUR));
    await sweep();
    expect(ctx.smtp.messages.length).toBe(mailsBefore);

    ctx.clock.set(new Date(start.getTime() + 25 * HOUR));
    await sweep();
    await sweep();
    // (The protocol sweep, run by the same job runner, also owes a rating for this session: each rating is nudged once.)
    const nudgeRows = await ctx.db.select().from(messages).where(and(eq(messages.userId, clinician.userId), like(messages.key, '%:rating-nudge')));
    expect(nudgeRows.map((m) => m.key)).toContain(`assignment:${s.ratingId}:rating-nudge`);
    expect(nudgeRows.every((m) => m.status === 'sent')).toBe(true);
    const mails = await ctx.smtp.waitFor(mailsBefore + nudgeRows.length);
    const nudges = mails.slice(mailsBefore).filter((m) => m.to.includes(clinician.email));
    expect(nudges).toHaveLength(nudgeRows.length);
    expect(nudges[0]!.subject).toBe('A session rating is waiting in Rapport');
    expect(nudges[0]!.text).not.toMatch(/alliance|Given|Family|score/i);

    ctx.clock.set(new Date(start.getTime() + 7 * DAY));
    await sweep();
    const [row] = await ctx.db.select().from(assignments).where(eq(assignments.id, s.ratingId));
    expect(row!.status).toBe('expired');
    const [record] = await ctx.db.select().from(sessionRatings).where(eq(sessionRatings.assignmentId, s.ratingId));
    expect(record).toMatchObject({ outcome: 'skipped', skipReason: 'timed_out', blind: null });
    const events = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.entityId, s.ratingId), eq(auditEvents.action, 'session_rating.timed_out')));
    expect(events).toHaveLength(1);
    const late = await rate(c, s.ratingId, [7, 7, 7, 7]);
    expect(late.statusCode).toBe(410);
    expect(late.json()).toEqual({ error: { code: 'rating_expired', message: expect.any(String) } });
  });
});

describe('blind rating on the staff-wide alert list', () => {
  it('leaves out an alliance alert of a session still to rate, but never a risk alert', async () => {
    const c = await newCase();
    const s = await attendedSession(c);
    await clientAnswers(s.clientAssignmentId, [5, 5, 5, 5]);
    const [response] = await ctx.db.select().from(responses).where(eq(responses.assignmentId, s.clientAssignmentId));
    const base = { orgId, clientId: c.clientId, episodeId: c.episodeId, responseId: response!.id, status: 'open' as const, evidence: {}, rulesVersion: '1.0.0', createdAt: ctx.clock.now() };
    await ctx.db.insert(alerts).values([
      { ...base, kind: 'low_alliance', urgent: false, evidenceKey: 'blind-test-low' },
      { ...base, kind: 'risk_item', urgent: true, evidenceKey: 'blind-test-risk' },
    ]);
    const list = async (who: Staff) =>
      ((await ctx.app.inject({ method: 'GET', url: '/api/v1/alerts?status=active', headers: { cookie: await cookieOf(who) } })).json() as { items: { clientId: string; kind: string }[] }).items
        .filter((a) => a.clientId === c.clientId)
        .map((a) => a.kind)
        .sort();
    expect(await list(clinician)).toEqual(['risk_item']);
    expect(await list(supervisor)).toEqual(['low_alliance', 'risk_item']);
    expect((await rate(c, s.ratingId, [5, 5, 5, 5])).statusCode).toBe(200);
    expect(await list(clinician)).toEqual(['low_alliance', 'risk_item']);
  });
});

describe('discussed with the client', () => {
  it('marks a response discussed once, audited, and hides a blind response as 404', async () => {
    const c = await newCase();
    const s = await attendedSession(c);
    await clientAnswers(s.clientAssignmentId, [6, 6, 6, 6]);
    const [response] = await ctx.db.select().from(responses).where(eq(responses.assignmentId, s.clientAssignmentId));
    const url = `/api/v1/clients/${c.clientId}/responses/${response!.id}/discussed`;
    const hidden = await ctx.app.inject({ method: 'POST', url, headers: { ...json, cookie: await cookieOf(clinician) }, payload: {} });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toEqual({ error: { code: 'not_found', message: 'No such response.' } });

    expect((await rate(c, s.ratingId, [6, 6, 6, 6])).statusCode).toBe(200);
    const first = await ctx.app.inject({ method: 'POST', url, headers: { ...json, cookie: await cookieOf(clinician) }, payload: { note: 'Went through it together.' } });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ responseId: response!.id, discussedBy: clinician.userId, note: 'Went through it together.' });
    const again = await ctx.app.inject({ method: 'POST', url, headers: { ...json, cookie: await cookieOf(supervisor) }, payload: {} });
    expect(again.json()).toEqual(first.json());
    expect(await ctx.db.select().from(responseDiscussions).where(eq(responseDiscussions.responseId, response!.id))).toHaveLength(1);
    const events = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.entityId, response!.id), inArray(auditEvents.action, ['response.discussed'])));
    expect(events.length).toBeGreaterThanOrEqual(2);
  });
});
