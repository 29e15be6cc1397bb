import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreResponse } from '@rapport/instruments';
import { createTestContext, type TestContext } from '../../../test/context';
import { alerts, appointments, episodes, responses } from '../../db/schema';
import { CLINIC_REFERENCE_TTL_MS, alertRulesNeedHistory, evaluateResponseAlerts } from './alert-engine';

/**
 * Table tests of the integration rules: stored responses in, alerts out, through the same engine
 * the submit transaction runs. The rules' own boundaries are tested in @rapport/analysis.
 */
let ctx: TestContext;
let orgId: string;
let clinicianId: string;
const DAY = 86_400_000;

beforeAll(async () => {
  ctx = await createTestContext();
  orgId = (await ctx.buildOrganisation()).id;
  clinicianId = (await ctx.buildStaff(orgId, 'clinician')).userId;
});
afterAll(() => ctx.close());

async function newEpisode() {
  const client = await ctx.buildClient(orgId, {}, [clinicianId]);
  const [episode] = await ctx.db.insert(episodes).values({ orgId, clientId: client.id, primaryClinicianId: clinicianId, startedOn: '2026-01-01', createdAt: ctx.clock.now() }).returning();
  return { clientId: client.id, episodeId: episode!.id };
}

type Episode = Awaited<ReturnType<typeof newEpisode>>;
let tick = 0;

async function appointment(e: Episode, status: 'attended' | 'did_not_attend' = 'attended') {
  const at = new Date(ctx.clock.now().getTime() + ++tick * DAY);
  const [row] = await ctx.db.insert(appointments).values({ orgId, clientId: e.clientId, episodeId: e.episodeId, clinicianId, startsAt: at, status, createdAt: at, updatedAt: at }).returning();
  return row!;
}

/** Stores a completed, scored response and runs the engine on it, as the submit transaction does. */
async function respond(e: Episode, instrumentId: string, answers: Record<string, number>, options: { appointmentId?: string; respondent?: 'client' | 'clinician' } = {}) {
  const score = scoreResponse(instrumentId, answers);
  const at = new Date(ctx.clock.now().getTime() + ++tick * DAY);
  const [row] = await ctx.db
    .insert(responses)
    .values({
      orgId,
      clientId: e.clientId,
      episodeId: e.episodeId,
      appointmentId: options.appointmentId ?? null,
      instrumentId,
      instrumentVersion: '1.0.0',
      respondent: options.respondent ?? 'client',
      respondentUserId: options.respondent === 'clinician' ? clinicianId : null,
      status: 'completed',
      answers,
      total: score.total === null ? null : String(score.total),
      subscales: {},
      startedAt: at,
      submittedAt: at,
      createdAt: at,
    })
    .returning();
  return ctx.db.transaction((tx) => evaluateResponseAlerts(tx, { responseIds: [row!.id], now: at }));
}

const alliance = (total: number, prefix = 'rapport_alliance') => {
  const base = Math.floor(total / 4);
  const values = [0, 1, 2, 3].map((i) => base + (i < total - base * 4 ? 1 : 0));
  return Object.fromEntries(['goals', 'tasks', 'bond', 'overall'].map((n, i) => [`${prefix}_${n}`, values[i]!]));
};
const phq9 = (total: number) => Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`phq9_${i + 1}`, i === 8 ? 0 : Math.min(3, Math.max(0, total - i * 3))]));

async function kindsOf(e: Episode) {
  const rows = await ctx.db.select().from(alerts).where(eq(alerts.clientId, e.clientId));
  return rows.map((a) => a.kind).sort();
}

describe('alliance rupture on the client series', () => {
  it.each([
    ['steady then a drop past 2 SD', [32, 33, 32, 33, 24], 'strict', 'history_sd'],
    ['steady then a drop past 1 SD only', [32, 33, 32, 33, 30], 'lenient', 'history_sd'],
    ['steady then a dip above the lenient threshold', [32, 33, 32, 33, 31], null, null],
    ['two sessions, a drop of 10 % of the range', [30, 26], 'lenient', 'previous_drop'],
    ['two sessions, a drop under 10 %', [30, 27], null, null],
    ['the first session, however low', [5], null, null],
  ])('%s', async (_case, series, level, rule) => {
    const e = await newEpisode();
    for (const total of series) await respond(e, 'rapport_alliance', alliance(total));
    const rows = await ctx.db.select().from(alerts).where(and(eq(alerts.clientId, e.clientId), eq(alerts.kind, 'alliance_rupture')));
    if (level === null) return expect(rows).toEqual([]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.evidence).toMatchObject({ rupture: level, rule, score: series[series.length - 1], level: 'total', repair: { status: 'pending' } });
    expect(rows[0]!.rulesVersion).toBe('1.0.0');
  });

  it('records an unrepaired rupture once three later sessions stay low', async () => {
    const e = await newEpisode();
    for (const total of [32, 33, 32, 33, 24, 25, 26, 27]) await respond(e, 'rapport_alliance', alliance(total));
    const [rupture] = await ctx.db.select().from(alerts).where(and(eq(alerts.clientId, e.clientId), eq(alerts.kind, 'alliance_rupture'), eq(alerts.evidenceKey, (await firstRuptureKey(e))!)));
    expect(rupture!.evidence.repair).toMatchObject({ status: 'unrepaired', repairedByResponseId: null });
  });
});

