import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { getInstrument, scoreResponse } from '@rapport/instruments';
import { RULES_VERSION } from '@rapport/analysis';
import { createTestContext, type TestContext } from '../../../test/context';
import { appointments, assignments, auditEvents, episodes, memberships, responses } from '../../db/schema';
import { scoredResponseColumns } from '../instruments/org-instruments';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const DAY = 86_400_000;
const get = (url: string, cookie: string) => ctx.app.inject({ method: 'GET', url, headers: { cookie } });

const alliance = (prefix: 'rapport_alliance' | 'rapport_alliance_therapist', each: number) =>
  Object.fromEntries(['goals', 'tasks', 'bond', 'overall'].map((item) => [`${prefix}_${item}`, each]));
const phq9 = (each: number) => Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`phq9_${i + 1}`, i === 8 ? 0 : each]));
const gad7 = (each: number) => Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`gad7_${i + 1}`, each]));

async function answer(orgId: string, clientId: string, episodeId: string, appointmentId: string, instrumentId: string, answers: Record<string, number>, at: Date, respondentUserId?: string) {
  const definition = getInstrument(instrumentId);
  const [row] = await ctx.db
    .insert(responses)
    .values({
      orgId,
      clientId,
      episodeId,
      appointmentId,
      instrumentId,
      instrumentVersion: definition.version,
      respondent: definition.respondent,
      respondentUserId: respondentUserId ?? null,
      status: 'completed',
      answers,
      ...scoredResponseColumns(scoreResponse(instrumentId, answers), definition),
      startedAt: at,
      submittedAt: at,
      createdAt: at,
    })
    .returning();
  return row!;
}

/**
 * An episode with weekly attended sessions: each session's client alliance item value, the
 * therapist's, PHQ-9 and GAD-7 item values (null = not answered).
 */
async function buildCase(orgId: string, clientId: string, clinicianId: string, sessions: Array<{ client: number | null; therapist: number | null; phq: number | null; gad?: number | null }>, options: { ended?: boolean } = {}) {
  const start = new Date(ctx.clock.now().getTime() - (sessions.length + 1) * 7 * DAY);
  const [episode] = await ctx.db
    .insert(episodes)
    .values({ orgId, clientId, primaryClinicianId: clinicianId, presentingProblem: 'depression', startedOn: start.toISOString().slice(0, 10), ...(options.ended ? { endedOn: ctx.clock.now().toISOString().slice(0, 10), endReason: 'completed' as const } : {}) })
    .returning();
  const visits = [];
  for (const [index, s] of sessions.entries()) {
    const startsAt = new Date(start.getTime() + index * 7 * DAY);
    const [visit] = await ctx.db
      .insert(appointments)
      .values({ orgId, clientId, episodeId: episode!.id, clinicianId, startsAt, kind: index === 0 ? 'assessment' : 'treatment', status: 'attended' })
      .returning();
    visits.push(visit!);
    if (s.phq !== null) await answer(orgId, clientId, episode!.id, visit!.id, 'phq9', phq9(s.phq), new Date(startsAt.getTime() - DAY));
    if (s.gad !== undefined && s.gad !== null) await answer(orgId, clientId, episode!.id, visit!.id, 'gad7', gad7(s.gad), new Date(startsAt.getTime() - DAY));
    if (s.client !== null) await answer(orgId, clientId, episode!.id, visit!.id, 'rapport_alliance', alliance('rapport_alliance', s.client), new Date(startsAt.getTime() + 2 * 3_600_000));
    if (s.therapist !== null) await answer(orgId, clientId, episode!.id, visit!.id, 'rapport_alliance_therapist', alliance('rapport_alliance_therapist', s.therapist), new Date(startsAt.getTime() + 3_600_000), clinicianId);
  }
  return { episode: episode!, visits };
}

async function world() {
  const org = await ctx.buildOrganisation();
  const admin = await ctx.buildStaff(org.id, 'admin');
  const supervisor = await ctx.buildStaff(org.id, 'supervisor');
  const mine = await ctx.buildStaff(org.id, 'clinician');
  const other = await ctx.buildStaff(org.id, 'clinician');
  const client = await ctx.buildClient(org.id, {}, [mine.userId]);
  // Steady at 8 per item (32/40) for four sessions, then 5 (20/40): a strict rupture; the therapist says 8 throughout.
  const built = await buildCase(org.id, client.id, mine.userId, [
    { client: 8, therapist: 8, phq: 2, gad: 2 },
    { client: 8, therapist: 8, phq: 2, gad: 2 },
    { client: 8, therapist: 8, phq: 2, gad: 2 },
    { client: 8, therapist: 8, phq: 2, gad: 2 },
    { client: 5, therapist: 8, phq: 3, gad: 2 },
  ]);
  const elsewhere = await ctx.buildOrganisation();
  const stranger = await ctx.buildStaff(elsewhere.id, 'admin');
  return { org, admin, supervisor, mine, other, client, stranger, ...built };
}

