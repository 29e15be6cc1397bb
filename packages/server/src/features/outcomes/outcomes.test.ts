import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { getInstrument, scoreResponse, SCORER_VERSION } from '@rapport/instruments';
import { RULES_VERSION } from '@rapport/analysis';
import { createTestContext, type TestContext } from '../../../test/context';
import { appointments, auditEvents, episodeOutcomes, episodes, responses } from '../../db/schema';
import { scoredResponseColumns } from '../instruments/org-instruments';
import { MIN_CLOSED_EPISODES } from './score-validity';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const DAY = 86_400_000;
const get = (url: string, cookie: string) => ctx.app.inject({ method: 'GET', url, headers: { cookie } });
const same = (prefix: string, count: number, each: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}_${i + 1}`, prefix === 'phq9' && i === 8 ? 0 : each]));

/** A depression episode: intake plus `sessions` attended treatment sessions, PHQ-9, GAD-7 and CORE-10 at the first and last. */
async function depressionEpisode(orgId: string, clientId: string, clinicianId: string, first: number, last: number, sessions = 3) {
  const start = new Date(ctx.clock.now().getTime() - (sessions + 2) * 7 * DAY);
  const [episode] = await ctx.db.insert(episodes).values({ orgId, clientId, primaryClinicianId: clinicianId, presentingProblem: 'depression', startedOn: start.toISOString().slice(0, 10) }).returning();
  for (let i = 0; i <= sessions; i++) {
    const startsAt = new Date(start.getTime() + i * 7 * DAY);
    const [visit] = await ctx.db.insert(appointments).values({ orgId, clientId, episodeId: episode!.id, clinicianId, startsAt, kind: i === 0 ? 'assessment' : 'treatment', status: 'attended' }).returning();
    if (i !== 0 && i !== sessions) continue;
    const level = i === 0 ? first : last;
    for (const [instrumentId, count] of [
      ['phq9', 9],
      ['gad7', 7],
      ['core10', 10],
    ] as const) {
      const answers = same(instrumentId, count, level);
      await ctx.db.insert(responses).values({
        orgId,
        clientId,
        episodeId: episode!.id,
        appointmentId: visit!.id,
        instrumentId,
        instrumentVersion: '1.0.0',
        respondent: 'client',
        status: 'completed',
        answers,
        ...scoredResponseColumns(scoreResponse(instrumentId, answers), getInstrument(instrumentId)),
        startedAt: startsAt,
        submittedAt: new Date(startsAt.getTime() - DAY),
      });
    }
  }
  return episode!;
}

describe('episode outcomes', () => {
  it('stores the Talking Therapies classification and the Jacobson–Truax category with the rule versions when the episode closes', async () => {
    const org = await ctx.buildOrganisation();
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
    // PHQ-9 16 → 0, GAD-7 14 → 0, CORE-10 20 → 8 (two items reversed): recovered and reliably improved on every measure.
    const episode = await depressionEpisode(org.id, client.id, clinician.userId, 2, 0);

    const open = await get(`/api/v1/clients/${client.id}/episodes/${episode.id}/outcome`, clinician.cookie);
    expect(open.statusCode).toBe(200);
    expect(open.json()).toMatchObject({ provisional: true, episodeClosed: false, attendedTreatmentSessions: 3, talkingTherapies: { finishedCourse: false, recovered: true } });

    const closed = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/clients/${client.id}/episodes/${episode.id}/close`,
      headers: { cookie: clinician.cookie },
      payload: { endedOn: ctx.clock.now().toISOString().slice(0, 10), endReason: 'completed' },
    });
    expect(closed.statusCode).toBe(200);
    const [stored] = await ctx.db.select().from(episodeOutcomes).where(eq(episodeOutcomes.episodeId, episode.id));
    expect(stored).toMatchObject({ provisional: false, episodeClosed: true, attendedTreatmentSessions: 3, scorerVersion: SCORER_VERSION, rulesVersion: RULES_VERSION });
    expect(stored!.talkingTherapies).toMatchObject({
      finishedCourse: true,
      casenessAtStart: true,
      casenessAtEnd: false,
      recovered: true,
      reliableImprovement: true,
      reliableDeterioration: false,
      reliableRecovery: true,
      inputs: { depression: { first: 16, last: 0 }, anxiety: { instrumentId: 'gad7', first: 14, last: 0 } },
      pairing: { instrumentId: 'gad7', fallback: false },
    });
    expect(stored!.clinicalSignificance).toMatchObject({ instrumentId: 'core10', before: 20, after: 8, category: 'recovered' });

    const read = await get(`/api/v1/clients/${client.id}/episodes/${episode.id}/outcome`, clinician.cookie);
    expect(read.json()).toMatchObject({ provisional: false, episodeClosed: true, scorerVersion: SCORER_VERSION, rulesVersion: RULES_VERSION, computedAt: stored!.computedAt.toISOString() });
    const events = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.clientId, client.id), eq(auditEvents.action, 'episode_outcome.read')));
    expect(events).toHaveLength(2);
  });

  it('says why a classification is missing when the scores are not there', async () => {
    const org = await ctx.buildOrganisation();
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
    const [episode] = await ctx.db.insert(episodes).values({ orgId: org.id, clientId: client.id, primaryClinicianId: clinician.userId, presentingProblem: 'gad', startedOn: '2026-01-05' }).returning();
    const res = await get(`/api/v1/clients/${client.id}/episodes/${episode!.id}/outcome`, clinician.cookie);
    expect(res.json()).toMatchObject({
      provisional: true,
      talkingTherapies: null,
      talkingTherapiesReason: 'needs at least two PHQ-9 scores (has 0)',
      clinicalSignificance: null,
      clinicalSignificanceReason: 'needs at least two CORE-10 scores (has 0)',
    });
  });

  it('answers 404 for an episode of another client', async () => {
    const org = await ctx.buildOrganisation();
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
    const otherClient = await ctx.buildClient(org.id, {}, [clinician.userId]);
    const [episode] = await ctx.db.insert(episodes).values({ orgId: org.id, clientId: otherClient.id, primaryClinicianId: clinician.userId, startedOn: '2026-01-05' }).returning();
    const res = await get(`/api/v1/clients/${client.id}/episodes/${episode!.id}/outcome`, clinician.cookie);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such episode.' } });
  });
});

