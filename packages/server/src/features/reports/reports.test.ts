import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context';
import { alerts, appointments, auditEvents, episodeOutcomes, episodes, memberships, responseDiscussions, responses, sessionRatings } from '../../db/schema';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const HOUR = 3_600_000;
const day = (d: string) => new Date(`${d}T10:00:00Z`);

/**
 * A hand-computed cohort: facts.md §C vectors 1–9 (every PHQ-9 / GAD-7 pair as the table gives it)
 * as episodes that ended in the first quarter of 2026, plus a finished course with one PHQ-9 only,
 * an episode that ended after the period and one still open. Expected figures are worked out by
 * hand beside each assertion.
 */
async function buildCohort() {
  const org = await ctx.buildOrganisation();
  const admin = await ctx.buildStaff(org.id, 'admin');
  const supervisor = await ctx.buildStaff(org.id, 'supervisor');
  const therapist = await ctx.buildStaff(org.id, 'clinician', { displayName: 'Ann Consenting' });
  await ctx.db.update(memberships).set({ calibrationConsent: true }).where(and(eq(memberships.orgId, org.id), eq(memberships.userId, therapist.userId)));
  const others = [];
  for (let i = 1; i <= 5; i++) others.push(await ctx.buildStaff(org.id, 'clinician', { displayName: `Other ${i}` }));
  let resultsInPeriod = 0;

  async function response(clientId: string, episodeId: string, instrumentId: string, total: number, at: Date, extra: Partial<typeof responses.$inferInsert> = {}) {
    if (at >= day('2026-01-01') && at < day('2026-04-01') && (extra.respondent ?? 'client') === 'client') resultsInPeriod++;
    const [row] = await ctx.db
      .insert(responses)
      .values({ orgId: org.id, clientId, episodeId, instrumentId, instrumentVersion: '1.0.0', respondent: 'client', status: 'completed', answers: {}, total: String(total), startedAt: at, submittedAt: at, createdAt: at, ...extra })
      .returning();
    return row!;
  }

  async function episode(input: { phq9: number[]; gad7: number[]; attended?: number; endedOn?: string | null; endReason?: 'completed' | 'dropped_out'; clinicianId?: string }) {
    const clinicianId = input.clinicianId ?? therapist.userId;
    const client = await ctx.buildClient(org.id, {}, [clinicianId]);
    const endedOn = input.endedOn === undefined ? '2026-03-01' : input.endedOn;
    const [ep] = await ctx.db
      .insert(episodes)
      .values({ orgId: org.id, clientId: client.id, primaryClinicianId: clinicianId, presentingProblem: 'depression', startedOn: '2026-01-05', endedOn, endReason: endedOn ? (input.endReason ?? 'completed') : null, createdAt: day('2026-01-05') })
      .returning();
    const visits = [];
    // One attended assessment and one missed treatment session each: neither counts towards a finished course.
    for (const [kind, status] of [['assessment', 'attended'], ['treatment', 'did_not_attend']] as const) {
      await ctx.db.insert(appointments).values({ orgId: org.id, clientId: client.id, episodeId: ep!.id, clinicianId, startsAt: day('2026-01-06'), kind, status });
    }
    for (let i = 0; i < (input.attended ?? 2); i++) {
      const [v] = await ctx.db.insert(appointments).values({ orgId: org.id, clientId: client.id, episodeId: ep!.id, clinicianId, startsAt: day(`2026-01-${10 + i}`), kind: 'treatment', status: 'attended' }).returning();
      visits.push(v!);
    }
    const rows: Record<string, (typeof responses.$inferSelect)[]> = { phq9: [], gad7: [] };
    for (const id of ['phq9', 'gad7'] as const) {
      for (const [i, total] of input[id].entries()) rows[id]!.push(await response(client.id, ep!.id, id, total, day(`2026-01-${10 + i * 7}`)));
    }
    return { client, episode: ep!, rows, visits };
  }

  // facts.md §C, vectors 1–8 (finished courses) and 9 (one attended treatment session).
  const v1 = await episode({ phq9: [15, 10, 20], gad7: [12, 5] }); // the last PHQ-9 (20) is corrected to 6 below
  const correction = await response(v1.client.id, v1.episode.id, 'phq9', 6, new Date(day('2026-01-24').getTime() + HOUR), { supersedesId: v1.rows.phq9![2]!.id });
  await episode({ phq9: [11, 8], gad7: [9, 7], endReason: 'dropped_out' }); // 2: recovered, not reliably
  const v3 = await episode({ phq9: [20, 12], gad7: [15, 10] }); // 3: reliably improved, still a case
  await episode({ phq9: [8, 9], gad7: [6, 7] }); // 4: not at caseness at start
  await episode({ phq9: [10, 16], gad7: [7, 7] }); // 5: deterioration exactly at +6
  await episode({ phq9: [14, 8], gad7: [8, 12] }); // 6: mixed (R1: not improved; deteriorated)
  await episode({ phq9: [10, 4], gad7: [7, 3] }); // 7: improvement exactly at −6
  await episode({ phq9: [9, 9], gad7: [8, 4] }); // 8: a case through GAD-7 = 8 only
  await episode({ phq9: [16, 5], gad7: [12, 4], attended: 1, endReason: 'dropped_out' }); // 9: a single attended session
  await episode({ phq9: [18], gad7: [12, 6], attended: 3 }); // finished, but one PHQ-9: outside every rate
  await episode({ phq9: [20, 5], gad7: [15, 3], endedOn: '2026-04-02' }); // ended after the period
  await episode({ phq9: [20, 5], gad7: [15, 3], endedOn: null }); // still open

  // Jacobson–Truax categories stored by the outcomes feature.
  for (const [e, category] of [[v1, 'recovered'], [v3, 'improved']] as const) {
    await ctx.db.insert(episodeOutcomes).values({
      orgId: org.id, clientId: e.client.id, episodeId: e.episode.id, provisional: false, episodeClosed: true, attendedTreatmentSessions: 2,
      clinicalSignificance: { available: true, category }, scorerVersion: '1.0.0', rulesVersion: '1', computedAt: day('2026-03-01'),
    });
  }

  // Questionnaires scheduled in the period: 3 sent (1 completed, 1 expired), 1 not yet sent; one outside.
  const a = (status: 'sent' | 'completed' | 'expired' | 'scheduled', on: string, sent = true) =>
    ctx.buildAssignment(org.id, v1.client.id, { status, scheduledFor: day(on), sentAt: sent ? day(on) : null, episodeId: v1.episode.id });
  const [completed] = [await a('completed', '2026-02-01'), await a('expired', '2026-02-02'), await a('sent', '2026-02-03'), await a('scheduled', '2026-03-30', false), await a('completed', '2026-05-01')];
  // Therapist ratings decided in the period: 2 rated, 1 skipped.
  for (const outcome of ['rated', 'rated', 'skipped'] as const) {
    const as = await ctx.buildAssignment(org.id, v1.client.id, { respondent: 'clinician', respondentUserId: therapist.userId, status: 'completed', scheduledFor: day('2025-12-01') });
    await ctx.db.insert(sessionRatings).values({ orgId: org.id, clientId: v1.client.id, assignmentId: as.id, userId: therapist.userId, outcome, skipReason: outcome === 'skipped' ? 'clinician' : null, decidedAt: day('2026-02-10') });
  }
  void completed;
  // Alerts raised in the period: acknowledged after 1 h, 2 h and 10 h; one still open.
  for (const [i, hours] of [1, 2, 10, null].entries()) {
    const createdAt = day('2026-02-15');
    await ctx.db.insert(alerts).values({
      orgId: org.id, clientId: v1.client.id, episodeId: v1.episode.id, kind: 'reliable_deterioration', evidenceKey: `k${i}`, evidence: {}, rulesVersion: '1', createdAt,
      acknowledgedAt: hours === null ? null : new Date(createdAt.getTime() + hours * HOUR), acknowledgedBy: hours === null ? null : therapist.userId,
    });
  }
  // Two results discussed with the client.
  for (const r of [correction, v3.rows.phq9![0]!]) {
    await ctx.db.insert(responseDiscussions).values({ orgId: org.id, clientId: r.clientId, responseId: r.id, discussedBy: therapist.userId, discussedAt: day('2026-03-01') });
  }
  resultsInPeriod--; // the superseded PHQ-9 of vector 1 is not a result of its own

  // Alliance: Ann (consented) 30 with her rating 34, then 36 unrated; Others 1–5 (no consent) 30 + i with their rating 32 + i, Other 5 on 31 March.
  async function allianceSession(clinicianId: string, client: number, therapistTotal: number | null, on: string) {
    const e = await episode({ phq9: [], gad7: [], attended: 0, endedOn: null, clinicianId });
    const [visit] = await ctx.db.insert(appointments).values({ orgId: org.id, clientId: e.client.id, episodeId: e.episode.id, clinicianId, startsAt: day(on), kind: 'treatment', status: 'attended' }).returning();
    await response(e.client.id, e.episode.id, 'rapport_alliance', client, day(on), { appointmentId: visit!.id });
    if (therapistTotal !== null) {
      await response(e.client.id, e.episode.id, 'rapport_alliance_therapist', therapistTotal, day(on), { appointmentId: visit!.id, respondent: 'clinician', respondentUserId: clinicianId });
    }
  }
  await allianceSession(therapist.userId, 30, 34, '2026-02-01');
  await allianceSession(therapist.userId, 36, null, '2026-02-08');
  for (const [i, o] of others.entries()) await allianceSession(o.userId, 31 + i, 33 + i, i === 4 ? '2026-03-31' : '2026-02-01');

  return { org, admin, supervisor, therapist, others, resultsInPeriod };
}

