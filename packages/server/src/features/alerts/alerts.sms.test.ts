import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, like } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../../test/context';
import { startFakeSmsProvider } from '../../../test/fake-sms';
import { jobs, messages } from '../../db/schema';
import { createJobRunner } from '../../jobs/jobs';
import { createLogger } from '../../lib/logger';
import { createMailer } from '../../mail/mailer';
import { createSmsTransport } from '../../notifications/sms';

// Issue 4 item 7: an urgent alert texts the clinicians who asked for it, through a local fake of
// the Twilio API (the real transport, the real job runner, a real SMTP server).
let provider: Awaited<ReturnType<typeof startFakeSmsProvider>>;
let ctx: TestContext;
beforeAll(async () => {
  provider = await startFakeSmsProvider();
  ctx = await createTestContext(provider.env('+15005550006'));
});
afterAll(async () => {
  await ctx.close();
  await provider.close();
});

const URGENT_SMS = 'Rapport: an urgent item is waiting. Sign in: http://rapport.test/alerts';
const HEALTH_WORDS = ['PHQ', 'phq9', 'Patient Health', 'suicid', 'item 9', 'score', 'risk'];

let numbers = 0;
/** A clinician who set their own urgent-alert texts through the settings API (consent on or off). */
async function clinician(orgId: string, texts: boolean) {
  const staff = await ctx.buildStaff(orgId, 'clinician');
  const mobile = `+44770091${String(++numbers).padStart(4, '0')}`;
  const res = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/me/settings', headers: { cookie: staff.cookie }, payload: { alertMobile: mobile, smsUrgentAlerts: texts } });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ smsAvailable: true, smsUrgentAlerts: texts });
  return { ...staff, mobile };
}

async function careTeamWithAlert() {
  const org = await ctx.buildOrganisation({ settings: { onCallSupervisorUserId: null } });
  const texted = await clinician(org.id, true);
  const notTexted = await clinician(org.id, false);
  const client = await ctx.buildClient(org.id, { givenName: 'Perpetua', familyName: 'Vandersloot' }, [texted.userId, notTexted.userId]);
  const alert = await ctx.buildRiskAlert(org.id, client.id);
  const smsTo = (s: { mobile: string }) => provider.messages.filter((m) => m.to === s.mobile);
  const mailTo = (s: { email: string }) => ctx.smtp.messages.filter((m) => m.to.includes(s.email) && m.subject === 'An urgent item is waiting in Rapport');
  const rows = async () =>
    (await ctx.db.select().from(messages).where(like(messages.key, `alert:${alert.id}:urgent:%`))).map((m) => [m.key.split(':')[3], m.channel, m.status]).sort();
  return { org, texted, notTexted, client, alert, smsTo, mailTo, rows };
}

