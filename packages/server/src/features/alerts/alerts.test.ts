import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { getInstrument, scoreResponse } from '@rapport/instruments';
import { createTestContext, type TestContext } from '../../../test/context';
import { alerts, auditEvents, jobs, messages } from '../../db/schema';
import { enqueueJob } from '../../jobs/job-runner';
import { riskAlertsFor } from './alert-rules';
import { NOTIFY_URGENT_JOB, raiseAlerts } from './alerts.queries';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

async function world() {
  const org = await ctx.buildOrganisation();
  const admin = await ctx.buildStaff(org.id, 'admin');
  const supervisor = await ctx.buildStaff(org.id, 'supervisor');
  const mine = await ctx.buildStaff(org.id, 'clinician');
  const other = await ctx.buildStaff(org.id, 'clinician');
  const myClient = await ctx.buildClient(org.id, { givenName: 'Ottoline', familyName: 'Quist' }, [mine.userId]);
  const theirClient = await ctx.buildClient(org.id, {}, [other.userId]);
  const myAlert = await ctx.buildRiskAlert(org.id, myClient.id);
  ctx.clock.advance(1000);
  const theirAlert = await ctx.buildRiskAlert(org.id, theirClient.id);
  return { org, admin, supervisor, mine, other, myClient, theirClient, myAlert, theirAlert };
}

const get = (url: string, cookie: string) => ctx.app.inject({ method: 'GET', url, headers: { cookie } });
const acknowledge = (clientId: string, alertId: string, cookie: string) =>
  ctx.app.inject({ method: 'POST', url: `/api/v1/clients/${clientId}/alerts/${alertId}/acknowledge`, headers: { cookie } });

describe('risk alert rules', () => {
  it.each([
    ['endorsed', 1, 'endorsed'],
    ['left unanswered', null, 'unanswered'],
  ])('raises one urgent risk_item alert when PHQ-9 item 9 is %s', (_case, item9, state) => {
    const result = scoreResponse('phq9', { phq9_1: 1, phq9_2: 1, phq9_3: 1, phq9_4: 1, phq9_5: 1, phq9_6: 1, phq9_7: 1, phq9_8: 1, phq9_9: item9 });
    const rows = riskAlertsFor(result, getInstrument('phq9'), { orgId: 'o', clientId: 'c', responseId: 'r' });
    expect(rows).toEqual([
      expect.objectContaining({
        kind: 'risk_item',
        urgent: true,
        status: 'open',
        responseId: 'r',
        evidenceKey: 'response:r:phq9_9',
        evidence: { instrumentId: 'phq9', instrumentVersion: '1.0.0', responseId: 'r', items: [{ itemId: 'phq9_9', state, riskKind: 'suicidal-ideation', clinicalSafety: false }] },
      }),
    ]);
  });

  it('raises nothing when no risk item is endorsed, and flags CORE-10 item 6 as a clinical-safety rule', () => {
    const none = scoreResponse('phq9', { phq9_1: 3, phq9_2: 3, phq9_3: 3, phq9_4: 3, phq9_5: 3, phq9_6: 3, phq9_7: 3, phq9_8: 3, phq9_9: 0 });
    expect(riskAlertsFor(none, getInstrument('phq9'), { orgId: 'o', clientId: 'c', responseId: 'r' })).toEqual([]);
    const core = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`core10_${i + 1}`, i === 5 ? 2 : 0]));
    const [row] = riskAlertsFor(scoreResponse('core10', core), getInstrument('core10'), { orgId: 'o', clientId: 'c', responseId: 'r' });
    expect(row!.evidence).toMatchObject({ items: [{ itemId: 'core10_6', state: 'endorsed', clinicalSafety: true }] });
  });
});

