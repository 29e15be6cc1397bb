import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvents, careTeamMembers, programmes } from '../../db/schema';
import { createTestContext, type TestContext } from '../../../test/context';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

type Method = 'GET' | 'POST' | 'PATCH';
const call = (method: Method, url: string, cookie: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: { cookie }, ...(payload ? { payload } : {}) });

async function clinic() {
  const org = await ctx.buildOrganisation();
  const admin = await ctx.buildStaff(org.id, 'admin');
  const supervisor = await ctx.buildStaff(org.id, 'supervisor');
  const clinician = await ctx.buildStaff(org.id, 'clinician');
  const offTeam = await ctx.buildStaff(org.id, 'clinician');
  const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
  const [programme] = await ctx.db.insert(programmes).values({ orgId: org.id, name: 'Adults', createdAt: ctx.clock.now() }).returning();
  const base = `/api/v1/clients/${client.id}/episodes`;
  return { org, admin, supervisor, clinician, offTeam, client, programme: programme!, base };
}

const open = { presentingProblem: 'gad', startedOn: '2026-03-01' };

describe('episodes of care', () => {
  it('lets a care-team clinician open an episode as its primary clinician, audited', async () => {
    const c = await clinic();
    const res = await call('POST', c.base, c.clinician.cookie, { ...open, programmeId: c.programme.id });
    expect(res.statusCode).toBe(201);
    const episode = res.json();
    expect(episode).toMatchObject({ clientId: c.client.id, programmeId: c.programme.id, primaryClinicianId: c.clinician.userId, presentingProblem: 'gad', startedOn: '2026-03-01', endedOn: null, endReason: null, status: 'open' });
    const list = await call('GET', c.base, c.clinician.cookie);
    expect(list.json().items.map((e: { id: string }) => e.id)).toEqual([episode.id]);
    const one = await call('GET', `${c.base}/${episode.id}`, c.clinician.cookie);
    expect(one.statusCode).toBe(200);
    const events = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, c.org.id), eq(auditEvents.clientId, c.client.id)));
    expect(events.map((e) => [e.action, e.entityType, e.actorId])).toEqual([
      ['episode.create', 'episode', c.clinician.userId],
      ['episodes.list', 'episode', c.clinician.userId],
      ['episode.read', 'episode', c.clinician.userId],
    ]);
    expect(events[0]!.entityId).toBe(episode.id);
  });

  it('puts the chosen primary clinician on the care team', async () => {
    const c = await clinic();
    const res = await call('POST', c.base, c.supervisor.cookie, { ...open, primaryClinicianId: c.offTeam.userId });
    expect(res.statusCode).toBe(201);
    const team = await ctx.db.select().from(careTeamMembers).where(eq(careTeamMembers.clientId, c.client.id));
    expect(team.map((m) => m.userId).sort()).toEqual([c.clinician.userId, c.offTeam.userId].sort());
    expect((await call('GET', c.base, c.offTeam.cookie)).statusCode).toBe(200);
  });

  it('allows at most one open episode per client', async () => {
    const c = await clinic();
    expect((await call('POST', c.base, c.clinician.cookie, open)).statusCode).toBe(201);
    const second = await call('POST', c.base, c.clinician.cookie, { ...open, startedOn: '2026-03-02' });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('episode_open');
  });

  it('opens only one of two episodes requested at the same moment', async () => {
    const c = await clinic();
    const results = await Promise.all([
      call('POST', c.base, c.clinician.cookie, open),
      call('POST', c.base, c.clinician.cookie, { ...open, presentingProblem: 'panic' }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
  });

  it('closes an episode with a reason, once, and then allows a new one', async () => {
    const c = await clinic();
    const episode = (await call('POST', c.base, c.clinician.cookie, open)).json();
    const closed = await call('POST', `${c.base}/${episode.id}/close`, c.clinician.cookie, { endedOn: '2026-05-01', endReason: 'completed' });
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ endedOn: '2026-05-01', endReason: 'completed', status: 'closed' });
    const again = await call('POST', `${c.base}/${episode.id}/close`, c.clinician.cookie, { endedOn: '2026-05-02', endReason: 'dropped_out' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('episode_closed');
    expect((await call('POST', c.base, c.clinician.cookie, { ...open, startedOn: '2026-06-01' })).statusCode).toBe(201);
    const events = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.clientId, c.client.id), eq(auditEvents.action, 'episode.close')));
    expect(events).toEqual([expect.objectContaining({ entityId: episode.id, outcome: 'success' })]);
  });

  it('refuses an end date before the start, naming the field', async () => {
    const c = await clinic();
    const episode = (await call('POST', c.base, c.clinician.cookie, open)).json();
    const res = await call('POST', `${c.base}/${episode.id}/close`, c.clinician.cookie, { endedOn: '2026-02-28', endReason: 'referred_on' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'bad_request', message: 'The end date cannot be before the episode started.', field: 'endedOn' } });
  });

  it('updates an episode: presenting problem, programme and primary clinician, audited', async () => {
    const c = await clinic();
    const episode = (await call('POST', c.base, c.clinician.cookie, open)).json();
    const res = await call('PATCH', `${c.base}/${episode.id}`, c.admin.cookie, { presentingProblem: 'social_anxiety', programmeId: c.programme.id, primaryClinicianId: c.offTeam.userId });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ presentingProblem: 'social_anxiety', programmeId: c.programme.id, primaryClinicianId: c.offTeam.userId });
    expect((await call('GET', c.base, c.offTeam.cookie)).statusCode).toBe(200);
    const events = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.clientId, c.client.id), eq(auditEvents.action, 'episode.update')));
    expect(events).toEqual([expect.objectContaining({ actorId: c.admin.userId, entityId: episode.id })]);
  });

  it('refuses to move the start of a closed episode past its end', async () => {
    const c = await clinic();
    const episode = (await call('POST', c.base, c.clinician.cookie, open)).json();
    await call('POST', `${c.base}/${episode.id}/close`, c.clinician.cookie, { endedOn: '2026-04-01', endReason: 'completed' });
    const res = await call('PATCH', `${c.base}/${episode.id}`, c.clinician.cookie, { startedOn: '2026-04-02' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'bad_request', field: 'startedOn' });
  });

  it('hides the client\'s episodes from a clinician off the care team and from another clinic', async () => {
    const c = await clinic();
    const episode = (await call('POST', c.base, c.clinician.cookie, open)).json();
    const other = await ctx.buildOrganisation();
    const otherAdmin = await ctx.buildStaff(other.id, 'admin');
    for (const cookie of [c.offTeam.cookie, otherAdmin.cookie]) {
      for (const [method, url, payload] of [
        ['GET', c.base],
        ['POST', c.base, open],
        ['GET', `${c.base}/${episode.id}`],
        ['PATCH', `${c.base}/${episode.id}`, { presentingProblem: 'ocd' }],
        ['POST', `${c.base}/${episode.id}/close`, { endedOn: '2026-04-01', endReason: 'completed' }],
      ] as Array<[Method, string, object?]>) {
        const res = await call(method, url, cookie, payload);
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such client.' } });
      }
    }
  });

  it('answers 404 for an episode of another client', async () => {
    const c = await clinic();
    const episode = (await call('POST', c.base, c.clinician.cookie, open)).json();
    const otherClient = await ctx.buildClient(c.org.id, {}, [c.clinician.userId]);
    const res = await call('GET', `/api/v1/clients/${otherClient.id}/episodes/${episode.id}`, c.clinician.cookie);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such episode.' } });
  });

  it('refuses another clinic\'s programme, an archived programme, and a primary clinician who is not active staff here', async () => {
    const c = await clinic();
    const other = await ctx.buildOrganisation();
    const [theirs] = await ctx.db.insert(programmes).values({ orgId: other.id, name: 'Theirs', createdAt: ctx.clock.now() }).returning();
    const [archived] = await ctx.db.insert(programmes).values({ orgId: c.org.id, name: 'Old', createdAt: ctx.clock.now(), archivedAt: ctx.clock.now() }).returning();
    const outsider = await ctx.buildStaff(other.id, 'clinician');
    const gone = await ctx.buildStaff(c.org.id, 'clinician');
    await ctx.deactivate(c.org.id, gone.userId);
    for (const [payload, field] of [
      [{ ...open, programmeId: theirs!.id, primaryClinicianId: c.clinician.userId }, 'programmeId'],
      [{ ...open, programmeId: archived!.id, primaryClinicianId: c.clinician.userId }, 'programmeId'],
      [{ ...open, primaryClinicianId: outsider.userId }, 'primaryClinicianId'],
      [{ ...open, primaryClinicianId: gone.userId }, 'primaryClinicianId'],
    ] as const) {
      const res = await call('POST', c.base, c.admin.cookie, payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'bad_request', field });
    }
  });

  it('asks an admin who opens an episode to name the primary clinician', async () => {
    const c = await clinic();
    const res = await call('POST', c.base, c.admin.cookie, open);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field: 'primaryClinicianId' });
  });

  it.each([
    [{ presentingProblem: 'anxiety', startedOn: '2026-03-01' }, 'presentingProblem'],
    [{ presentingProblem: 'gad', startedOn: '01/03/2026' }, 'startedOn'],
    [{ presentingProblem: 'gad' }, 'startedOn'],
    [{ presentingProblem: 'gad', startedOn: '2026-03-01', programmeId: 'nope' }, 'programmeId'],
    [{ presentingProblem: 'gad', startedOn: '2026-03-01', endedOn: '2026-04-01' }, 'endedOn'],
  ])('refuses an invalid episode %j naming the field', async (payload, field) => {
    const c = await clinic();
    const res = await call('POST', c.base, c.clinician.cookie, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field });
  });

  it.each([
    [{ endedOn: '2026-04-01', endReason: 'finished' }, 'endReason'],
    [{ endedOn: 'soon', endReason: 'completed' }, 'endedOn'],
  ])('refuses an invalid closing %j naming the field', async (payload, field) => {
    const c = await clinic();
    const episode = (await call('POST', c.base, c.clinician.cookie, open)).json();
    const res = await call('POST', `${c.base}/${episode.id}/close`, c.clinician.cookie, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field });
  });
});