async function firstRuptureKey(e: Episode) {
  const rows = await ctx.db.select().from(alerts).where(and(eq(alerts.clientId, e.clientId), eq(alerts.kind, 'alliance_rupture')));
  return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0]?.evidenceKey;
}

describe('therapist above client, per session', () => {
  it.each([
    ['therapist 4 points (10 %) above: at the threshold', 30, 34, false],
    ['therapist 5 points above', 30, 35, true],
    ['client 10 points above', 34, 24, false],
  ])('%s', async (_case, client, therapist, expected) => {
    const e = await newEpisode();
    const appt = await appointment(e);
    await respond(e, 'rapport_alliance_therapist', alliance(therapist, 'rapport_alliance_therapist'), { appointmentId: appt.id, respondent: 'clinician' });
    await respond(e, 'rapport_alliance', alliance(client), { appointmentId: appt.id });
    const rows = await ctx.db.select().from(alerts).where(and(eq(alerts.clientId, e.clientId), eq(alerts.kind, 'therapist_over_client')));
    expect(rows.length).toBe(expected ? 1 : 0);
    if (expected) expect(rows[0]).toMatchObject({ evidenceKey: `appointment:${appt.id}`, evidence: expect.objectContaining({ clientScore: client, therapistScore: therapist }) });
  });
});

describe('symptoms', () => {
  it.each([
    ['PHQ-9 up 6 from the first score (the published threshold)', [10, 16], ['reliable_deterioration']],
    ['PHQ-9 up 5', [10, 15], []],
    ['PHQ-9 still deteriorated at the next session: one alert while it stands', [10, 16, 17], ['reliable_deterioration']],
  ])('%s', async (_case, series, expected) => {
    const e = await newEpisode();
    for (const total of series) await respond(e, 'phq9', phq9(total));
    expect((await kindsOf(e)).filter((k) => k === 'reliable_deterioration')).toEqual(expected);
  });

  it('flags PHQ-9 not on track against the default curve and says which curve it used', async () => {
    const e = await newEpisode();
    // Intake 20 (severe band, default a = 23.5): by session 8 the default expects 14.3, tolerance 6 → above 20.3 is not on track.
    for (const total of [20, 20, 20, 20, 20, 20, 20, 22]) await respond(e, 'phq9', phq9(total));
    const [row] = await ctx.db.select().from(alerts).where(and(eq(alerts.clientId, e.clientId), eq(alerts.kind, 'not_on_track')));
    expect(row!.evidence).toMatchObject({ source: 'default', intakeScore: 20, score: 22, sessionNumber: 8 });
  });
});

