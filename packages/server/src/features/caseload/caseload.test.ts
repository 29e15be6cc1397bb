import { and, eq } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getInstrument, scoreResponse } from '@rapport/instruments';
import { createTestContext, type TestContext } from '../../../test/context';
import * as schema from '../../db/schema';
import { alerts, appointments, assignments, auditEvents, clients, episodes, memberships, programmes, responses, sessionRatings } from '../../db/schema';
import type { Db } from '../../db/database';
import { scoredResponseColumns } from '../instruments/org-instruments';
import { seedDemo } from '../../demo/demo.seed';
import { createSession } from '../../auth/sessions.queries';
import { SESSION_COOKIE } from '../../auth/session-cookie';
import { loadCaseload } from './caseload.queries';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (offsetMs: number) => new Date(ctx.clock.now().getTime() + offsetMs);
const get = (url: string, cookie: string) => ctx.app.inject({ method: 'GET', url, headers: { cookie } });
type Item = {
  client: { id: string; familyName: string };
  attention: { tier: string; rank: number };
  alerts: { urgent: number; other: number };
  questionnaires: { due: number; overdue: number };
  nextAppointment: { startsAt: string } | null;
  lastScores: { instrumentId: string; score: number; band: { id: string } | null }[];
  alliance: { clientInstrumentId: string; points: { client: { score: number } | null; clientHidden: boolean; therapist: { score: number } | null }[]; gapTrend: string } | null;
  ratingOwed: { assignmentId: string } | null;
  todaySession: { appointmentId: string; rating: string } | null;
};
const names = (items: Item[]) => items.map((i) => i.client.familyName);
async function caseload(cookie: string, query = ''): Promise<{ items: Item[]; total: number; nextOffset: number | null }> {
  const res = await get(`/api/v1/caseload${query ? `?${query}` : ''}`, cookie);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function alert(orgId: string, clientId: string, values: { urgent: boolean; kind?: schema.AlertKind; status?: 'open' | 'acknowledged' | 'resolved'; responseId?: string }) {
  await ctx.db.insert(alerts).values({
    orgId,
    clientId,
    kind: values.kind ?? (values.urgent ? 'risk_item' : 'missed_questionnaires'),
    urgent: values.urgent,
    status: values.status ?? 'open',
    responseId: values.responseId ?? null,
    evidenceKey: crypto.randomUUID(),
    evidence: {},
    rulesVersion: 'test',
  });
}

async function appointment(orgId: string, clientId: string, clinicianId: string, startsAt: Date, values: Partial<typeof appointments.$inferInsert> = {}) {
  const [row] = await ctx.db.insert(appointments).values({ orgId, clientId, clinicianId, startsAt, ...values }).returning();
  return row!;
}

async function answer(orgId: string, clientId: string, instrumentId: string, each: number, submittedAt: Date, links: { episodeId?: string; appointmentId?: string; userId?: string } = {}) {
  const definition = getInstrument(instrumentId);
  const answers = Object.fromEntries(definition.items.filter((i) => i.scored).map((i) => [i.id, each]));
  const [row] = await ctx.db
    .insert(responses)
    .values({
      orgId,
      clientId,
      episodeId: links.episodeId ?? null,
      appointmentId: links.appointmentId ?? null,
      instrumentId,
      instrumentVersion: definition.version,
      respondent: definition.respondent,
      respondentUserId: links.userId ?? null,
      status: 'completed',
      answers,
      ...scoredResponseColumns(scoreResponse(instrumentId, answers), definition),
      startedAt: submittedAt,
      submittedAt,
      createdAt: submittedAt,
    })
    .returning();
  return row!;
}

async function openEpisode(orgId: string, clientId: string, clinicianId: string, values: Partial<typeof episodes.$inferInsert> = {}) {
  const [row] = await ctx.db.insert(episodes).values({ orgId, clientId, primaryClinicianId: clinicianId, startedOn: '2026-01-05', presentingProblem: 'depression', ...values }).returning();
  return row!;
}

/**
 * A clinician's caseload with one client per attention case, and an off-team client and another
 * clinic. Expected order: Urgent; Alerted; Due (next appointment in 1 day), Overdue (none booked);
 * then Soon (1 hour), Later (3 days), Resolved (4 days), Nothing (none booked).
 */
async function world() {
  const org = await ctx.buildOrganisation();
  const me = await ctx.buildStaff(org.id, 'clinician');
  const colleague = await ctx.buildStaff(org.id, 'clinician');
  const supervisor = await ctx.buildStaff(org.id, 'supervisor');
  const admin = await ctx.buildStaff(org.id, 'admin');
  const mine = (familyName: string, values: Record<string, unknown> = {}) => ctx.buildClient(org.id, { familyName, givenName: 'Test', ...values }, [me.userId]);
  const [programme] = await ctx.db.insert(programmes).values({ orgId: org.id, name: 'Adult service' }).returning();

  const urgent = await mine('Urgent');
  await alert(org.id, urgent.id, { urgent: true });
  await ctx.buildAssignment(org.id, urgent.id);
  await appointment(org.id, urgent.id, me.userId, at(5 * DAY));

  const alerted = await mine('Alerted');
  await alert(org.id, alerted.id, { urgent: false, status: 'acknowledged' });
  await appointment(org.id, alerted.id, me.userId, at(2 * DAY));
  await openEpisode(org.id, alerted.id, me.userId, { programmeId: programme!.id });

  const due = await mine('Due');
  await ctx.buildAssignment(org.id, due.id, { reminderAfterDays: 2 });
  await appointment(org.id, due.id, me.userId, at(DAY));

  const overdue = await mine('Overdue');
  await ctx.buildAssignment(org.id, overdue.id, { sentAt: at(-3 * DAY), scheduledFor: at(-3 * DAY), reminderAfterDays: 2 });

  const soon = await mine('Soon');
  await appointment(org.id, soon.id, me.userId, at(HOUR));
  await openEpisode(org.id, soon.id, me.userId, { programmeId: programme!.id });
  // Neither a finished nor a future questionnaire is due.
  await ctx.buildAssignment(org.id, soon.id, { status: 'completed', completedAt: at(-HOUR) });
  await ctx.buildAssignment(org.id, soon.id, { status: 'scheduled', scheduledFor: at(2 * DAY), sentAt: null });

  const later = await mine('Later');
  await appointment(org.id, later.id, me.userId, at(3 * DAY));
  await appointment(org.id, later.id, me.userId, at(DAY), { status: 'cancelled', cancelledBy: 'client' });

  const resolved = await mine('Resolved');
  await alert(org.id, resolved.id, { urgent: true, status: 'resolved' });
  await appointment(org.id, resolved.id, me.userId, at(4 * DAY));

  const nothing = await mine('Nothing');
  await mine('Inactive', { status: 'inactive' });

  const offTeam = await ctx.buildClient(org.id, { familyName: 'Elsewhere', givenName: 'Test' }, [colleague.userId]);
  await alert(org.id, offTeam.id, { urgent: true });

  const otherOrg = await ctx.buildOrganisation();
  const stranger = await ctx.buildStaff(otherOrg.id, 'admin');
  const strangerClient = await ctx.buildClient(otherOrg.id, { familyName: 'Stranger' }, [stranger.userId]);
  await alert(otherOrg.id, strangerClient.id, { urgent: true });

  return { org, me, colleague, supervisor, admin, stranger, programme: programme!, clients: { urgent, alerted, due, overdue, soon, later, resolved, nothing, offTeam } };
}

describe('GET /api/v1/caseload', () => {
  it('orders by urgent alerts, other alerts, questionnaires due, then the soonest next appointment', async () => {
    const w = await world();
    const body = await caseload(w.me.cookie);
    expect(names(body.items)).toEqual(['Urgent', 'Alerted', 'Due', 'Overdue', 'Soon', 'Later', 'Resolved', 'Nothing']);
    expect(body.items.map((i) => i.attention.tier)).toEqual(['urgent', 'alerts', 'due', 'due', 'routine', 'routine', 'routine', 'routine']);
    expect(body.items.map((i) => i.attention.rank)).toEqual([1, 2, 3, 3, 4, 4, 4, 4]);
    const byName = Object.fromEntries(body.items.map((i) => [i.client.familyName, i]));
    expect(byName.Urgent!.alerts).toEqual({ urgent: 1, other: 0 });
    expect(byName.Urgent!.questionnaires).toEqual({ due: 1, overdue: 0 });
    expect(byName.Alerted!.alerts).toEqual({ urgent: 0, other: 1 });
    expect(byName.Due!.questionnaires).toEqual({ due: 1, overdue: 0 });
    expect(byName.Overdue!.questionnaires).toEqual({ due: 1, overdue: 1 });
    expect(byName.Soon!.questionnaires).toEqual({ due: 0, overdue: 0 });
    expect(byName.Resolved!.alerts).toEqual({ urgent: 0, other: 0 });
    expect(byName.Later!.nextAppointment?.startsAt).toBe(at(3 * DAY).toISOString());
    expect(byName.Nothing!.nextAppointment).toBeNull();
    expect(byName.Alerted!).toMatchObject({ episode: { programme: { id: w.programme.id, name: 'Adult service' } } });
    expect(body).toMatchObject({ total: 8, nextOffset: null });
  });

  it('counts a questionnaire expiring within a day as overdue', async () => {
    const w = await world();
    await ctx.buildAssignment(w.org.id, w.clients.nothing.id, { expiresAt: at(12 * HOUR) });
    const item = (await caseload(w.me.cookie, 'q=Nothing')).items[0]!;
    expect(item.questionnaires).toEqual({ due: 1, overdue: 1 });
    expect(item.attention.tier).toBe('due');
  });

  it('searches by name and filters by attention tier, programme and status', async () => {
    const w = await world();
    expect(names((await caseload(w.me.cookie, 'q=due')).items)).toEqual(['Due', 'Overdue']);
    expect(names((await caseload(w.me.cookie, 'q=%25')).items)).toEqual([]);
    expect(names((await caseload(w.me.cookie, 'attention=urgent')).items)).toEqual(['Urgent']);
    expect(names((await caseload(w.me.cookie, 'attention=alerts')).items)).toEqual(['Urgent', 'Alerted']);
    expect(names((await caseload(w.me.cookie, 'attention=due')).items)).toEqual(['Urgent', 'Due', 'Overdue']);
    expect(names((await caseload(w.me.cookie, `programmeId=${w.programme.id}`)).items)).toEqual(['Alerted', 'Soon']);
    expect(names((await caseload(w.me.cookie, 'status=inactive')).items)).toEqual(['Inactive']);
    expect((await caseload(w.me.cookie, 'status=all')).total).toBe(9);
  });

  it('pages with limit and offset in the same order', async () => {
    const w = await world();
    const first = await caseload(w.me.cookie, 'limit=3');
    expect(first).toMatchObject({ total: 8, nextOffset: 3 });
    const second = await caseload(w.me.cookie, 'limit=3&offset=3');
    const third = await caseload(w.me.cookie, 'limit=3&offset=6');
    expect(third.nextOffset).toBeNull();
    expect(names([...first.items, ...second.items, ...third.items])).toEqual(['Urgent', 'Alerted', 'Due', 'Overdue', 'Soon', 'Later', 'Resolved', 'Nothing']);
  });

  it('shows supervisors their own care teams by default, another clinician’s or the whole clinic on request', async () => {
    const w = await world();
    expect((await caseload(w.supervisor.cookie)).items).toEqual([]);
    expect(names((await caseload(w.supervisor.cookie, `therapistId=${w.me.userId}`)).items)).toContain('Urgent');
    const everyone = names((await caseload(w.admin.cookie, 'therapistId=all')).items);
    expect(everyone.slice(0, 2).sort()).toEqual(['Elsewhere', 'Urgent']);
    expect(everyone).toHaveLength(9);
    expect(names((await caseload(w.colleague.cookie)).items)).toEqual(['Elsewhere']);
  });

  it('refuses a clinician another clinician’s caseload or the whole clinic', async () => {
    const w = await world();
    for (const therapistId of [w.colleague.userId, 'all']) {
      const res = await get(`/api/v1/caseload?therapistId=${therapistId}`, w.me.cookie);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: { code: 'not_your_caseload', message: 'Only supervisors and admins can open another clinician’s caseload.' } });
    }
    expect(names((await caseload(w.me.cookie, `therapistId=${w.me.userId}`)).items)).toHaveLength(8);
  });

  it('never shows another clinic’s clients, whoever asks', async () => {
    const w = await world();
    expect(names((await caseload(w.stranger.cookie, 'therapistId=all')).items)).toEqual(['Stranger']);
    expect(names((await caseload(w.admin.cookie, 'therapistId=all')).items)).not.toContain('Stranger');
    expect(names((await caseload(w.admin.cookie, `therapistId=${w.stranger.userId}`)).items)).toEqual([]);
  });

  it('refuses bad filters with the field named', async () => {
    const w = await world();
    for (const [query, field] of [
      ['attention=soon', 'attention'],
      ['therapistId=everyone', 'therapistId'],
      ['limit=500', 'limit'],
      ['offset=-1', 'offset'],
      ['programmeId=abc', 'programmeId'],
    ] as const) {
      const res = await get(`/api/v1/caseload?${query}`, w.me.cookie);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'validation_failed', field: `querystring.${field}` });
    }
  });

  it('records one audit event per read, naming whose caseload', async () => {
    const w = await world();
    await caseload(w.me.cookie);
    await caseload(w.admin.cookie, 'therapistId=all');
    const events = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, w.org.id), eq(auditEvents.action, 'caseload.list')));
    expect(events).toHaveLength(2);
    expect(events.find((e) => e.actorId === w.me.userId)).toMatchObject({ actorKind: 'user', outcome: 'success', entityType: 'caseload', entityId: w.me.userId, clientId: null });
    expect(events.find((e) => e.actorId === w.admin.userId)).toMatchObject({ entityId: null });
  });
});

