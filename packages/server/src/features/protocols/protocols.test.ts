import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../../test/context';
import { auditEvents, episodes, programmes } from '../../db/schema';
import { resolveProtocol } from './protocols.queries';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const phqRule = { id: 'phq-before', instrumentIds: ['phq9'], respondent: 'client', trigger: { kind: 'before_each', hoursBefore: 24 } };

async function setup() {
  const org = await ctx.buildOrganisation();
  const admin = await ctx.buildStaff(org.id, 'admin');
  const supervisor = await ctx.buildStaff(org.id, 'supervisor');
  const clinician = await ctx.buildStaff(org.id, 'clinician');
  const [programme] = await ctx.db.insert(programmes).values({ orgId: org.id, name: 'Anxiety', createdAt: ctx.clock.now() }).returning();
  const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
  const [episode] = await ctx.db
    .insert(episodes)
    .values({ orgId: org.id, clientId: client.id, programmeId: programme!.id, primaryClinicianId: clinician.userId, startedOn: '2026-02-01', createdAt: ctx.clock.now() })
    .returning();
  return { org, admin, supervisor, clinician, programme: programme!, client, episode: episode! };
}

const request = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, cookie: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: { cookie }, ...(payload ? { payload } : {}) });

describe('protocols', () => {
  it('resolves the episode’s own, else the programme’s, else the organisation’s, else the built-in protocol', async () => {
    const w = await setup();
    const inForce = async () => (await resolveProtocol(ctx.db, w.org.id, w.episode)).source;
    expect(await inForce()).toBe('built_in');
    const orgDefault = await request('POST', '/api/v1/protocols', w.admin.cookie, { name: 'Clinic default', rules: [phqRule] });
    expect(orgDefault.statusCode).toBe(201);
    expect(await inForce()).toBe('organisation');
    const programme = await request('POST', '/api/v1/protocols', w.admin.cookie, { name: 'Anxiety', programmeId: w.programme.id, rules: [phqRule], reminderAfterDays: null, expiryDays: 7 });
    expect(programme.statusCode).toBe(201);
    expect(programme.json()).toMatchObject({ source: 'programme', reminderAfterDays: null, expiryDays: 7, version: 1 });
    expect(await inForce()).toBe('programme');
    const own = await request('PUT', `/api/v1/clients/${w.client.id}/episodes/${w.episode.id}/protocol`, w.clinician.cookie, { rules: [phqRule] });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ source: 'episode', episodeId: w.episode.id, reminderAfterDays: 'organisation' });
    const read = await request('GET', `/api/v1/clients/${w.client.id}/episodes/${w.episode.id}/protocol`, w.clinician.cookie);
    expect(read.json()).toMatchObject({ source: 'episode' });
    expect((await request('DELETE', `/api/v1/clients/${w.client.id}/episodes/${w.episode.id}/protocol`, w.clinician.cookie)).statusCode).toBe(204);
    expect(await inForce()).toBe('programme');
    expect((await request('POST', `/api/v1/protocols/${programme.json().id}/archive`, w.admin.cookie)).statusCode).toBe(200);
    expect(await inForce()).toBe('organisation');
    const audit = await ctx.db.select({ action: auditEvents.action }).from(auditEvents).where(and(eq(auditEvents.orgId, w.org.id), eq(auditEvents.clientId, w.client.id)));
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['episode.protocol.set', 'episode.protocol.read', 'episode.protocol.remove']));
  });

  it('lists the built-in default with the organisation’s protocols and lets supervisors read but not write', async () => {
    const w = await setup();
    await request('POST', '/api/v1/protocols', w.admin.cookie, { name: 'Clinic default', rules: [phqRule] });
    const list = await request('GET', '/api/v1/protocols', w.supervisor.cookie);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((p: { name: string }) => p.name)).toEqual(['Clinic default']);
    expect(list.json().builtIn.rules.map((r: { id: string }) => r.id)).toEqual(['phq9-gad7-before', 'alliance-client-after', 'alliance-clinician-after', 'core10-intake', 'core10-discharge']);
    const write = await request('POST', '/api/v1/protocols', w.supervisor.cookie, { name: 'Mine', rules: [phqRule] });
    expect(write.statusCode).toBe(403);
    expect(write.json()).toEqual({ error: { code: 'forbidden', message: 'You are not allowed to do that.' } });
    expect((await request('GET', '/api/v1/protocols', w.clinician.cookie)).statusCode).toBe(403);
  });

  it('updates a protocol’s rules and bumps its version; one live protocol per scope', async () => {
    const w = await setup();
    const created = (await request('POST', '/api/v1/protocols', w.admin.cookie, { name: 'A', rules: [phqRule] })).json();
    const again = await request('POST', '/api/v1/protocols', w.admin.cookie, { name: 'B', rules: [phqRule] });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'protocol_exists' });
    const updated = await request('PUT', `/api/v1/protocols/${created.id}`, w.admin.cookie, {
      name: 'A2',
      rules: [phqRule, { id: 'core10-every-4', instrumentIds: ['core10'], respondent: 'client', trigger: { kind: 'every_nth', n: 4 } }],
      reminderAfterDays: 3,
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ name: 'A2', version: 2, reminderAfterDays: 3, expiryDays: 'organisation' });
  });

  it('hides another organisation’s protocol as 404', async () => {
    const w = await setup();
    const other = await setup();
    const created = (await request('POST', '/api/v1/protocols', w.admin.cookie, { name: 'A', rules: [phqRule] })).json();
    const res = await request('GET', `/api/v1/protocols/${created.id}`, other.admin.cookie);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such protocol.' } });
    const episodeOfOther = await request('PUT', `/api/v1/clients/${w.client.id}/episodes/${w.episode.id}/protocol`, other.admin.cookie, { rules: [phqRule] });
    expect(episodeOfOther.statusCode).toBe(404);
  });

  it.each([
    [{ ...phqRule, instrumentIds: ['nope'] }, 'rules.0.instrumentIds.0', 'unknown_instrument'],
    [{ ...phqRule, instrumentIds: ['rapport_alliance_therapist'] }, 'rules.0.instrumentIds.0', 'respondent_mismatch'],
    [{ ...phqRule, respondent: 'clinician' }, 'rules.0.instrumentIds.0', 'respondent_mismatch'],
    [{ ...phqRule, instrumentIds: ['phq9', 'phq9'] }, 'rules.0.instrumentIds.1', 'duplicate_instrument'],
    [{ ...phqRule, trigger: { kind: 'before_each', hoursBefore: 0 } }, 'rules.0.trigger.hoursBefore', 'validation_failed'],
    [{ ...phqRule, trigger: { kind: 'before_each', hoursBefore: 169 } }, 'rules.0.trigger.hoursBefore', 'validation_failed'],
    [{ ...phqRule, trigger: { kind: 'every_nth', n: 1 } }, 'rules.0.trigger.n', 'validation_failed'],
    [{ ...phqRule, trigger: { kind: 'every_nth', n: 53 } }, 'rules.0.trigger.n', 'validation_failed'],
    [{ ...phqRule, id: 'Bad Id' }, 'rules.0.id', 'validation_failed'],
  ])('refuses the rule %j naming %s', async (rule, field, code) => {
    const w = await setup();
    const res = await request('POST', '/api/v1/protocols', w.admin.cookie, { name: 'Bad', rules: [rule] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code, field });
  });

  it.each([
    [{ reminderAfterDays: 0 }, 'reminderAfterDays'],
    [{ expiryDays: 31 }, 'expiryDays'],
    [{ expiryDays: 'never' }, 'expiryDays'],
  ])('refuses days outside 1–30 %j', async (days, field) => {
    const w = await setup();
    const res = await request('POST', '/api/v1/protocols', w.admin.cookie, { name: 'Bad', rules: [phqRule], ...days });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field });
  });

  it('refuses two rules with the same id', async () => {
    const w = await setup();
    const res = await request('POST', '/api/v1/protocols', w.admin.cookie, { name: 'Bad', rules: [phqRule, phqRule] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'duplicate_rule_id', field: 'rules.1.id' });
  });

  it('previews what a client receives and when, with quiet hours, reminder and expiry', async () => {
    const w = await setup();
    const res = await request('POST', '/api/v1/protocols/preview', w.clinician.cookie, {
      rules: [
        { id: 'phq-before', instrumentIds: ['phq9', 'gad7'], respondent: 'client', trigger: { kind: 'before_each', hoursBefore: 12 } },
        { id: 'alliance-after', instrumentIds: ['rapport_alliance_therapist'], respondent: 'clinician', trigger: { kind: 'after_each_attended' } },
      ],
      appointments: [{ startsAt: '2026-03-10T09:00:00Z' }, { startsAt: '2026-03-17T15:00:00Z', attended: false }],
      timeZone: 'Europe/London',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      // Due 21:00 the evening before: quiet, so 08:00; reminder 2 days later, expiry 4 days after sending.
      expect.objectContaining({ ruleId: 'phq-before', appointmentIndex: 0, dueAt: '2026-03-09T21:00:00.000Z', sendAt: '2026-03-10T08:00:00.000Z', reminderAt: '2026-03-12T08:00:00.000Z', expiresAt: '2026-03-14T08:00:00.000Z' }),
      expect.objectContaining({ ruleId: 'alliance-after', respondent: 'clinician', channel: 'in_session', appointmentIndex: 0, sendAt: null, expiresAt: null }),
      expect.objectContaining({ ruleId: 'phq-before', appointmentIndex: 1, dueAt: '2026-03-17T03:00:00.000Z', sendAt: '2026-03-17T08:00:00.000Z' }),
    ]);
  });
});