describe('GET /api/v1/reports/score-validity', () => {
  it(`says how many more closed episodes are needed below ${MIN_CLOSED_EPISODES}, and reports from ${MIN_CLOSED_EPISODES}`, async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
    const closed = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ orgId: org.id, clientId: client.id, primaryClinicianId: clinician.userId, startedOn: '2025-01-01', endedOn: '2025-06-01', endReason: (i % 4 === 0 ? 'dropped_out' : 'completed') as 'dropped_out' | 'completed' }));
    await ctx.db.insert(episodes).values(closed(MIN_CLOSED_EPISODES - 1));
    await ctx.db.insert(episodes).values({ orgId: org.id, clientId: client.id, primaryClinicianId: clinician.userId, startedOn: '2026-01-01' });
    const short = await get('/api/v1/reports/score-validity', admin.cookie);
    expect(short.statusCode).toBe(200);
    expect(short.json()).toMatchObject({ status: 'insufficient_data', closedEpisodes: 49, minimumClosedEpisodes: 50, moreNeeded: 1, report: null });

    await ctx.db.insert(episodes).values(closed(1));
    const ready = await get('/api/v1/reports/score-validity', admin.cookie);
    expect(ready.json()).toMatchObject({ status: 'ready', closedEpisodes: 50, moreNeeded: 0, report: { closedEpisodes: 50, dropout: { episodes: 0, auc: null }, notOnTrack: { episodes: 0 } } });

    const byClinician = await get('/api/v1/reports/score-validity', clinician.cookie);
    expect(byClinician.statusCode).toBe(403);
    expect(byClinician.json().error.code).toBe('forbidden');
  });
});