describe('scores, alliance and today’s session', () => {
  /** A client seen weekly, rated both ways, with a session this morning the client has rated and I have not. */
  async function blindWorld() {
    const org = await ctx.buildOrganisation({ settings: { timeZone: 'Europe/London' } });
    const me = await ctx.buildStaff(org.id, 'clinician');
    const supervisor = await ctx.buildStaff(org.id, 'supervisor');
    const client = await ctx.buildClient(org.id, { familyName: 'Blind' }, [me.userId]);
    const episode = await openEpisode(org.id, client.id, me.userId, { presentingProblem: 'gad' });
    const earlier = await appointment(org.id, client.id, me.userId, at(-7 * DAY), { status: 'attended', episodeId: episode.id });
    await answer(org.id, client.id, 'rapport_alliance', 8, at(-7 * DAY + HOUR), { episodeId: episode.id, appointmentId: earlier.id });
    await answer(org.id, client.id, 'rapport_alliance_therapist', 7, at(-7 * DAY + 2 * HOUR), { episodeId: episode.id, appointmentId: earlier.id, userId: me.userId });
    await answer(org.id, client.id, 'phq9', 2, at(-7 * DAY), { episodeId: episode.id });
    await answer(org.id, client.id, 'phq9', 1, at(-DAY), { episodeId: episode.id });
    await answer(org.id, client.id, 'gad7', 3, at(-DAY), { episodeId: episode.id });
    // This morning's session: the client rated it (5 per item), I still owe my rating.
    const today = await appointment(org.id, client.id, me.userId, at(-2 * HOUR), { status: 'attended', episodeId: episode.id });
    const clientRating = await answer(org.id, client.id, 'rapport_alliance', 5, at(-HOUR), { episodeId: episode.id, appointmentId: today.id });
    const [owed] = await ctx.db
      .insert(assignments)
      .values({ orgId: org.id, clientId: client.id, episodeId: episode.id, appointmentId: today.id, instrumentIds: ['rapport_alliance_therapist'], respondent: 'clinician', respondentUserId: me.userId, channel: 'in_session', status: 'sent', scheduledFor: at(-90 * 60_000) })
      .returning();
    await alert(org.id, client.id, { urgent: false, kind: 'alliance_rupture', responseId: clientRating.id });
    return { org, me, supervisor, client, episode, today, owed: owed!, clientRating };
  }

  it('shows the last score on each primary measure with its band', async () => {
    const w = await blindWorld();
    const [item] = (await caseload(w.me.cookie)).items;
    // Presenting problem GAD: PHQ-9 and GAD-7 (facts.md B2); the latest PHQ-9 (1 on each of 9 items) wins.
    expect(item!.lastScores).toEqual([
      { instrumentId: 'phq9', name: 'PHQ-9', score: 9, band: { id: 'mild', label: expect.any(String) }, submittedAt: at(-DAY).toISOString() },
      { instrumentId: 'gad7', name: 'GAD-7', score: 21, band: { id: 'severe', label: expect.any(String) }, submittedAt: at(-DAY).toISOString() },
    ]);
  });

  it('hides the client’s rating of a session I have not rated yet and asks me to rate it', async () => {
    const w = await blindWorld();
    const [item] = (await caseload(w.me.cookie)).items;
    expect(item!.ratingOwed).toMatchObject({ assignmentId: w.owed.id, appointmentId: w.today.id });
    expect(item!.todaySession).toEqual({ appointmentId: w.today.id, startsAt: w.today.startsAt.toISOString(), status: 'attended', rating: 'owed' });
    expect(item!.alliance!.points).toHaveLength(2);
    expect(item!.alliance!.points[0]).toMatchObject({ client: { score: 32, percent: 80 }, clientHidden: false, therapist: { score: 28 } });
    expect(item!.alliance!.points[1]).toMatchObject({ client: null, clientHidden: true, therapist: null });
    expect(JSON.stringify(item)).not.toContain('"score":20');
    // The rupture alert raised by the hidden rating is not counted for me either.
    expect(item!.alerts).toEqual({ urgent: 0, other: 0 });
    expect(item!.attention.tier).toBe('routine');

    // A supervisor has no rating of their own to bias: they see the score and the alert.
    const [seen] = (await caseload(w.supervisor.cookie, 'therapistId=all')).items;
    expect(seen!.alliance!.points[1]).toMatchObject({ client: { score: 20, percent: 50 }, clientHidden: false });
    expect(seen!.alerts).toEqual({ urgent: 0, other: 1 });
    expect(seen!.ratingOwed).toBeNull();
    expect(seen!.todaySession!.rating).toBe('not_rated');
  });

  it('says today’s session is rated once the rating is recorded, and shows the score', async () => {
    const w = await blindWorld();
    const mine = await answer(w.org.id, w.client.id, 'rapport_alliance_therapist', 6, at(-30 * 60_000), { episodeId: w.episode.id, appointmentId: w.today.id, userId: w.me.userId });
    await ctx.db.update(assignments).set({ status: 'completed', completedAt: at(-30 * 60_000) }).where(eq(assignments.id, w.owed.id));
    await ctx.db.insert(sessionRatings).values({ orgId: w.org.id, clientId: w.client.id, assignmentId: w.owed.id, appointmentId: w.today.id, userId: w.me.userId, outcome: 'rated', blind: true, therapistResponseId: mine.id, decidedAt: at(-30 * 60_000) });
    const [item] = (await caseload(w.me.cookie)).items;
    expect(item!.ratingOwed).toBeNull();
    expect(item!.todaySession!.rating).toBe('rated');
    expect(item!.alliance!.points[1]).toMatchObject({ client: { score: 20 }, clientHidden: false, therapist: { score: 24 } });
    expect(item!.alerts.other).toBe(1);
  });

  it('knows "today" in the clinic’s time zone', async () => {
    const org = await ctx.buildOrganisation({ settings: { timeZone: 'America/Los_Angeles' } });
    const me = await ctx.buildStaff(org.id, 'clinician');
    const client = await ctx.buildClient(org.id, { familyName: 'Zoned' }, [me.userId]);
    // 05:00 UTC today is yesterday evening in Los Angeles (it is 01:00 there now).
    await appointment(org.id, client.id, me.userId, at(-4 * HOUR), { status: 'attended' });
    expect((await caseload(me.cookie)).items[0]!.todaySession).toBeNull();
    const later = await appointment(org.id, client.id, me.userId, at(8 * HOUR));
    expect((await caseload(me.cookie)).items[0]!.todaySession).toMatchObject({ appointmentId: later.id, rating: 'not_rated' });
  });
});

