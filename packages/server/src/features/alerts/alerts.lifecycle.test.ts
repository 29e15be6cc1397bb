import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context';
import { alerts, auditEvents, jobs, messages, type OrganisationSettings } from '../../db/schema';
import { defaultOrganisationSettings } from '../organisations/organisations.schema';
import { escalationPlan, isWithinWorkingHours } from './alerts.escalation';
import { raiseAlerts } from './alerts.queries';
import { MISSED_IN_A_ROW, raiseMissedQuestionnaireAlerts } from './alerts.lifecycle';

let ctx: TestContext;
const json = { 'content-type': 'application/json' };
const HOUR = 3_600_000;

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const london: OrganisationSettings = { ...defaultOrganisationSettings, timeZone: 'Europe/London', workingHours: { days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' } };

describe('working hours and the escalation plan', () => {
  it.each([
    ['Monday 08:00 London (start counts)', '2026-03-02T08:00:00Z', true],
    ['Monday 17:59 London', '2026-03-02T17:59:00Z', true],
    ['Monday 18:00 London (end does not)', '2026-03-02T18:00:00Z', false],
    ['Monday 07:59 London', '2026-03-02T07:59:00Z', false],
    ['Saturday noon', '2026-03-07T12:00:00Z', false],
    ['Monday 08:30 in summer time (07:30 UTC)', '2026-06-01T07:30:00Z', true],
  ])('%s → within working hours: %s', (_case, at, expected) => {
    expect(isWithinWorkingHours(new Date(at), london)).toBe(expected);
  });

  it.each([
    ['in working hours', '2026-03-02T10:00:00Z', 'on-call-id', { to: 'supervisors', runAt: '2026-03-02T14:00:00.000Z' }],
    ['outside working hours with an on-call supervisor', '2026-03-02T22:00:00Z', 'on-call-id', { to: 'on_call', runAt: '2026-03-02T22:00:00.000Z' }],
    ['outside working hours with nobody on call', '2026-03-02T22:00:00Z', null, { to: 'supervisors', runAt: '2026-03-03T02:00:00.000Z' }],
  ])('escalates %s', (_case, raisedAt, onCall, expected) => {
    const plan = escalationPlan(new Date(raisedAt), { ...london, onCallSupervisorUserId: onCall });
    expect({ to: plan.to, runAt: plan.runAt.toISOString() }).toEqual(expected);
  });

  it('uses the organisation’s escalation hours', () => {
    expect(escalationPlan(new Date('2026-03-02T10:00:00Z'), { ...london, urgentEscalationHours: 1 }).runAt.toISOString()).toBe('2026-03-02T11:00:00.000Z');
  });
});

async function urgentAlert(orgId: string, clientId: string, key: string) {
  const [alert] = await raiseAlerts(
    ctx.db,
    [{ orgId, clientId, kind: 'risk_item', urgent: true, status: 'open', evidenceKey: key, evidence: { items: [] }, rulesVersion: '1.0.0' }],
    ctx.clock.now(),
  );
  return alert!;
}

const escalations = (alertId: string) => ctx.db.select().from(messages).where(like(messages.key, `alert:${alertId}:escalate:%`));

describe('escalation', () => {
  it('emails the supervisors once when nobody acknowledged an urgent alert within 4 hours, with no health information', async () => {
    ctx.clock.set('2026-03-02T10:00:00Z'); // Monday, in working hours
    const org = await ctx.buildOrganisation({ settings: { onCallSupervisorUserId: null } });
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const supervisors = [await ctx.buildStaff(org.id, 'supervisor'), await ctx.buildStaff(org.id, 'supervisor')];
    const client = await ctx.buildClient(org.id, { givenName: 'Ottoline', familyName: 'Quarrington' }, [clinician.userId]);
    const alert = await urgentAlert(org.id, client.id, 'escalate-4h');
    const [job] = await ctx.db.select().from(jobs).where(eq(jobs.key, `alert:${alert.id}:escalate`));
    expect(job).toMatchObject({ kind: 'alert.escalate', runAt: new Date('2026-03-02T14:00:00Z'), payload: { alertId: alert.id, to: 'supervisors' } });

    ctx.clock.set('2026-03-02T13:59:00Z');
    await ctx.jobs.drain();
    expect(await escalations(alert.id)).toEqual([]);

    ctx.clock.set('2026-03-02T14:00:00Z');
    await ctx.jobs.drain();
    await ctx.jobs.drain();
    const sent = await escalations(alert.id);
    expect(sent.map((m) => [m.userId, m.status]).sort()).toEqual(supervisors.map((s) => [s.userId, 'sent']).sort());
    const mails = (await ctx.smtp.waitFor(1)).filter((m) => m.subject === 'An urgent item in Rapport needs a supervisor' && supervisors.some((s) => m.to.includes(s.email)));
    expect(mails).toHaveLength(2);
    for (const mail of mails) for (const secret of ['Ottoline', 'Quarrington', 'PHQ', 'risk']) expect(mail.raw).not.toContain(secret);
    const [after] = await ctx.db.select().from(alerts).where(eq(alerts.id, alert.id));
    expect(after!.escalatedAt).toEqual(new Date('2026-03-02T14:00:00Z'));
    const events = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.entityId, alert.id), eq(auditEvents.action, 'alert.escalate')));
    expect(events).toHaveLength(1);
  });

  it('does not escalate an alert acknowledged in time', async () => {
    ctx.clock.set('2026-03-03T10:00:00Z');
    const org = await ctx.buildOrganisation();
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    await ctx.buildStaff(org.id, 'supervisor');
    const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
    const alert = await urgentAlert(org.id, client.id, 'acknowledged');
    ctx.clock.set('2026-03-03T10:20:00Z');
    const ack = await ctx.app.inject({ method: 'POST', url: `/api/v1/clients/${client.id}/alerts/${alert.id}/acknowledge`, headers: { cookie: clinician.cookie } });
    expect(ack.statusCode).toBe(200);
    ctx.clock.set('2026-03-03T15:00:00Z');
    await ctx.jobs.drain();
    expect(await escalations(alert.id)).toEqual([]);
    const [after] = await ctx.db.select().from(alerts).where(eq(alerts.id, alert.id));
    expect(after!.escalatedAt).toBeNull();
  });

  it('goes to the on-call supervisor at once when raised outside working hours', async () => {
    ctx.clock.set('2026-03-03T23:30:00Z'); // Tuesday night in London
    const org = await ctx.buildOrganisation();
    const onCall = await ctx.buildStaff(org.id, 'supervisor');
    const other = await ctx.buildStaff(org.id, 'supervisor');
    const res = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/organisation', headers: { ...json, cookie: (await ctx.buildStaff(org.id, 'admin')).cookie }, payload: { settings: { onCallSupervisorUserId: onCall.userId } } });
    expect(res.statusCode).toBe(200);
    const client = await ctx.buildClient(org.id);
    const alert = await urgentAlert(org.id, client.id, 'night');
    await ctx.jobs.drain();
    const sent = await escalations(alert.id);
    expect(sent.map((m) => m.userId)).toEqual([onCall.userId]);
    await ctx.smtp.waitFor(1);
    expect(ctx.smtp.messages.filter((m) => m.to.includes(onCall.email) && m.subject.includes('supervisor'))).toHaveLength(1);
    expect(ctx.smtp.messages.filter((m) => m.to.includes(other.email))).toHaveLength(0);
  });
});