describe("not on track against the clinic's own curves", () => {
  /** A PHQ-9 series of a new episode in `org`, each response evaluated at `now` (the engine's clock). */
  async function seriesAt(org: { orgId: string; clinicianId: string }, totals: number[], now: Date, endedOn: string | null = null) {
    const client = await ctx.buildClient(org.orgId, {}, [org.clinicianId]);
    const [episode] = await ctx.db.insert(episodes).values({ orgId: org.orgId, clientId: client.id, primaryClinicianId: org.clinicianId, startedOn: '2025-01-01', endedOn, createdAt: now }).returning();
    for (const [i, total] of totals.entries()) {
      const at = new Date(now.getTime() - (totals.length - i) * DAY);
      const answers = phq9(total);
      const [row] = await ctx.db
        .insert(responses)
        .values({ orgId: org.orgId, clientId: client.id, episodeId: episode!.id, instrumentId: 'phq9', instrumentVersion: '1.0.0', respondent: 'client', status: 'completed', answers, total: String(scoreResponse('phq9', answers).total), subscales: {}, startedAt: at, submittedAt: at, createdAt: at })
        .returning();
      if (!endedOn) await ctx.db.transaction((tx) => evaluateResponseAlerts(tx, { responseIds: [row!.id], now }));
    }
    const [alert] = await ctx.db.select().from(alerts).where(and(eq(alerts.clientId, client.id), eq(alerts.kind, 'not_on_track')));
    return alert?.evidence.source;
  }
  const newClinic = async () => {
    const org = await ctx.buildOrganisation();
    return { orgId: org.id, clinicianId: (await ctx.buildStaff(org.id, 'clinician')).userId };
  };
  const offTrack = [20, 20, 20, 20, 20, 20, 20, 22];

  it('uses them once 30 finished episodes exist, rereading the reference after its time to live, never across clinics', async () => {
    const clinic = await newClinic();
    const t0 = new Date('2026-05-04T09:00:00Z');
    expect(await seriesAt(clinic, offTrack, t0)).toBe('default');
    // 30 finished episodes from an intake of 20 (the severe band), each down to 8 by session 8.
    for (let k = 0; k < 30; k++) await seriesAt(clinic, [20, 18, 16, 14, 13, 11, 10, 8 + (k % 3)], t0, '2025-06-01');
    // Within the time to live the reference read at t0 (not enough finished episodes) still holds…
    expect(await seriesAt(clinic, offTrack, new Date(t0.getTime() + 60_000))).toBe('default');
    // …after it, the clinic's own curves.
    expect(await seriesAt(clinic, offTrack, new Date(t0.getTime() + CLINIC_REFERENCE_TTL_MS + 60_000))).toBe('organisation');
    // Another clinic at the same moment has no finished episodes: the default curve.
    expect(await seriesAt(await newClinic(), offTrack, new Date(t0.getTime() + CLINIC_REFERENCE_TTL_MS + 60_000))).toBe('default');
  });
});

describe("low alliance against the clinic's lowest decile (an instrument without a published cut-off)", () => {
  /** A new episode's first client rating on Rapport's own alliance scale in `org`, evaluated at `now`; its low-alliance alert, if any. */
  async function firstRatingAt(org: { orgId: string; clinicianId: string }, total: number, now: Date, evaluate = true) {
    const client = await ctx.buildClient(org.orgId, {}, [org.clinicianId]);
    const [episode] = await ctx.db.insert(episodes).values({ orgId: org.orgId, clientId: client.id, primaryClinicianId: org.clinicianId, startedOn: '2026-01-01', createdAt: now }).returning();
    const answers = alliance(total);
    const [row] = await ctx.db
      .insert(responses)
      .values({ orgId: org.orgId, clientId: client.id, episodeId: episode!.id, instrumentId: 'rapport_alliance', instrumentVersion: '1.0.0', respondent: 'client', status: 'completed', answers, total: String(total), subscales: {}, startedAt: now, submittedAt: now, createdAt: now })
      .returning();
    if (!evaluate) return undefined;
    await ctx.db.transaction((tx) => evaluateResponseAlerts(tx, { responseIds: [row!.id], now }));
    const [alert] = await ctx.db.select().from(alerts).where(and(eq(alerts.clientId, client.id), eq(alerts.kind, 'low_alliance')));
    return alert;
  }

  it('judges a first rating against the clinic\'s other first ratings once 30 exist, rereading them after the time to live', async () => {
    const org = await ctx.buildOrganisation();
    const clinic = { orgId: org.id, clinicianId: (await ctx.buildStaff(org.id, 'clinician')).userId };
    const t0 = new Date('2026-05-04T09:00:00Z');
    // 29 first ratings from 20 to 34: one short of the 30 the rule needs, so a rating of 10 is not judged.
    for (let k = 0; k < 29; k++) await firstRatingAt(clinic, 20 + (k % 15), t0, false);
    const notYet = new Date(t0.getTime() + 1_000);
    expect(await firstRatingAt(clinic, 10, notYet)).toBeUndefined();
    // 30 other ratings now (the 10 just judged is the 30th), but within the time to live the reference read above (29) still holds.
    expect(await firstRatingAt(clinic, 10, new Date(notYet.getTime() + 60_000))).toBeUndefined();
    // After it: the clinic's ratings are read again (31 others, the rating judged left out) and 10 is in their lowest decile.
    const later = new Date(notYet.getTime() + CLINIC_REFERENCE_TTL_MS + 60_000);
    const low = await firstRatingAt(clinic, 10, later);
    expect(low!.evidence).toMatchObject({ rule: 'org_lowest_decile', organisationRatings: 31, sessionNumber: 1, score: 10, earlyDropoutSignal: true });
    expect(low!.evidence.percentileRank as number).toBeLessThan(0.1);
    // A rating in the middle of the clinic's is not low.
    expect(await firstRatingAt(clinic, 27, new Date(later.getTime() + 1_000))).toBeUndefined();
  });
});