const notifyJob = async (alertId: string) => (await ctx.db.select().from(jobs).where(eq(jobs.key, `alert:${alertId}:urgent`)))[0]!;
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('urgent alert texts', () => {
  it('texts only the care-team members who turned texts on, with no health information, once even when the job runs again', async () => {
    const w = await careTeamWithAlert();
    await ctx.jobs.drain();
    await ctx.smtp.waitFor(1);
    await settle();

    expect(w.smsTo(w.texted)).toEqual([{ to: w.texted.mobile, from: '+15005550006', body: URGENT_SMS }]);
    expect(w.smsTo(w.notTexted)).toEqual([]);
    for (const secret of ['Perpetua', 'Vandersloot', ...HEALTH_WORDS]) expect(URGENT_SMS).not.toContain(secret);
    // The email still goes to both, as before.
    expect(w.mailTo(w.texted)).toHaveLength(1);
    expect(w.mailTo(w.notTexted)).toHaveLength(1);
    expect(await w.rows()).toEqual([
      [w.texted.userId, 'email', 'sent'],
      [w.texted.userId, 'sms', 'sent'],
      [w.notTexted.userId, 'email', 'sent'],
    ].sort());

    // A second run of the job (a retry, a duplicate) sends nothing more on either channel.
    await ctx.db.update(jobs).set({ doneAt: null, runAt: ctx.clock.now() }).where(eq(jobs.key, `alert:${w.alert.id}:urgent`));
    expect(await ctx.jobs.drain()).toBeGreaterThan(0);
    await settle();
    expect(w.smsTo(w.texted)).toHaveLength(1);
    expect(w.mailTo(w.texted)).toHaveLength(1);
    expect(w.mailTo(w.notTexted)).toHaveLength(1);
  });

  it('still emails when the SMS provider fails, and the retry texts once without emailing again', async () => {
    const w = await careTeamWithAlert();
    provider.failNext(1, 503, w.texted.mobile);
    await ctx.jobs.drain();
    await ctx.smtp.waitFor(1);
    await settle();

    expect(w.smsTo(w.texted)).toEqual([]);
    expect(w.mailTo(w.texted)).toHaveLength(1);
    expect(w.mailTo(w.notTexted)).toHaveLength(1);
    const failed = await notifyJob(w.alert.id);
    expect(failed).toMatchObject({ doneAt: null, failedAt: null, attempts: 1, lastError: 'SmsSendError sms_http_503' });
    expect(await w.rows()).toContainEqual([w.texted.userId, 'sms', 'sending']);

    ctx.clock.advance(31_000);
    await ctx.jobs.drain();
    await settle();
    expect(w.smsTo(w.texted)).toEqual([{ to: w.texted.mobile, from: '+15005550006', body: URGENT_SMS }]);
    expect(w.mailTo(w.texted)).toHaveLength(1);
    expect((await notifyJob(w.alert.id)).doneAt).not.toBeNull();
    // The number is the staff member's personal data: not in the logs, not in the job's error.
    expect(ctx.logs()).not.toContain(w.texted.mobile.slice(1));
  });

  it('still texts when the mail server cannot be reached, and the retry emails once without texting again', async () => {
    const w = await careTeamWithAlert();
    // The same app and database, but a worker whose SMTP server is down (nothing listens on port 9).
    const brokenMail = createMailer({ smtpUrl: 'smtp://127.0.0.1:9', mailFrom: ctx.config.mailFrom, dataDir: ctx.config.dataDir }, ctx.clock);
    const worker = createJobRunner({ db: ctx.db, clock: ctx.clock, logger: createLogger('silent'), mailer: brokenMail, sms: createSmsTransport(ctx.config), config: ctx.config, secretKey: ctx.secretKey });
    await worker.drain();
    brokenMail.close();

    expect(w.smsTo(w.texted)).toEqual([{ to: w.texted.mobile, from: '+15005550006', body: URGENT_SMS }]);
    expect(w.mailTo(w.texted)).toEqual([]);
    expect(await notifyJob(w.alert.id)).toMatchObject({ doneAt: null, failedAt: null, attempts: 1 });
    expect(await w.rows()).toEqual([
      [w.texted.userId, 'email', 'sending'],
      [w.texted.userId, 'sms', 'sent'],
      [w.notTexted.userId, 'email', 'sending'],
    ].sort());

    ctx.clock.advance(31_000);
    await ctx.jobs.drain();
    await ctx.smtp.waitFor(1);
    await settle();
    expect(w.mailTo(w.texted)).toHaveLength(1);
    expect(w.mailTo(w.notTexted)).toHaveLength(1);
    expect(w.smsTo(w.texted)).toHaveLength(1);
    expect((await notifyJob(w.alert.id)).doneAt).not.toBeNull();
  });

  it('texts nobody who withdrew their consent, though their number stays on record', async () => {
    const org = await ctx.buildOrganisation({ settings: { onCallSupervisorUserId: null } });
    const withdrawn = await clinician(org.id, true);
    const res = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/me/settings', headers: { cookie: withdrawn.cookie }, payload: { smsUrgentAlerts: false } });
    expect(res.json()).toMatchObject({ alertMobile: withdrawn.mobile, smsUrgentAlerts: false });
    const client = await ctx.buildClient(org.id, {}, [withdrawn.userId]);
    const alert = await ctx.buildRiskAlert(org.id, client.id);
    await ctx.jobs.drain();
    await settle();
    expect(provider.messages.filter((m) => m.to === withdrawn.mobile)).toEqual([]);
    expect(await ctx.db.select().from(messages).where(and(like(messages.key, `alert:${alert.id}:%`), eq(messages.channel, 'sms')))).toEqual([]);
  });

  it('texts a supervisor who turned texts on when the urgent alert escalates, once, with no health information', async () => {
    const org = await ctx.buildOrganisation({ settings: { onCallSupervisorUserId: null } });
    const treating = await ctx.buildStaff(org.id, 'clinician');
    const supervisor = await ctx.buildStaff(org.id, 'supervisor');
    const mobile = '+447700919999';
    const set = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/me/settings', headers: { cookie: supervisor.cookie }, payload: { alertMobile: mobile, smsUrgentAlerts: true } });
    expect(set.statusCode).toBe(200);
    const client = await ctx.buildClient(org.id, { givenName: 'Ottoline', familyName: 'Quarrington' }, [treating.userId]);
    const alert = await ctx.buildRiskAlert(org.id, client.id);
    await ctx.jobs.drain();
    expect(provider.messages.filter((m) => m.to === mobile)).toEqual([]);

    ctx.clock.advance(4 * 3_600_000); // nobody acknowledged it within the organisation's 4 hours
    await ctx.jobs.drain();
    await ctx.jobs.drain();
    await settle();
    const body = 'Rapport: an urgent item needs a supervisor. Sign in: http://rapport.test/alerts';
    expect(provider.messages.filter((m) => m.to === mobile)).toEqual([{ to: mobile, from: '+15005550006', body }]);
    for (const secret of ['Ottoline', 'Quarrington', ...HEALTH_WORDS]) expect(body).not.toContain(secret);
    const escalation = (await ctx.db.select().from(messages).where(like(messages.key, `alert:${alert.id}:escalate:%`))).map((m) => [m.userId, m.channel, m.status]).sort();
    expect(escalation).toEqual([
      [supervisor.userId, 'email', 'sent'],
      [supervisor.userId, 'sms', 'sent'],
    ]);

    await ctx.db.update(jobs).set({ doneAt: null, runAt: ctx.clock.now() }).where(eq(jobs.key, `alert:${alert.id}:escalate`));
    await ctx.jobs.drain();
    await settle();
    expect(provider.messages.filter((m) => m.to === mobile)).toHaveLength(1);
  });
});
