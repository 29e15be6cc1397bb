import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../../test/context';
import { appointments, assignments, auditEvents, clientConsents, episodes, programmes } from '../../db/schema';
import { decideOrphan } from './assignments.protocol-change';
import type { TriggerInstance } from './assignments.plan';
import { sweepProtocols } from './assignments.sweep';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const H = 3_600_000;
const phqRule = { id: 'phq-before', instrumentIds: ['phq9'], respondent: 'client', trigger: { kind: 'before_each', hoursBefore: 24 } };
const coreRule = { id: 'core-before', instrumentIds: ['core10'], respondent: 'client', trigger: { kind: 'before_each', hoursBefore: 24 } };

/**
 * A clinic with an organisation default protocol (PHQ-9 and CORE-10 a day before each session), a
 * client on the Anxiety programme with email consent, and a session 24.5 hours away: the sweep has
 * scheduled both questionnaires for 30 minutes from now (not yet sent).
 */
async function world(rules: object[] = [phqRule, coreRule]) {
  ctx.clock.set('2026-05-04T09:00:00Z');
  const now = ctx.clock.now();
  const org = await ctx.buildOrganisation();
  const admin = await ctx.buildStaff(org.id, 'admin');
  const clinician = await ctx.buildStaff(org.id, 'clinician');
  const [programme] = await ctx.db.insert(programmes).values({ orgId: org.id, name: 'Anxiety', createdAt: now }).returning();
  const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
  await ctx.db.insert(clientConsents).values({ orgId: org.id, clientId: client.id, channel: 'email', granted: true, recordedBy: clinician.userId, recordedAt: now });
  const [episode] = await ctx.db
    .insert(episodes)
    .values({ orgId: org.id, clientId: client.id, programmeId: programme!.id, primaryClinicianId: clinician.userId, startedOn: '2026-04-01', createdAt: new Date(now.getTime() - 30 * 24 * H) })
    .returning();
  const [appointment] = await ctx.db
    .insert(appointments)
    .values({ orgId: org.id, clientId: client.id, episodeId: episode!.id, clinicianId: clinician.userId, startsAt: new Date(now.getTime() + 24.5 * H), createdAt: now, updatedAt: now })
    .returning();
  const call = (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, cookie: string, payload?: object) =>
    ctx.app.inject({ method, url, headers: { cookie }, ...(payload ? { payload } : {}) });
  const orgProtocol = await call('POST', '/api/v1/protocols', admin.cookie, { name: 'Clinic default', rules });
  expect(orgProtocol.statusCode).toBe(201);
  await sweepProtocols(ctx.db, now);
  const rows = () => ctx.db.select().from(assignments).where(eq(assignments.clientId, client.id)).orderBy(assignments.createdAt, assignments.dedupeKey);
  const byRule = async (ruleId: string) => (await rows()).filter((a) => a.dedupeKey!.startsWith(`${ruleId}:`));
  const audit = async () =>
    (await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.action, 'assignment.cancel_by_protocol')))).map((e) => e.entityId);
  const mailTo = () => ctx.smtp.messages.filter((m) => m.to.includes(client.email!));
  return { org, admin, clinician, programme: programme!, client, episode: episode!, appointment: appointment!, call, orgProtocolId: orgProtocol.json().id as string, rows, byRule, audit, mailTo };
}

