import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { getInstrument, scoreResponse } from '@rapport/instruments';
import { createTestContext, type TestContext } from '../../../test/context';
import { appointments, assignments, auditEvents, episodes, responses } from '../../db/schema';
import { scoredResponseColumns } from '../instruments/org-instruments';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const get = (url: string, cookie: string) => ctx.app.inject({ method: 'GET', url, headers: { cookie } });
const post = (url: string, cookie: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, headers: { cookie }, payload: payload as Record<string, unknown> });

const phq9 = (each: number, item9 = 0) => ({ ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`phq9_${i + 1}`, each])), phq9_9: item9, phq9_difficulty: 1 });
const gad7 = (each: number) => Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`gad7_${i + 1}`, each]));
const alliance = (prefix: string, each: number) => Object.fromEntries(['goals', 'tasks', 'bond', 'overall'].map((k) => [`${prefix}_${k}`, each]));

type Setup = Awaited<ReturnType<typeof world>>;

async function world() {
  const org = await ctx.buildOrganisation();
  const mine = await ctx.buildStaff(org.id, 'clinician', { displayName: 'Morgan Mine' });
  const offTeam = await ctx.buildStaff(org.id, 'clinician');
  const supervisor = await ctx.buildStaff(org.id, 'supervisor');
  const admin = await ctx.buildStaff(org.id, 'admin');
  const client = await ctx.buildClient(org.id, {}, [mine.userId]);
  const [episode] = await ctx.db
    .insert(episodes)
    .values({ orgId: org.id, clientId: client.id, primaryClinicianId: mine.userId, presentingProblem: 'depression', startedOn: '2026-01-05' })
    .returning();
  const elsewhere = await ctx.buildOrganisation();
  const stranger = await ctx.buildStaff(elsewhere.id, 'admin');
  return { org, mine, offTeam, supervisor, admin, client, episode: episode!, stranger };
}

async function visit(w: Setup, startsAt: Date) {
  const [row] = await ctx.db
    .insert(appointments)
    .values({ orgId: w.org.id, clientId: w.client.id, episodeId: w.episode.id, clinicianId: w.mine.userId, startsAt, kind: 'treatment', status: 'attended' })
    .returning();
  return row!;
}

/** A completed response stored exactly as a submission stores it. */
async function answer(w: Setup, instrumentId: string, answers: Record<string, number>, at: Date, extra: Partial<typeof responses.$inferInsert> = {}) {
  const definition = getInstrument(instrumentId);
  const [row] = await ctx.db
    .insert(responses)
    .values({
      orgId: w.org.id,
      clientId: w.client.id,
      episodeId: w.episode.id,
      instrumentId,
      instrumentVersion: definition.version,
      respondent: definition.respondent,
      status: 'completed',
      answers,
      ...scoredResponseColumns(scoreResponse(instrumentId, answers), definition),
      startedAt: at,
      submittedAt: at,
      createdAt: at,
      ...extra,
    })
    .returning();
  return row!;
}

const list = (w: Setup, cookie: string, query = '') => get(`/api/v1/clients/${w.client.id}/responses${query}`, cookie);