describe('alerts API', () => {
  it('shows a clinician only alerts of clients on their care teams, and supervisors and admins the whole organisation', async () => {
    const w = await world();
    const ids = async (cookie: string) => (await get('/api/v1/alerts', cookie)).json().items.map((a: { id: string }) => a.id);
    expect(await ids(w.mine.cookie)).toEqual([w.myAlert.id]);
    expect(await ids(w.other.cookie)).toEqual([w.theirAlert.id]);
    expect(await ids(w.supervisor.cookie)).toEqual([w.theirAlert.id, w.myAlert.id]);
    expect(await ids(w.admin.cookie)).toEqual([w.theirAlert.id, w.myAlert.id]);
    const otherOrg = await ctx.buildOrganisation();
    const outsider = await ctx.buildStaff(otherOrg.id, 'admin');
    expect(await ids(outsider.cookie)).toEqual([]);
    const listed = (await get('/api/v1/alerts', w.mine.cookie)).json().items[0];
    expect(listed).toMatchObject({ clientId: w.myClient.id, clientName: 'Ottoline Quist', kind: 'risk_item', urgent: true, status: 'open', acknowledgedBy: null });
  });

  it('filters by status, kind and urgency and pages by cursor', async () => {
    const w = await world();
    await acknowledge(w.myClient.id, w.myAlert.id, w.admin.cookie);
    const ids = async (query: string) => (await get(`/api/v1/alerts?${query}`, w.admin.cookie)).json().items.map((a: { id: string }) => a.id);
    expect(await ids('status=open')).toEqual([w.theirAlert.id]);
    expect(await ids('status=acknowledged')).toEqual([w.myAlert.id]);
    expect(await ids('status=active')).toEqual([w.theirAlert.id, w.myAlert.id]);
    expect(await ids('kind=low_alliance')).toEqual([]);
    expect(await ids('urgent=false')).toEqual([]);
    const first = (await get('/api/v1/alerts?limit=1', w.admin.cookie)).json();
    expect(first.items.map((a: { id: string }) => a.id)).toEqual([w.theirAlert.id]);
    const second = (await get(`/api/v1/alerts?limit=1&cursor=${first.nextCursor}`, w.admin.cookie)).json();
    expect(second).toMatchObject({ items: [{ id: w.myAlert.id }], nextCursor: null });
    const bad = await get('/api/v1/alerts?cursor=nonsense', w.admin.cookie);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: { code: 'bad_request', field: 'cursor', message: 'This page link is not valid; start from the first page.' } });
  });

  it('lists one client’s alerts, audited against that client, and hides another clinic’s client as 404', async () => {
    const w = await world();
    const res = await get(`/api/v1/clients/${w.myClient.id}/alerts`, w.mine.cookie);
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((a: { id: string }) => a.id)).toEqual([w.myAlert.id]);
    const audit = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.clientId, w.myClient.id), eq(auditEvents.action, 'client.alerts.list')));
    expect(audit).toMatchObject([{ actorId: w.mine.userId, outcome: 'success' }]);

    expect((await get(`/api/v1/clients/${w.theirClient.id}/alerts`, w.mine.cookie)).statusCode).toBe(404);
    const otherOrg = await ctx.buildOrganisation();
    const outsider = await ctx.buildStaff(otherOrg.id, 'admin');
    const foreign = await get(`/api/v1/clients/${w.myClient.id}/alerts`, outsider.cookie);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toEqual({ error: { code: 'not_found', message: 'No such client.' } });
    const foreignAck = await acknowledge(w.myClient.id, w.myAlert.id, outsider.cookie);
    expect(foreignAck.statusCode).toBe(404);
  });

  it('acknowledges once with who and when, returns the same on a repeat, and audits each request', async () => {
    const w = await world();
    const first = await acknowledge(w.myClient.id, w.myAlert.id, w.mine.cookie);
    expect(first.statusCode).toBe(200);
    const at = ctx.clock.now().toISOString();
    expect(first.json()).toMatchObject({ id: w.myAlert.id, status: 'acknowledged', acknowledgedBy: w.mine.userId, acknowledgedAt: at });
    ctx.clock.advance(60_000);
    const again = await acknowledge(w.myClient.id, w.myAlert.id, w.admin.cookie);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: w.mine.userId, acknowledgedAt: at });
    const audit = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.entityId, w.myAlert.id), eq(auditEvents.action, 'alert.acknowledge')));
    expect(audit.map((a) => [a.actorId, a.clientId])).toEqual([
      [w.mine.userId, w.myClient.id],
      [w.admin.userId, w.myClient.id],
    ]);
  });

  it('refuses to acknowledge a resolved alert with 409, and another client’s alert with 404', async () => {
    const w = await world();
    await ctx.db.update(alerts).set({ status: 'resolved', resolvedBy: w.admin.userId, resolvedAt: ctx.clock.now() }).where(eq(alerts.id, w.myAlert.id));
    const resolved = await acknowledge(w.myClient.id, w.myAlert.id, w.mine.cookie);
    expect(resolved.statusCode).toBe(409);
    expect(resolved.json()).toEqual({ error: { code: 'alert_resolved', message: 'This alert is already resolved.' } });
    const wrongClient = await acknowledge(w.myClient.id, w.theirAlert.id, w.admin.cookie);
    expect(wrongClient.statusCode).toBe(404);
    expect(wrongClient.json()).toEqual({ error: { code: 'not_found', message: 'No such alert.' } });
  });
});