describe('GET /api/v1/clients/:clientId/alliance', () => {
  it('shows both ratings per session, the gap both ways with items, the rupture and the gap trend, audited', async () => {
    const w = await world();
    const res = await get(`/api/v1/clients/${w.client.id}/alliance`, w.mine.cookie);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.rulesVersion).toBe(RULES_VERSION);
    const measure = body.episodes[0].measures[0];
    expect(measure).toMatchObject({ clientInstrumentId: 'rapport_alliance', therapistInstrumentId: 'rapport_alliance_therapist', range: { min: 0, max: 40 } });
    expect(measure.sessions).toHaveLength(5);
    const last = measure.sessions[4];
    expect(last.client).toMatchObject({ score: 20, percent: 50 });
    expect(last.therapist).toMatchObject({ score: 32, percent: 80, userId: w.mine.userId });
    expect(last.gap).toMatchObject({ therapistMinusClientPercent: 30, clientMinusTherapistPercent: -30, direction: 'therapist_above', therapistAboveAlert: true, thresholdPercent: 10 });
    expect(last.gap.items).toHaveLength(4);
    expect(last.rupture).toMatchObject({ rupture: 'strict', rule: 'history_sd' });
    expect(measure.ruptures.filter((r: { level: string }) => r.level === 'total')).toEqual([expect.objectContaining({ sessionNumber: 5, rupture: 'strict' })]);
    expect(measure.ruptures.some((r: { level: string }) => r.level === 'item')).toBe(true);
    expect(measure.gapTrend.label).toBe('widening');
    const [event] = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'alliance.read'), eq(auditEvents.clientId, w.client.id)));
    expect(event).toMatchObject({ actorId: w.mine.userId, outcome: 'success' });
  });

  it('hides the client score of a session the clinician still has to rate, and only from that clinician', async () => {
    const w = await world();
    const lastVisit = w.visits[4]!;
    await ctx.db.insert(assignments).values({
      orgId: w.org.id,
      clientId: w.client.id,
      episodeId: w.episode.id,
      appointmentId: lastVisit.id,
      instrumentIds: ['rapport_alliance_therapist'],
      respondent: 'clinician',
      respondentUserId: w.mine.userId,
      channel: 'in_session',
      status: 'sent',
      scheduledFor: new Date(ctx.clock.now().getTime() - DAY),
    });
    const blind = (await get(`/api/v1/clients/${w.client.id}/alliance`, w.mine.cookie)).json();
    const session = blind.episodes[0].measures[0].sessions[4];
    expect(session).toMatchObject({ client: null, clientHidden: true, gap: null, rupture: null, lowAlliance: null });
    expect(blind.episodes[0].measures[0].ruptures).toEqual([]);
    expect(blind.ratingsOwed).toEqual([{ appointmentId: lastVisit.id, blindUntil: expect.any(String) }]);
    const supervisorView = (await get(`/api/v1/clients/${w.client.id}/alliance`, w.supervisor.cookie)).json();
    expect(supervisorView.episodes[0].measures[0].sessions[4]).toMatchObject({ clientHidden: false, client: { score: 20 } });
  });

  it.each([
    ['a clinician not on the care team', 'other'],
    ['another organisation', 'stranger'],
  ] as const)('hides the client from %s as 404', async (_case, who) => {
    const w = await world();
    for (const path of ['alliance', 'trajectories?instrumentId=phq9', 'dropout-risk', `episodes/${w.episode.id}/outcome`]) {
      const res = await get(`/api/v1/clients/${w.client.id}/${path}`, w[who].cookie);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such client.' } });
    }
  });
});

describe('GET /api/v1/clients/:clientId/trajectories', () => {
  it('returns scores with bands, caseness, reliable change against the first score and the default expected band', async () => {
    const w = await world();
    const res = await get(`/api/v1/clients/${w.client.id}/trajectories?instrumentId=phq9`, w.mine.cookie);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ clientId: w.client.id, episodeId: w.episode.id, instrumentId: 'phq9', caseness: { value: 10 } });
    expect(body.points.map((p: { score: number }) => p.score)).toEqual([16, 16, 16, 16, 24]);
    expect(body.points[0]).toMatchObject({ isCase: true, band: { id: 'moderately_severe' }, reliableChange: null });
    expect(body.points[4].reliableChange).toMatchObject({ direction: 'deteriorated', change: 8, threshold: 6 });
    expect(body.expectedBand).toMatchObject({ source: 'default', tolerance: 6 });
    expect(body.expectedBand.curve.length).toBeGreaterThanOrEqual(5);
    expect(body.points[4].expected).toMatchObject({ status: 'not_on_track', source: 'default' });
  });

  it('refuses an alliance form or an unknown instrument as 400', async () => {
    const w = await world();
    for (const instrumentId of ['rapport_alliance', 'nope']) {
      const res = await get(`/api/v1/clients/${w.client.id}/trajectories?instrumentId=${instrumentId}`, w.mine.cookie);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: { code: 'unknown_instrument', field: 'instrumentId', message: 'Choose a symptom measure the client answers, such as phq9.' } });
    }
  });
});