describe('resolve', () => {
  it.each([
    ['an unknown action', { action: 'ignored', note: 'x' }, 'action'],
    ['no note', { action: 'other', note: '   ' }, 'note'],
    ['an unknown field', { action: 'other', note: 'x', extra: 1 }, undefined],
  ])('refuses %s with a 400', async (_case, payload, field) => {
    const org = await ctx.buildOrganisation();
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
    const alert = await urgentAlert(org.id, client.id, 'resolve-400');
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/clients/${client.id}/alerts/${alert.id}/resolve`, headers: { ...json, cookie: clinician.cookie }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', ...(field ? { field } : {}) });
  });

  it('acknowledges an open alert it resolves, and refuses a second resolution with a 409', async () => {
    const org = await ctx.buildOrganisation();
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
    const alert = await urgentAlert(org.id, client.id, 'resolve-twice');
    const url = `/api/v1/clients/${client.id}/alerts/${alert.id}/resolve`;
    const first = await ctx.app.inject({ method: 'POST', url, headers: { ...json, cookie: clinician.cookie }, payload: { action: 'safety_plan', note: 'Safety plan made together.' } });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ status: 'resolved', acknowledgedBy: clinician.userId, resolvedBy: clinician.userId, resolutionAction: 'safety_plan' });
    const second = await ctx.app.inject({ method: 'POST', url, headers: { ...json, cookie: clinician.cookie }, payload: { action: 'other', note: 'Again.' } });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toEqual({ error: { code: 'alert_resolved', message: 'This alert is already resolved.' } });
    const events = await ctx.db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.entityId, alert.id));
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['alert.acknowledge', 'alert.resolve']));
  });
});

describe('daily digest', () => {
  it('tells each clinician once per local day how many alerts wait, from 07:00, with no health information', async () => {
    ctx.clock.set('2026-03-10T06:30:00Z');
    const org = await ctx.buildOrganisation();
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const idle = await ctx.buildStaff(org.id, 'clinician');
    const client = await ctx.buildClient(org.id, { givenName: 'Hyacinth' }, [clinician.userId]);
    await urgentAlert(org.id, client.id, 'digest-1');
    await urgentAlert(org.id, client.id, 'digest-2');
    const digests = () => ctx.smtp.messages.filter((m) => m.to.includes(clinician.email) && m.subject.startsWith('Rapport: '));
    await ctx.jobs.drain();
    expect(digests()).toHaveLength(0);

    ctx.clock.set('2026-03-10T07:05:00Z');
    await ctx.jobs.drain();
    ctx.clock.set('2026-03-10T12:05:00Z');
    await ctx.jobs.drain();
    await ctx.smtp.waitFor(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(digests().map((m) => m.subject)).toEqual(['Rapport: 2 alerts are waiting']);
    expect(digests()[0]!.raw).not.toContain('Hyacinth');
    expect(ctx.smtp.messages.filter((m) => m.to.includes(idle.email) && m.subject.startsWith('Rapport: '))).toHaveLength(0);

    ctx.clock.set('2026-03-11T07:05:00Z');
    await ctx.jobs.drain();
    await new Promise((r) => setTimeout(r, 300));
    expect(digests()).toHaveLength(2);
  });
});

describe('missed questionnaires', () => {
  it(`raises one alert per run of ${MISSED_IN_A_ROW} or more questionnaires expired in a row`, async () => {
    ctx.clock.set('2026-03-20T09:00:00Z');
    const org = await ctx.buildOrganisation();
    const client = await ctx.buildClient(org.id);
    const at = (days: number) => new Date(ctx.clock.now().getTime() - days * 24 * HOUR);
    await ctx.buildAssignment(org.id, client.id, { status: 'completed', scheduledFor: at(10), updatedAt: at(9) });
    const first = await ctx.buildAssignment(org.id, client.id, { status: 'expired', scheduledFor: at(8), updatedAt: at(4) });
    expect(await raiseMissedQuestionnaireAlerts(ctx.db, ctx.clock.now())).toEqual([]);
    await ctx.buildAssignment(org.id, client.id, { status: 'expired', scheduledFor: at(4), updatedAt: at(1) });
    const raised = await raiseMissedQuestionnaireAlerts(ctx.db, ctx.clock.now());
    expect(raised).toMatchObject([{ kind: 'missed_questionnaires', evidenceKey: `streak:${first.id}`, evidence: { inARow: 2, threshold: 2 } }]);
    await ctx.buildAssignment(org.id, client.id, { status: 'expired', scheduledFor: at(2), updatedAt: at(0) });
    expect(await raiseMissedQuestionnaireAlerts(ctx.db, ctx.clock.now())).toEqual([]);
    const rows = await ctx.db.select().from(alerts).where(and(eq(alerts.clientId, client.id), eq(alerts.kind, 'missed_questionnaires')));
    expect(rows).toHaveLength(1);
  });
});