describe('urgent alert notification', () => {
  it('emails each active member of the care team once, with no client or instrument named, even when the job runs twice', async () => {
    const org = await ctx.buildOrganisation();
    const a = await ctx.buildStaff(org.id, 'clinician');
    const b = await ctx.buildStaff(org.id, 'clinician');
    const gone = await ctx.buildStaff(org.id, 'clinician');
    const offTeam = await ctx.buildStaff(org.id, 'clinician');
    await ctx.deactivate(org.id, gone.userId);
    const client = await ctx.buildClient(org.id, { givenName: 'Perpetua', familyName: 'Vandersloot' }, [a.userId, b.userId, gone.userId]);
    // Earlier tests queued notifications too: only mail to this test's staff counts (and not the daily digest the same drain sends).
    const ours = () => ctx.smtp.messages.filter((m) => [a, b, gone, offTeam].some((s) => m.to.includes(s.email)) && !m.subject.startsWith('Rapport: '));
    const alert = await ctx.buildRiskAlert(org.id, client.id);
    const queued = await ctx.db.select().from(jobs).where(eq(jobs.key, `alert:${alert.id}:urgent`));
    expect(queued).toMatchObject([{ kind: NOTIFY_URGENT_JOB, payload: { alertId: alert.id } }]);

    await ctx.jobs.drain();
    await ctx.smtp.waitFor(1);
    const received = ours();
    expect(received.map((m) => m.to[0]).sort()).toEqual([a.email, b.email].sort());
    for (const mail of received) {
      expect(mail.subject).toBe('An urgent item is waiting in Rapport');
      expect(mail.text).toContain('http://rapport.test/alerts');
      for (const secret of ['Perpetua', 'Vandersloot', 'PHQ', 'phq9', 'Patient Health', 'suicid', 'item 9']) expect(mail.raw).not.toContain(secret);
    }

    await enqueueJob(ctx.db, { kind: NOTIFY_URGENT_JOB, key: `alert:${alert.id}:urgent:rerun`, runAt: ctx.clock.now(), payload: { alertId: alert.id } });
    expect(await ctx.jobs.drain()).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(ours()).toHaveLength(2);
    const sent = (await ctx.db.select().from(messages).where(eq(messages.orgId, org.id))).filter((m) => m.key.startsWith('alert:'));
    expect(sent.map((m) => [m.key, m.status]).sort()).toEqual(
      [a.userId, b.userId].map((id) => [`alert:${alert.id}:urgent:${id}`, 'sent']).sort(),
    );
  });

  it('raises the same evidence only once', async () => {
    const org = await ctx.buildOrganisation();
    const client = await ctx.buildClient(org.id);
    const alert = await ctx.buildRiskAlert(org.id, client.id);
    const [row] = await ctx.db.select().from(alerts).where(eq(alerts.id, alert.id));
    const again = await raiseAlerts(ctx.db, [{ ...row!, id: undefined, createdAt: undefined } as never], ctx.clock.now());
    expect(again).toEqual([]);
  });
});