describe('dropout risk', () => {
  it('counts a deterioration raised by the same response (the rules share one read of the episode)', async () => {
    const e = await newEpisode();
    for (let i = 0; i < 3; i++) await appointment(e, 'did_not_attend');
    await respond(e, 'phq9', phq9(10));
    await respond(e, 'phq9', phq9(16));
    const rows = await ctx.db.select().from(alerts).where(eq(alerts.clientId, e.clientId));
    const deterioration = rows.find((a) => a.kind === 'reliable_deterioration');
    const dropout = rows.find((a) => a.kind === 'dropout_risk');
    expect(dropout?.responseId).toBe(deterioration?.responseId);
    expect(dropout!.evidence).toMatchObject({ level: 'high', contributions: [{ factor: 'symptoms_off_track' }, { factor: 'missed_appointments', points: 3 }] });
  });

  it("counts an unrepaired rupture on the episode's alliance series", async () => {
    const e = await newEpisode();
    for (let i = 0; i < 3; i++) await appointment(e, 'did_not_attend');
    for (const total of [32, 33, 32, 33, 24, 25, 26, 27]) await respond(e, 'rapport_alliance', alliance(total));
    const [dropout] = await ctx.db.select().from(alerts).where(and(eq(alerts.clientId, e.clientId), eq(alerts.kind, 'dropout_risk')));
    const factors = ((dropout?.evidence.contributions ?? []) as Array<{ factor: string }>).map((c) => c.factor);
    expect(factors).toContain('unrepaired_rupture');
  });

  it('raises a high dropout risk once, listing every factor with its points', async () => {
    const e = await newEpisode();
    for (let i = 0; i < 3; i++) await appointment(e, 'did_not_attend');
    await respond(e, 'phq9', phq9(10));
    await respond(e, 'phq9', phq9(16));
    await respond(e, 'phq9', phq9(17));
    const rows = await ctx.db.select().from(alerts).where(and(eq(alerts.clientId, e.clientId), eq(alerts.kind, 'dropout_risk')));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.evidence).toMatchObject({
      level: 'high',
      score: 5,
      contributions: [
        { factor: 'symptoms_off_track', points: 2 },
        { factor: 'missed_appointments', points: 3 },
      ],
    });
  });
});

describe('which submissions the rules need history for (the submit skips the engine otherwise)', () => {
  const row = (instrumentId: string, respondent: 'client' | 'clinician', episodeId: string | null, total: string | null = '5') =>
    ({
      id: '00000000-0000-4000-8000-000000000001',
      orgId: '00000000-0000-4000-8000-000000000004',
      clientId: '00000000-0000-4000-8000-000000000002',
      assignmentId: null,
      episodeId,
      appointmentId: null,
      instrumentId,
      instrumentVersion: '1.0.0',
      respondent,
      respondentUserId: null,
      status: 'completed',
      submissionId: null,
      answers: {},
      complete: true,
      total,
      subscales: {},
      bandId: null,
      bandLabel: null,
      flags: [],
      prorated: false,
      scoreDetail: {},
      scorerVersion: '1.0.0',
      channel: 'email',
      supersedesId: null,
      startedAt: new Date('2026-03-02T10:00:00Z'),
      submittedAt: new Date('2026-03-02T10:05:00Z'),
      createdAt: new Date('2026-03-02T10:05:00Z'),
    }) as typeof responses.$inferSelect;
  // A database that fails on any use: the engine given these rows must not touch it when no history is needed.
  const noDatabase = new Proxy({}, { get: () => { throw new Error('the engine read the database'); } }) as never;
  const episode = '00000000-0000-4000-8000-000000000003';

  it.each([
    ['a PHQ-9 without an episode', row('phq9', 'client', null), false],
    ['a PHQ-9 in an episode', row('phq9', 'client', episode), true],
    ["a clinician's PHQ-9 in an episode", row('phq9', 'clinician', episode), false],
    ['an unscored PHQ-9 in an episode', row('phq9', 'client', episode, null), false],
    ["a client's alliance form without an episode", row('wai_sr', 'client', null), true],
    ['an unknown (custom) instrument in an episode', row('clinic_sleep', 'client', episode), false],
  ])('%s', async (_case, r, needs) => {
    expect(alertRulesNeedHistory([r])).toBe(needs);
    const evaluated = evaluateResponseAlerts(noDatabase, { responseIds: [r.id], rows: [r], now: ctx.clock.now() });
    if (needs) await expect(evaluated).rejects.toThrow('the engine read the database');
    else await expect(evaluated).resolves.toEqual([]);
  });
});