describe('query count', () => {
  /** A Drizzle handle over the test database that counts the statements it sends. */
  function countingDb(): { db: Db; count: () => number } {
    let n = 0;
    const logger = { logQuery: () => void n++ };
    const { database } = ctx;
    const db = (database.pglite ? drizzlePglite(database.pglite, { schema, logger }) : drizzlePg(database.pool!, { schema, logger })) as unknown as Db;
    return { db, count: () => n };
  }

  it('reads a caseload in the same number of statements whatever its size', async () => {
    const org = await ctx.buildOrganisation();
    const me = await ctx.buildStaff(org.id, 'clinician');
    const input = { orgId: org.id, userId: me.userId, careTeamOf: me.userId, status: 'active' as const, attention: 'all' as const, limit: 50, offset: 0, now: ctx.clock.now() };
    const measure = async () => {
      const counting = countingDb();
      const data = await loadCaseload(counting.db, input);
      return { statements: counting.count(), clients: data.rows.length };
    };
    await ctx.buildClient(org.id, {}, [me.userId]);
    const small = await measure();
    for (let i = 0; i < 12; i++) {
      const c = await ctx.buildClient(org.id, {}, [me.userId]);
      const episode = await openEpisode(org.id, c.id, me.userId);
      await alert(org.id, c.id, { urgent: i % 3 === 0 });
      await ctx.buildAssignment(org.id, c.id);
      const visit = await appointment(org.id, c.id, me.userId, at(-HOUR), { status: 'attended', episodeId: episode.id });
      await appointment(org.id, c.id, me.userId, at((i + 1) * DAY));
      await answer(org.id, c.id, 'phq9', 1, at(-DAY), { episodeId: episode.id });
      await answer(org.id, c.id, 'rapport_alliance', 6, at(-HOUR / 2), { episodeId: episode.id, appointmentId: visit.id });
    }
    const large = await measure();
    expect(small.clients).toBe(1);
    expect(large.clients).toBe(13);
    expect(large.statements).toBe(small.statements);
    // Blind rating (1), the ranked page, scores, alliance, today.
    expect(large.statements).toBe(5);
  });
});