describe('GET /api/v1/clients/:clientId/dropout-risk', () => {
  it('lists every contributing factor with its points', async () => {
    const w = await world();
    await ctx.db.insert(appointments).values({ orgId: w.org.id, clientId: w.client.id, episodeId: w.episode.id, clinicianId: w.mine.userId, startsAt: new Date(ctx.clock.now().getTime() - DAY), status: 'did_not_attend' });
    const res = await get(`/api/v1/clients/${w.client.id}/dropout-risk`, w.mine.cookie);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.contributions).toEqual(
      expect.arrayContaining([
        { factor: 'symptoms_off_track', points: 2, detail: 'not on track and reliable deterioration' },
        { factor: 'missed_appointments', points: 1, detail: '1 cancelled or missed appointment' },
      ]),
    );
    expect(body.score).toBe(body.contributions.reduce((sum: number, c: { points: number }) => sum + c.points, 0));
    expect(body.factors).toMatchObject({ missedAppointments: 1, notOnTrack: true, reliableDeterioration: true });
    expect(body.note).toMatch(/not a validated instrument/);
  });
});

describe('calibration', () => {
  async function therapistWithRatings(orgId: string, gap: number) {
    const therapist = await ctx.buildStaff(orgId, 'clinician');
    const client = await ctx.buildClient(orgId, {}, [therapist.userId]);
    await buildCase(orgId, client.id, therapist.userId, [
      { client: 6, therapist: 6 + gap, phq: null },
      { client: 7, therapist: 7 + gap, phq: null },
      { client: 5, therapist: 5 + gap, phq: null },
    ]);
    return therapist;
  }

  it('gives a therapist their own report, with the organisation pooled only once five therapists contribute, naming none', async () => {
    const org = await ctx.buildOrganisation();
    const first = await therapistWithRatings(org.id, 2);
    const others = [];
    for (let i = 0; i < 3; i++) others.push(await therapistWithRatings(org.id, -1));
    const four = await get('/api/v1/me/calibration', first.cookie);
    expect(four.statusCode).toBe(200);
    expect(four.json()).toMatchObject({ userId: first.userId, organisation: null, minTherapists: 5, report: { thresholdPercent: 10, overall: { n: 3, meanGap: 20, therapistAboveCount: 3, therapistAboveShare: 1 } } });
    expect(four.json().report.overall.correlation).toBeCloseTo(1, 10);
    others.push(await therapistWithRatings(org.id, -1));
    const five = await get('/api/v1/me/calibration', first.cookie);
    const body = five.json();
    expect(body.organisation).toMatchObject({ therapists: 5, overall: { n: 15 } });
    expect(body.organisation.overall.meanGap).toBeCloseTo((3 * 20 - 12 * 10) / 15, 10);
    const text = five.body;
    for (const o of others) {
      expect(text).not.toContain(o.userId);
      expect(text).not.toContain(o.email);
    }
  });

  it('shows a supervisor a therapist’s report only with the therapist’s consent, else 404; a clinician may not ask (403)', async () => {
    const org = await ctx.buildOrganisation();
    const therapist = await therapistWithRatings(org.id, 1);
    const supervisor = await ctx.buildStaff(org.id, 'supervisor');
    const admin = await ctx.buildStaff(org.id, 'admin');
    const colleague = await ctx.buildStaff(org.id, 'clinician');
    const url = `/api/v1/users/${therapist.userId}/calibration`;
    const without = await get(url, supervisor.cookie);
    expect(without.statusCode).toBe(404);
    expect(without.json()).toEqual({ error: { code: 'not_found', message: 'No such calibration report.' } });
    const byColleague = await get(url, colleague.cookie);
    expect(byColleague.statusCode).toBe(403);
    expect(byColleague.json().error.code).toBe('forbidden');
    await ctx.db.update(memberships).set({ calibrationConsent: true }).where(and(eq(memberships.orgId, org.id), eq(memberships.userId, therapist.userId)));
    for (const viewer of [supervisor, admin]) {
      const res = await get(url, viewer.cookie);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ userId: therapist.userId, report: { overall: { n: 3, meanGap: 10 } } });
    }
    const elsewhere = await ctx.buildOrganisation();
    const foreign = await ctx.buildStaff(elsewhere.id, 'supervisor');
    expect((await get(url, foreign.cookie)).statusCode).toBe(404);
  });
});
