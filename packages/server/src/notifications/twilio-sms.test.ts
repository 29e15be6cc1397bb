import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, like } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context';
import { startFakeSmsProvider } from '../../test/fake-sms';
import { appointments, assignments, clientConsents, episodes, jobs, messages } from '../db/schema';
import { sweepProtocols } from '../features/assignments/assignments.sweep';
import { createTwilioSmsTransport, SmsSendError } from './twilio-sms';

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

const H = 3_600_000;

describe('Twilio-compatible SMS transport', () => {
  it('posts To, From and Body form-encoded with HTTP Basic auth', async () => {
    const sms = createTwilioSmsTransport({ url: provider.url, accountSid: provider.accountSid, authToken: provider.authToken, from: 'Rapport' });
    const before = provider.messages.length;
    await sms.send({ to: '+447700900123', body: 'Harbour: a check-in https://x.test/q/abc & more' });
    expect(provider.messages.slice(before)).toEqual([{ to: '+447700900123', from: 'Rapport', body: 'Harbour: a check-in https://x.test/q/abc & more' }]);
  });

  it.each([
    ['a wrong token', { authToken: 'wrong' }, 401],
    ['another account', { accountSid: 'AC999' }, 404],
  ])('throws an error with the status code only for %s', async (_name, change, status) => {
    const sms = createTwilioSmsTransport({ url: provider.url, accountSid: provider.accountSid, authToken: provider.authToken, from: 'Rapport', ...change });
    const error = await sms.send({ to: '+447700900123', body: 'hello' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsSendError);
    expect(error).toMatchObject({ status, code: `sms_http_${status}`, message: `SMS provider answered HTTP ${status}` });
  });

  it('is what the server uses when SMS_URL and its credentials are set', async () => {
    expect(ctx.config.sms).toEqual({ url: provider.url, accountSid: provider.accountSid, authToken: provider.authToken, from: '+15005550006' });
  });
});

let mobiles = 0;
async function smsClient(consent: { email?: boolean; sms?: boolean }) {
  const now = ctx.clock.now();
  const org = await ctx.buildOrganisation({ name: 'Quayside Counselling' });
  const clinician = await ctx.buildStaff(org.id, 'clinician');
  const client = await ctx.buildClient(org.id, { mobile: `+44770090${String(++mobiles).padStart(4, '0')}` }, [clinician.userId]);
  for (const channel of ['email', 'sms'] as const) {
    if (consent[channel] !== undefined) {
      await ctx.db.insert(clientConsents).values({ orgId: org.id, clientId: client.id, channel, granted: consent[channel]!, recordedBy: clinician.userId, recordedAt: now });
    }
  }
  const [episode] = await ctx.db
    .insert(episodes)
    .values({ orgId: org.id, clientId: client.id, primaryClinicianId: clinician.userId, startedOn: '2026-01-01', createdAt: new Date(now.getTime() - 30 * 24 * H) })
    .returning();
  await ctx.db.insert(appointments).values({
    orgId: org.id,
    clientId: client.id,
    episodeId: episode!.id,
    clinicianId: clinician.userId,
    startsAt: new Date(now.getTime() + 24.5 * H),
    createdAt: now,
    updatedAt: now,
  });
  await sweepProtocols(ctx.db, now);
  const [assignment] = await ctx.db.select().from(assignments).where(eq(assignments.clientId, client.id));
  return { client, assignment: assignment! };
}

const smsTo = (mobile: string) => provider.messages.filter((m) => m.to === mobile);

describe('questionnaire messages by SMS', () => {
  it('texts a client who consented to SMS only, with the clinic name and a link', async () => {
    ctx.clock.set('2026-05-04T10:00:00Z');
    const { client, assignment } = await smsClient({ sms: true });
    ctx.clock.advanceMinutes(30);
    await ctx.jobs.drain();
    const [sms] = smsTo(client.mobile!);
    expect(sms!.body).toMatch(/^Quayside Counselling has sent you a short check-in\. .* http:\/\/rapport\.test\/q\/[A-Za-z0-9_-]{43} Stop: http:\/\/rapport\.test\/q\/[A-Za-z0-9_-]{43}\/stop$/);
    expect(sms!.from).toBe('+15005550006');
    const [row] = await ctx.db.select().from(assignments).where(eq(assignments.id, assignment.id));
    expect(row).toMatchObject({ status: 'sent', channel: 'sms' });
    expect(ctx.smtp.messages.filter((m) => m.to.includes(client.email!))).toHaveLength(0);
  });

  it('sends no SMS without SMS consent', async () => {
    ctx.clock.set('2026-05-05T10:00:00Z');
    const { client } = await smsClient({ sms: false, email: false });
    ctx.clock.advanceMinutes(30);
    await ctx.jobs.drain();
    expect(smsTo(client.mobile!)).toHaveLength(0);
  });

  it('prefers email when both are consented', async () => {
    ctx.clock.set('2026-05-06T10:00:00Z');
    const { client } = await smsClient({ sms: true, email: true });
    ctx.clock.advanceMinutes(30);
    await ctx.jobs.drain();
    await ctx.smtp.waitFor(1);
    expect(smsTo(client.mobile!)).toHaveLength(0);
    expect(ctx.smtp.messages.filter((m) => m.to.includes(client.email!))).toHaveLength(1);
  });

  it('retries a failing SMS with back-off and sends it exactly once when the provider recovers', async () => {
    ctx.clock.set('2026-05-07T10:00:00Z');
    const { client, assignment } = await smsClient({ sms: true });
    provider.failNext(2, 503, client.mobile!);
    ctx.clock.advanceMinutes(30);
    await ctx.jobs.drain();
    const jobOf = async () => (await ctx.db.select().from(jobs).where(like(jobs.key, `send:${assignment.id}:%`)))[0]!;
    let job = await jobOf();
    expect(job).toMatchObject({ attempts: 1, lastError: 'SmsSendError sms_http_503', doneAt: null });
    expect(job.runAt.getTime()).toBe(ctx.clock.now().getTime() + 30_000);
    ctx.clock.advance(30_000);
    await ctx.jobs.drain();
    job = await jobOf();
    expect(job).toMatchObject({ attempts: 2, doneAt: null });
    expect(job.runAt.getTime()).toBe(ctx.clock.now().getTime() + 60_000); // the back-off doubles
    expect(smsTo(client.mobile!)).toHaveLength(0);
    ctx.clock.advance(60_000);
    await ctx.jobs.drain();
    ctx.clock.advance(5 * 60_000);
    await ctx.jobs.drain();
    expect(smsTo(client.mobile!)).toHaveLength(1);
    expect((await jobOf()).doneAt).not.toBeNull();
    const sent = await ctx.db.select().from(messages).where(eq(messages.key, `assignment:${assignment.id}:invite`));
    expect(sent).toEqual([expect.objectContaining({ status: 'sent', channel: 'sms' })]);
  });
});