describe('GET /api/v1/clients/:clientId/responses', () => {
  it('lists each answer with its item text and option label, the score and band, and the session, audited', async () => {
    const w = await world();
    const session = await visit(w, new Date(ctx.clock.now().getTime() - DAY));
    const stored = await answer(w, 'phq9', phq9(2), new Date(session.startsAt.getTime() - HOUR), { appointmentId: session.id });
    const res = await list(w, w.mine.cookie);
    expect(res.statusCode).toBe(200);
    const [response] = res.json().items;
    expect(response).toMatchObject({
      id: stored.id,
      instrument: { id: 'phq9', shortName: 'PHQ-9', name: 'Patient Health Questionnaire-9' },
      respondent: 'client',
      completedAt: stored.submittedAt!.toISOString(),
      episodeId: w.episode.id,
      appointment: { id: session.id, startsAt: session.startsAt.toISOString() },
      scores: { total: 16, band: { id: 'moderately_severe', label: expect.any(String) } },
      flags: { riskEndorsed: false, riskUnanswered: false, items: [] },
      discussion: null,
    });
    expect(response.items).toHaveLength(10);
    expect(response.items[1]).toMatchObject({
      itemId: 'phq9_2',
      number: 2,
      text: { en: 'Feeling down, depressed, or hopeless' },
      value: 2,
      answerLabel: { en: 'More than half the days' },
      risk: null,
      endorsed: false,
    });
    expect(response.items[9]).toMatchObject({ itemId: 'phq9_difficulty', scored: false, value: 1 });
    const events = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'responses.read'), eq(auditEvents.clientId, w.client.id)));
    expect(events).toEqual([expect.objectContaining({ actorId: w.mine.userId, outcome: 'success', entityId: w.client.id })]);
  });

  it('marks the risk item and says whether it was endorsed', async () => {
    const w = await world();
    await answer(w, 'phq9', phq9(1, 0), new Date(ctx.clock.now().getTime() - 2 * DAY));
    await answer(w, 'phq9', phq9(1, 2), new Date(ctx.clock.now().getTime() - DAY));
    const [endorsed, calm] = (await list(w, w.mine.cookie)).json().items;
    expect(endorsed.flags).toEqual({ riskEndorsed: true, riskUnanswered: false, items: [{ kind: 'risk', itemId: 'phq9_9', riskKind: 'suicidal-ideation' }] });
    expect(endorsed.items[8]).toMatchObject({ itemId: 'phq9_9', value: 2, risk: { kind: 'suicidal-ideation', threshold: 1, clinicalSafety: false }, endorsed: true });
    expect(endorsed.items.filter((i: { risk: unknown }) => i.risk !== null)).toHaveLength(1);
    expect(calm.flags.riskEndorsed).toBe(false);
    expect(calm.items[8]).toMatchObject({ itemId: 'phq9_9', value: 0, risk: { kind: 'suicidal-ideation' }, endorsed: false });
  });

  it('shows only item numbers for licensed wording the clinic has no pack for, and the wording once it uploads one', async () => {
    const w = await world();
    await answer(w, 'isi', Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`isi_${i + 1}`, 2])), new Date(ctx.clock.now().getTime() - DAY));
    const before = (await list(w, w.mine.cookie)).json().items[0];
    expect(before.instrument).toMatchObject({ id: 'isi', shortName: 'ISI' });
    expect(before.scores.total).toBe(14);
    expect(before.items.map((i: { number: number; text: unknown; answerLabel: unknown; value: number }) => [i.number, i.text, i.answerLabel, i.value])).toEqual(
      Array.from({ length: 7 }, (_, i) => [i + 1, null, null, 2]),
    );
    const pack = {
      format: 'rapport-content-pack',
      instrumentId: 'isi',
      licence: { holder: 'Harbour Clinic', reference: 'L-42' },
      languages: ['en'],
      items: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`isi_${i + 1}`, { text: { en: `Sleep question ${i + 1}` }, options: Object.fromEntries([0, 1, 2, 3, 4].map((v) => [String(v), { en: `Level ${v}` }])) }])),
    };
    expect((await post('/api/v1/content-packs', w.admin.cookie, pack)).statusCode).toBe(201);
    const after = (await list(w, w.mine.cookie)).json().items[0];
    expect(after.items[0]).toMatchObject({ number: 1, text: { en: 'Sleep question 1' }, answerLabel: { en: 'Level 2' }, value: 2 });
  });

  it('keeps the client’s alliance rating of a session out until the clinician has rated it, and only for that clinician', async () => {
    const w = await world();
    const session = await visit(w, new Date(ctx.clock.now().getTime() - 3 * HOUR));
    const clientRating = await answer(w, 'rapport_alliance', alliance('rapport_alliance', 6), new Date(session.startsAt.getTime() + HOUR), { appointmentId: session.id });
    const phq = await answer(w, 'phq9', phq9(1), new Date(session.startsAt.getTime() - HOUR), { appointmentId: session.id });
    const [rating] = await ctx.db
      .insert(assignments)
      .values({
        orgId: w.org.id,
        clientId: w.client.id,
        episodeId: w.episode.id,
        appointmentId: session.id,
        instrumentIds: ['rapport_alliance_therapist'],
        respondent: 'clinician',
        respondentUserId: w.mine.userId,
        channel: 'in_session',
        status: 'sent',
        scheduledFor: session.startsAt,
      })
      .returning();
    const ids = async (cookie: string) => (await list(w, cookie)).json().items.map((r: { id: string }) => r.id);
    expect(await ids(w.mine.cookie)).toEqual([phq.id]);
    expect(await ids(w.supervisor.cookie)).toEqual([clientRating.id, phq.id]);
    // Nor can it be marked discussed while hidden.
    expect((await post(`/api/v1/clients/${w.client.id}/responses/${clientRating.id}/discussed`, w.mine.cookie, {})).statusCode).toBe(404);

    const rated = await post(`/api/v1/clients/${w.client.id}/assignments/${rating!.id}/rating`, w.mine.cookie, {
      submissionId: randomUUID(),
      answers: { rapport_alliance_therapist: alliance('rapport_alliance_therapist', 8) },
    });
    expect(rated.statusCode).toBe(200);
    const after = (await list(w, w.mine.cookie)).json().items;
    // The therapist's rating was given now, after the client's: newest first.
    expect(after.map((r: { instrument: { id: string } }) => r.instrument.id)).toEqual(['rapport_alliance_therapist', 'rapport_alliance', 'phq9']);
    expect(after[1]).toMatchObject({ id: clientRating.id, scores: { total: 24 }, items: expect.arrayContaining([expect.objectContaining({ itemId: 'rapport_alliance_bond', value: 6 })]) });
    expect(after[0]).toMatchObject({ respondent: 'clinician', respondentUserId: w.mine.userId, respondentName: 'Morgan Mine' });
  });

  it('pages newest first with a cursor, each response once, and refuses a forged cursor', async () => {
    const w = await world();
    const base = ctx.clock.now().getTime() - 10 * DAY;
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await answer(w, i % 2 ? 'gad7' : 'phq9', i % 2 ? gad7(1) : phq9(1), new Date(base + i * DAY)));
    const seen: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const res = await list(w, w.mine.cookie, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      sizes.push(body.items.length);
      seen.push(...body.items.map((r: { id: string }) => r.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(made.map((r) => r.id).reverse());

    const forged = await list(w, w.mine.cookie, `?cursor=${Buffer.from('{"t":"yesterday","id":"x"}').toString('base64url')}`);
    expect(forged.statusCode).toBe(400);
    expect(forged.json()).toEqual({ error: { code: 'bad_request', message: expect.any(String), field: 'cursor' } });
    const tooMany = await list(w, w.mine.cookie, '?limit=1000');
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.field).toBe('querystring.limit');
  });

  it('filters by instrument', async () => {
    const w = await world();
    await answer(w, 'phq9', phq9(1), new Date(ctx.clock.now().getTime() - 2 * DAY));
    const anxious = await answer(w, 'gad7', gad7(2), new Date(ctx.clock.now().getTime() - DAY));
    const body = (await list(w, w.mine.cookie, '?instrumentId=gad7')).json();
    expect(body.items.map((r: { id: string }) => r.id)).toEqual([anxious.id]);
    expect(body.nextCursor).toBeNull();
    expect((await list(w, w.mine.cookie, '?instrumentId=DROP%20TABLE')).statusCode).toBe(400);
  });

  it('lists a corrected response only in its latest version', async () => {
    const w = await world();
    const first = await answer(w, 'phq9', phq9(1), new Date(ctx.clock.now().getTime() - 2 * DAY));
    const correction = await answer(w, 'phq9', phq9(2), new Date(ctx.clock.now().getTime() - DAY), { supersedesId: first.id });
    const items = (await list(w, w.mine.cookie)).json().items;
    expect(items.map((r: { id: string; supersedesId: string | null }) => [r.id, r.supersedesId])).toEqual([[correction.id, first.id]]);
  });

  it('shows who marked a response discussed, when, and their note', async () => {
    const w = await world();
    const stored = await answer(w, 'phq9', phq9(1, 1), new Date(ctx.clock.now().getTime() - DAY));
    const marked = await post(`/api/v1/clients/${w.client.id}/responses/${stored.id}/discussed`, w.mine.cookie, { note: 'Safety plan reviewed together.' });
    expect(marked.statusCode).toBe(200);
    const [response] = (await list(w, w.supervisor.cookie)).json().items;
    expect(response.discussion).toEqual({ discussedBy: w.mine.userId, discussedByName: 'Morgan Mine', discussedAt: ctx.clock.now().toISOString(), note: 'Safety plan reviewed together.' });
  });

  it('is a 404 for another clinic and for a clinician off the care team, and says nothing of the client', async () => {
    const w = await world();
    await answer(w, 'phq9', phq9(3, 3), new Date(ctx.clock.now().getTime() - DAY));
    for (const cookie of [w.stranger.cookie, w.offTeam.cookie]) {
      const res = await list(w, cookie);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such client.' } });
    }
    expect((await list(w, w.admin.cookie)).json().items).toHaveLength(1);
  });
});