describe('protocol changes cancel what they no longer ask for', () => {
  it('cancels the scheduled assignment of a removed rule with a reason and an audit event; it is never sent, the other one is', async () => {
    const w = await world();
    const [core] = await w.byRule('core-before');
    expect(core).toMatchObject({ status: 'scheduled', protocolId: w.orgProtocolId });
    // A CORE-10 from the same rule for an earlier session was already sent: the client may be answering it.
    const sent = await ctx.buildAssignment(w.org.id, w.client.id, { episodeId: w.episode.id, protocolId: w.orgProtocolId, dedupeKey: 'core-before:appt:earlier', instrumentIds: ['core10'] });

    const edit = await w.call('PUT', `/api/v1/protocols/${w.orgProtocolId}`, w.admin.cookie, { name: 'Clinic default', rules: [phqRule] });
    expect(edit.statusCode).toBe(200);

    const [cancelled] = await w.byRule('core-before').then((r) => r.filter((a) => a.id === core!.id));
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'rule_removed', cancelledAt: ctx.clock.now(), dedupeKey: `core-before:appt:${w.appointment.id}#${core!.id}` });
    expect((await w.byRule('phq-before'))[0]).toMatchObject({ status: 'scheduled', cancelReason: null });
    expect((await w.rows()).find((a) => a.id === sent.id)).toMatchObject({ status: 'sent', cancelReason: null });
    expect(await w.audit()).toEqual([core!.id]);

    // The API shows why; the send job finds it cancelled and sends only the PHQ-9.
    const list = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${w.client.id}/assignments`, headers: { cookie: w.clinician.cookie } });
    expect(list.json().items.find((a: { id: string }) => a.id === core!.id)).toMatchObject({ status: 'cancelled', cancelReason: 'rule_removed', ruleId: 'core-before' });
    ctx.clock.advanceMinutes(30);
    await ctx.jobs.drain();
    await ctx.smtp.waitFor(1);
    expect(w.mailTo()).toHaveLength(1);
    const [phq] = await w.byRule('phq-before');
    expect((await w.rows()).filter((a) => a.status === 'sent').map((a) => a.id).sort()).toEqual([sent.id, phq!.id].sort());
  });

  it('cancels an assignment whose rule changed instruments, and the next sweep makes the new one under the same trigger', async () => {
    const w = await world();
    const [before] = await w.byRule('core-before');
    const edit = await w.call('PUT', `/api/v1/protocols/${w.orgProtocolId}`, w.admin.cookie, { name: 'Clinic default', rules: [phqRule, { ...coreRule, instrumentIds: ['gad7'] }] });
    expect(edit.statusCode).toBe(200);
    await sweepProtocols(ctx.db, ctx.clock.now());
    const after = await w.byRule('core-before');
    expect(after.map((a) => [a.id === before!.id ? 'old' : 'new', a.instrumentIds, a.status, a.cancelReason]).sort()).toEqual([
      ['new', ['gad7'], 'scheduled', null],
      ['old', ['core10'], 'cancelled', 'rule_changed'],
    ]);
    expect(after.find((a) => a.status === 'scheduled')!.dedupeKey).toBe(`core-before:appt:${w.appointment.id}`);
  });

  it('keeps assignments whose rule only moved in time (the sweep moves them)', async () => {
    const w = await world();
    const edit = await w.call('PUT', `/api/v1/protocols/${w.orgProtocolId}`, w.admin.cookie, { name: 'Clinic default', rules: [phqRule, { ...coreRule, trigger: { kind: 'before_each', hoursBefore: 2 } }] });
    expect(edit.statusCode).toBe(200);
    expect((await w.rows()).map((a) => a.status)).toEqual(['scheduled', 'scheduled']);
    expect(await w.audit()).toEqual([]);
  });

  it('on archiving, adopts what the fallback protocol asks for identically and cancels the rest as archived', async () => {
    const w = await world();
    // The programme's protocol replaces the default; its PHQ-9 rule is the same, its CORE-10 rule differs.
    const own = await w.call('POST', '/api/v1/protocols', w.admin.cookie, { name: 'Anxiety', programmeId: w.programme.id, rules: [phqRule, { ...coreRule, id: 'gad-before', instrumentIds: ['gad7'] }] });
    expect(own.statusCode).toBe(201);
    expect((await w.byRule('core-before'))[0]).toMatchObject({ status: 'cancelled', cancelReason: 'protocol_replaced' });
    expect((await w.byRule('phq-before'))[0]).toMatchObject({ status: 'scheduled', protocolId: own.json().id });
    await sweepProtocols(ctx.db, ctx.clock.now());
    expect((await w.byRule('gad-before'))[0]).toMatchObject({ status: 'scheduled', protocolId: own.json().id });

    const archived = await w.call('POST', `/api/v1/protocols/${own.json().id}/archive`, w.admin.cookie);
    expect(archived.statusCode).toBe(200);
    expect((await w.byRule('gad-before'))[0]).toMatchObject({ status: 'cancelled', cancelReason: 'protocol_archived' });
    expect((await w.byRule('phq-before'))[0]).toMatchObject({ status: 'scheduled', protocolId: w.orgProtocolId });
    // The default's CORE-10 comes back: the cancelled one released its key.
    await sweepProtocols(ctx.db, ctx.clock.now());
    expect((await w.byRule('core-before')).map((a) => a.status).sort()).toEqual(['cancelled', 'scheduled']);
  });

  it('cancels when an episode’s own protocol is set or removed, audited against the client', async () => {
    const w = await world();
    const url = `/api/v1/clients/${w.client.id}/episodes/${w.episode.id}/protocol`;
    const set = await w.call('PUT', url, w.clinician.cookie, { rules: [phqRule] });
    expect(set.statusCode).toBe(200);
    const [core] = await w.byRule('core-before');
    expect(core).toMatchObject({ status: 'cancelled', cancelReason: 'protocol_replaced' });
    const events = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.entityId, core!.id), eq(auditEvents.action, 'assignment.cancel_by_protocol')));
    expect(events).toEqual([expect.objectContaining({ clientId: w.client.id, actorId: w.clinician.userId, outcome: 'success' })]);

    // The episode's protocol gains a rule, the sweep schedules it, then the override goes away.
    await w.call('PUT', url, w.clinician.cookie, { rules: [phqRule, { ...coreRule, id: 'own-gad', instrumentIds: ['gad7'] }] });
    await sweepProtocols(ctx.db, ctx.clock.now());
    expect((await w.byRule('own-gad'))[0]!.status).toBe('scheduled');
    expect((await w.call('DELETE', url, w.clinician.cookie)).statusCode).toBe(204);
    expect((await w.byRule('own-gad'))[0]).toMatchObject({ status: 'cancelled', cancelReason: 'protocol_archived' });
    expect((await w.byRule('phq-before'))[0]).toMatchObject({ status: 'scheduled', protocolId: w.orgProtocolId });
  });

  it('cancels when the episode moves to a programme with another protocol', async () => {
    const w = await world();
    const [other] = await ctx.db.insert(programmes).values({ orgId: w.org.id, name: 'Depression', createdAt: ctx.clock.now() }).returning();
    await w.call('POST', '/api/v1/protocols', w.admin.cookie, { name: 'Depression', programmeId: other!.id, rules: [phqRule] });
    expect((await w.rows()).every((a) => a.status === 'scheduled')).toBe(true); // this episode is not on it yet
    const moved = await w.call('PATCH', `/api/v1/clients/${w.client.id}/episodes/${w.episode.id}`, w.clinician.cookie, { programmeId: other!.id });
    expect(moved.statusCode).toBe(200);
    expect((await w.byRule('core-before'))[0]).toMatchObject({ status: 'cancelled', cancelReason: 'protocol_replaced' });
    expect((await w.byRule('phq-before'))[0]!.status).toBe('scheduled');
  });

  it('changes nothing when the edit is refused', async () => {
    const w = await world();
    const edit = await w.call('PUT', `/api/v1/protocols/${w.orgProtocolId}`, w.admin.cookie, { name: 'Clinic default', rules: [{ ...phqRule, instrumentIds: ['no-such'] }] });
    expect(edit.statusCode).toBe(400);
    expect((await w.rows()).map((a) => a.status)).toEqual(['scheduled', 'scheduled']);
  });
});

describe('decideOrphan', () => {
  const instance = (over: Partial<TriggerInstance> = {}): TriggerInstance => ({
    dedupeKey: 'r1:appt:a',
    ruleId: 'r1',
    trigger: 'before_each',
    instrumentIds: ['phq9'],
    respondent: 'client',
    respondentUserId: null,
    channel: 'link',
    appointmentId: 'a',
    dueAt: new Date(0),
    applies: true,
    ...over,
  });
  const protocol = { id: 'p1', rules: [{ id: 'r1', instrumentIds: ['phq9'], respondent: 'client' as const, trigger: { kind: 'before_each' as const, hoursBefore: 24 } }] };
  const assignment = { protocolId: 'p1', dedupeKey: 'r1:appt:a', instrumentIds: ['phq9'], respondent: 'client' as const };
  const notArchived = () => false;

  it.each([
    ['the same instance and content', assignment, [instance()], { action: 'keep' }],
    ['another protocol asking for the same', { ...assignment, protocolId: 'p0' }, [instance()], { action: 'adopt', protocolId: 'p1' }],
    ['other instruments', assignment, [instance({ instrumentIds: ['gad7'] })], { action: 'cancel', reason: 'rule_changed' }],
    ['the rule no longer firing here', assignment, [], { action: 'cancel', reason: 'rule_changed' }],
    ['the rule gone', { ...assignment, dedupeKey: 'r9:appt:a' }, [], { action: 'cancel', reason: 'rule_removed' }],
    ['another protocol, not archived', { ...assignment, protocolId: 'p0' }, [], { action: 'cancel', reason: 'protocol_replaced' }],
    ['the built-in protocol replaced', { ...assignment, protocolId: null }, [], { action: 'cancel', reason: 'protocol_replaced' }],
  ] as const)('decides for %s', (_name, a, triggers, expected) => {
    expect(decideOrphan(a, protocol, new Map(triggers.map((t) => [t.dedupeKey, t])), notArchived)).toEqual(expected);
  });

  it('says archived when the assignment’s protocol was archived', () => {
    expect(decideOrphan({ ...assignment, protocolId: 'p0' }, protocol, new Map(), (id) => id === 'p0')).toEqual({ action: 'cancel', reason: 'protocol_archived' });
  });
});