type Cohort = Awaited<ReturnType<typeof buildCohort>>;
let cohort: Cohort;
beforeAll(async () => {
  cohort = await buildCohort();
});

const get = (cookie: string, query: string, path = '/api/v1/reports/outcomes') => ctx.app.inject({ method: 'GET', url: `${path}?${query}`, headers: { cookie } });
const QUARTER = 'from=2026-01-01&to=2026-03-31';

describe('the outcome report', () => {
  it('counts the Talking Therapies rates of a hand-computed cohort with their numerators and denominators', async () => {
    const res = await get(cohort.admin.cookie, QUARTER);
    expect(res.statusCode).toBe(200);
    const tt = res.json().talkingTherapies;
    // Ended in the period: vectors 1–9 and the one-PHQ-9 course = 10. Finished courses: all but vector 9 = 9;
    // with paired scores: vectors 1–8 = 8. Not at caseness: vector 4.
    expect(tt).toMatchObject({ endedEpisodes: 10, finishedCourses: 9, finishedWithoutPairedScores: 1, finishedWithPairedScores: 8, notAtCaseness: 1 });
    // Recovered: 1, 2, 7, 8 over 8 − 1.
    expect(tt.recovery).toEqual({ numerator: 4, denominator: 7, rate: 4 / 7 });
    // Reliably improved: 1, 3, 7 (−6 inclusive), 8 (GAD −4) over 8; 6 is not under R1.
    expect(tt.reliableImprovement).toEqual({ numerator: 4, denominator: 8, rate: 0.5 });
    // Reliably recovered: 1, 7, 8 over the recovery denominator.
    expect(tt.reliableRecovery).toEqual({ numerator: 3, denominator: 7, rate: 3 / 7 });
    // Reliably deteriorated: 5 (+6 inclusive), 6 (GAD +4) over 8.
    expect(tt.reliableDeterioration).toEqual({ numerator: 2, denominator: 8, rate: 0.25 });
    // Dropped out: vectors 2 and 9 of 10 ended.
    expect(tt.dropout).toEqual({ numerator: 2, denominator: 10, rate: 0.2 });
  });

  it('gives the mean first-to-last change with Cohen’s d on the pre SD, using the corrected score', async () => {
    const body = (await get(cohort.admin.cookie, QUARTER)).json();
    const phq9 = body.change.find((c: { instrumentId: string }) => c.instrumentId === 'phq9');
    // Firsts 15 11 20 8 10 14 10 9 (sum 97), lasts 6 8 12 9 16 8 4 9 (sum 72); Σ(first − 12.125)² = 110.875.
    const sd = Math.sqrt(110.875 / 7);
    expect(phq9.n).toBe(8);
    expect(phq9.meanFirst).toBeCloseTo(12.125, 10);
    expect(phq9.meanLast).toBeCloseTo(9, 10);
    expect(phq9.meanChange).toBeCloseTo(-3.125, 10);
    expect(phq9.sdFirst).toBeCloseTo(sd, 10);
    expect(phq9.effectSize).toBeCloseTo(-3.125 / sd, 10);
    // GAD-7 over the same 8 plus the one-PHQ-9 course (12 → 6): firsts 12 9 15 6 7 8 7 8 12, lasts 5 7 10 7 7 12 3 4 6.
    const gad7 = body.change.find((c: { instrumentId: string }) => c.instrumentId === 'gad7');
    expect(gad7).toMatchObject({ n: 9 });
    expect(gad7.meanChange).toBeCloseTo((61 - 84) / 9, 10);
  });

  it('reports Jacobson–Truax categories, adherence, time to acknowledge, discussed share and dropout', async () => {
    const body = (await get(cohort.supervisor.cookie, QUARTER)).json();
    expect(body.jacobsonTruax).toEqual({ available: true, categories: [{ category: 'improved', count: 1 }, { category: 'recovered', count: 1 }] });
    expect(body.adherence).toEqual({
      sent: 3,
      completed: 1,
      expired: 1,
      completion: { numerator: 1, denominator: 3, rate: 1 / 3 },
      sessionsRated: { numerator: 2, denominator: 3, rate: 2 / 3 },
    });
    // Median of 1, 2, 10 h = 2 h; p90 (linear) = 2 + 0.8 × (10 − 2) = 8.4 h.
    expect(body.alertAcknowledgement.raised).toBe(4);
    expect(body.alertAcknowledgement.acknowledged).toBe(3);
    expect(body.alertAcknowledgement.medianHours).toBeCloseTo(2, 10);
    expect(body.alertAcknowledgement.p90Hours).toBeCloseTo(8.4, 10);
    expect(body.discussedWithClient).toEqual({ available: true, share: { numerator: 2, denominator: cohort.resultsInPeriod, rate: 2 / cohort.resultsInPeriod } });
  });

  it('names only consenting therapists and pools the others, unnamed, when five or more are in the pool', async () => {
    const body = (await get(cohort.admin.cookie, QUARTER)).json();
    expect(body.allianceByTherapist).toEqual([
      { therapistId: cohort.therapist.userId, name: 'Ann Consenting', pooled: false, therapists: 1, clientForm: 'rapport_alliance', sessions: 2, meanClientAlliance: 33, pairedSessions: 1, meanGap: 4 },
      { therapistId: null, name: null, pooled: true, therapists: 5, clientForm: 'rapport_alliance', sessions: 5, meanClientAlliance: 33, pairedSessions: 5, meanGap: 2 },
    ]);
    expect(body.alliancePool).toEqual({ pooledTherapists: 5, shown: true, reasonCode: null, reason: null });
    // Without 31 March only four others remain: their pool is not shown.
    const shorter = (await get(cohort.admin.cookie, 'from=2026-01-01&to=2026-03-30')).json();
    expect(shorter.allianceByTherapist.map((r: { name: string | null }) => r.name)).toEqual(['Ann Consenting']);
    expect(shorter.alliancePool).toMatchObject({ pooledTherapists: 4, shown: false });
    // PHQ-9 change by therapist: all the cohort's courses are Ann's.
    expect(body.changeByTherapist).toMatchObject([{ therapistId: cohort.therapist.userId, name: 'Ann Consenting', n: 8 }]);
  });

  it('withholds the alliance figures of a report filtered to one therapist who has not consented, saying why, in JSON and CSV', async () => {
    const other = cohort.others[0]!;
    const query = `${QUARTER}&clinicianId=${other.userId}`;
    for (const viewer of [cohort.admin, cohort.supervisor]) {
      const body = (await get(viewer.cookie, query)).json();
      expect(body.allianceByTherapist).toEqual([]);
      expect(body.alliancePool).toEqual({ pooledTherapists: 1, shown: false, reasonCode: 'therapist_not_consented', reason: 'the therapist has not consented to be named: not shown' });
    }
    const csv = (await get(cohort.admin.cookie, query, '/api/v1/reports/outcomes.csv')).body.trim().split('\r\n');
    expect(csv).toContain('alliance,not_shown,therapist_not_consented,,,1');
    expect(csv.filter((l) => l.startsWith('alliance,mean'))).toEqual([]);
    // The therapist themself keeps their figures; so does a consenting therapist, filtered by an admin.
    const own = (await get(other.cookie, query)).json();
    expect(own.allianceByTherapist).toMatchObject([{ therapistId: other.userId, meanClientAlliance: 31, meanGap: 2 }]);
    expect(own.alliancePool).toEqual({ pooledTherapists: 0, shown: false, reasonCode: null, reason: null });
    const consenting = (await get(cohort.admin.cookie, `${QUARTER}&clinicianId=${cohort.therapist.userId}`)).json();
    expect(consenting.allianceByTherapist).toMatchObject([{ therapistId: cohort.therapist.userId, name: 'Ann Consenting', meanClientAlliance: 33, meanGap: 4 }]);
    expect(consenting.alliancePool.reasonCode).toBeNull();
  });

  it('without a therapist filter, a pool under five is withheld as too small (a programme of few therapists is still an aggregate)', async () => {
    const shorter = (await get(cohort.admin.cookie, 'from=2026-01-01&to=2026-03-30')).json();
    expect(shorter.alliancePool).toEqual({ pooledTherapists: 4, shown: false, reasonCode: 'pool_too_small', reason: 'fewer than 5 therapists without consent: not shown' });
    const csv = (await get(cohort.admin.cookie, 'from=2026-01-01&to=2026-03-30', '/api/v1/reports/outcomes.csv')).body.trim().split('\r\n');
    expect(csv).toContain('alliance,not_shown,pool_too_small,,,4');
  });

  it('gives a clinician their own caseload only', async () => {
    const own = await get(cohort.others[0]!.cookie, QUARTER);
    expect(own.statusCode).toBe(200);
    expect(own.json().scope.clinicianId).toBe(cohort.others[0]!.userId);
    expect(own.json().talkingTherapies.endedEpisodes).toBe(0);
    expect(own.json().allianceByTherapist).toMatchObject([{ therapistId: cohort.others[0]!.userId, name: 'Other 1', meanClientAlliance: 31 }]);
    const someoneElse = await get(cohort.others[0]!.cookie, `${QUARTER}&clinicianId=${cohort.therapist.userId}`);
    expect(someoneElse.statusCode).toBe(403);
    expect(someoneElse.json()).toEqual({ error: { code: 'own_caseload_only', message: 'A clinician may only see the outcome report of their own caseload.' } });
  });

  it('leaves out, for a clinician, the client alliance ratings of sessions they have not rated yet (blind rating)', async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
    const now = ctx.clock.now();
    const [ep] = await ctx.db.insert(episodes).values({ orgId: org.id, clientId: client.id, primaryClinicianId: clinician.userId, startedOn: '2025-12-01' }).returning();
    for (const [i, total] of [20, 30].entries()) {
      const at = new Date(now.getTime() - (2 - i) * 86_400_000);
      const [visit] = await ctx.db.insert(appointments).values({ orgId: org.id, clientId: client.id, episodeId: ep!.id, clinicianId: clinician.userId, startsAt: at, kind: 'treatment', status: 'attended' }).returning();
      await ctx.db.insert(responses).values({ orgId: org.id, clientId: client.id, episodeId: ep!.id, appointmentId: visit!.id, instrumentId: 'rapport_alliance', instrumentVersion: '1.0.0', respondent: 'client', status: 'completed', answers: {}, total: String(total), startedAt: at, submittedAt: at });
      // The second session's rating is still owed.
      if (i === 1) await ctx.buildAssignment(org.id, client.id, { appointmentId: visit!.id, instrumentIds: ['rapport_alliance_therapist'], respondent: 'clinician', respondentUserId: clinician.userId, channel: 'in_session', scheduledFor: at });
    }
    const period = 'from=2025-12-01&to=2026-12-31';
    const mine = (await get(clinician.cookie, period)).json();
    expect(mine.allianceByTherapist).toMatchObject([{ therapistId: clinician.userId, sessions: 1, meanClientAlliance: 20 }]);
    const admins = (await get(admin.cookie, period)).json();
    // The clinician has not consented and is alone: an admin sees no named row and no pool.
    expect(admins.allianceByTherapist).toEqual([]);
    expect(admins.alliancePool).toEqual({ pooledTherapists: 1, shown: false, reasonCode: 'pool_too_small', reason: 'fewer than 5 therapists without consent: not shown' });
  });

  it.each([
    ['a missing period', '', 'querystring.from'],
    ['a malformed date', 'from=2026-13-01&to=2026-03-31', 'querystring.from'],
    ['a period ending before it starts', 'from=2026-03-01&to=2026-01-31', 'querystring.to'],
    ['an unknown parameter', `${QUARTER}&therapist=x`, undefined],
  ])('refuses %s with 400', async (_name, query, field) => {
    const res = await get(cohort.admin.cookie, query);
    expect(res.statusCode).toBe(400);
    if (field) expect(res.json().error.field).toBe(field);
  });

  it('exports the same figures as CSV with numerators and denominators in their own columns', async () => {
    const res = await get(cohort.admin.cookie, QUARTER, '/api/v1/reports/outcomes.csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toBe('section,metric,group,numerator,denominator,value');
    expect(lines).toContain(`talking_therapies,recovery,,4,7,${4 / 7}`);
    expect(lines).toContain('talking_therapies,reliableImprovement,,4,8,0.5');
    expect(lines).toContain('alliance,mean_client_alliance,Ann Consenting / rapport_alliance,,2,33');
    expect(lines).toContain('alliance,mean_client_alliance,pooled (5 therapists) / rapport_alliance,,5,33');
  });

  it('audits each report', async () => {
    const before = await ctx.db.select().from(auditEvents).where(eq(auditEvents.action, 'reports.outcomes'));
    await get(cohort.admin.cookie, QUARTER);
    const after = await ctx.db.select().from(auditEvents).where(eq(auditEvents.action, 'reports.outcomes'));
    expect(after.length).toBe(before.length + 1);
  });
});