describe('the demo clinic', () => {
  it('puts the client with the urgent risk alert first for the whole clinic, and answers every clinician', async () => {
    const { orgId } = await seedDemo(ctx.db, { now: ctx.clock.now(), clients: 12 });
    const staff = await ctx.db.select({ userId: memberships.userId, role: memberships.role }).from(memberships).where(eq(memberships.orgId, orgId));
    const cookieOf = async (userId: string) =>
      `${SESSION_COOKIE}=${(await createSession(ctx.db, { userId, orgId, stage: 'full', now: ctx.clock.now(), policy: { idleMinutes: 30, absoluteHours: 12 } })).token}`;
    const admin = staff.find((m) => m.role === 'admin')!;
    const whole = await caseload(await cookieOf(admin.userId), 'therapistId=all&limit=100');
    const [risk] = await ctx.db.select().from(alerts).where(and(eq(alerts.orgId, orgId), eq(alerts.kind, 'risk_item')));
    expect(whole.items[0]!.client.id).toBe(risk!.clientId);
    expect(whole.items[0]!.attention.tier).toBe('urgent');
    const active = await ctx.db.select({ id: clients.id }).from(clients).where(and(eq(clients.orgId, orgId), eq(clients.status, 'active')));
    expect(whole.total).toBe(active.length);
    const ranks = whole.items.map((i) => i.attention.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(whole.items.some((i) => i.lastScores.length > 0 && i.alliance !== null)).toBe(true);
    let seen = 0;
    for (const member of staff.filter((m) => m.role === 'clinician')) seen += (await caseload(await cookieOf(member.userId), 'limit=100')).total;
    expect(seen).toBeGreaterThanOrEqual(active.length);
  });
});
