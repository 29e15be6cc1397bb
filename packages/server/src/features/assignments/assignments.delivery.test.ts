import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, like } from 'drizzle-orm';
import { createServer } from 'node:net';
import { createTestContext, type TestContext } from '../../../test/context';
import { appointments, assignments, clientConsents, episodes, jobs, messages, type OrganisationSettings } from '../../db/schema';
import { JobRunner } from '../../jobs/job-runner';
import { jobHandlers } from '../../jobs/jobs';
import { createLogger } from '../../lib/logger';
import { createMailer, type Mailer } from '../../mail/mailer';
import { sweepProtocols } from './assignments.sweep';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const H = 3_600_000;
const D = 24 * H;

type WorldOptions = {
  timeZone?: string | null;
  language?: 'en' | 'fr';
  consent?: { email?: boolean; sms?: boolean };
  settings?: Partial<OrganisationSettings>;
  mobile?: string | null;
};

/** A clinic with one clinician and one client on an episode opened a month ago (so no intake is due). */
async function world(options: WorldOptions = {}) {
  const now = ctx.clock.now();
  const org = await ctx.buildOrganisation({ name: 'Harbour Therapy Centre', settings: options.settings });
  const clinician = await ctx.buildStaff(org.id, 'clinician');
  const client = await ctx.buildClient(org.id, { timeZone: options.timeZone ?? null, language: options.language ?? 'en', mobile: options.mobile ?? null }, [clinician.userId]);
  for (const channel of ['email', 'sms'] as const) {
    const granted = options.consent?.[channel];
    if (granted !== undefined) {
      await ctx.db.insert(clientConsents).values({ orgId: org.id, clientId: client.id, channel, granted, recordedBy: clinician.userId, recordedAt: now });
    }
  }
  const [episode] = await ctx.db
    .insert(episodes)
    .values({ orgId: org.id, clientId: client.id, primaryClinicianId: clinician.userId, startedOn: '2026-01-01', createdAt: new Date(now.getTime() - 30 * D) })
    .returning();
  const appointment = async (startsAt: Date, status: 'scheduled' | 'attended' | 'cancelled' = 'scheduled') => {
    const [row] = await ctx.db
      .insert(appointments)
      .values({ orgId: org.id, clientId: client.id, episodeId: episode!.id, clinicianId: clinician.userId, startsAt, status, createdAt: now, updatedAt: now })
      .returning();
    return row!;
  };
  const rows = () => ctx.db.select().from(assignments).where(eq(assignments.clientId, client.id)).orderBy(assignments.dedupeKey);
  const mailTo = () => ctx.smtp.messages.filter((m) => m.to.includes(client.email!));
  return { org, clinician, client, episode: episode!, appointment, rows, mailTo };
}

/** An assignment for a session 24.5 h away, so its questionnaire is due in 30 minutes, then sent. */
async function sentAssignment(w: Awaited<ReturnType<typeof world>>) {
  await w.appointment(new Date(ctx.clock.now().getTime() + 24.5 * H));
  await sweepProtocols(ctx.db, ctx.clock.now());
  ctx.clock.advanceMinutes(30);
  await ctx.jobs.drain();
  const [row] = await w.rows();
  expect(row!.status).toBe('sent');
  return row!;
}

describe('protocol sweep', () => {
  it('makes exactly the assignments the default protocol asks for around a week of appointments, idempotently', async () => {
    ctx.clock.set('2026-03-02T09:00:00Z');
    const w = await world({ consent: { email: true } });
    const now = ctx.clock.now().getTime();
    const lastWeek = await w.appointment(new Date(now - 3 * D + H), 'attended'); // Friday, attended
    await w.appointment(new Date(now - 10 * D), 'attended'); // older than the look-back
    const tomorrow = await w.appointment(new Date(now + 25 * H)); // its questionnaire is due within the hour
    const thursday = await w.appointment(new Date(now + 3 * D + H)); // not yet
    await w.appointment(new Date(now + 29 * H), 'cancelled');

    await sweepProtocols(ctx.db, ctx.clock.now());
    const first = await w.rows();
    expect(first.map((a) => [a.dedupeKey, a.respondent, a.channel, a.status])).toEqual([
      [`alliance-client-after:appt:${lastWeek.id}`, 'client', 'link', 'scheduled'],
      [`alliance-clinician-after:appt:${lastWeek.id}`, 'clinician', 'in_session', 'scheduled'],
      [`phq9-gad7-before:appt:${tomorrow.id}`, 'client', 'link', 'scheduled'],
    ]);
    const clinicianOne = first.find((a) => a.respondent === 'clinician')!;
    expect(clinicianOne).toMatchObject({ respondentUserId: w.clinician.userId, expiryDays: null, reminderAfterDays: null });
    expect(first.find((a) => a.dedupeKey!.startsWith('phq9'))).toMatchObject({ instrumentIds: ['phq9', 'gad7'], reminderAfterDays: 2, expiryDays: 4 });

    await sweepProtocols(ctx.db, ctx.clock.now());
    expect(await w.rows()).toEqual(first);

    ctx.clock.set(new Date(now + 2 * D + 30 * 60_000)); // Thursday's questionnaire is now due within the hour
    await sweepProtocols(ctx.db, ctx.clock.now());
    await sweepProtocols(ctx.db, ctx.clock.now());
    const later = await w.rows();
    expect(later).toHaveLength(4);
    expect(later.map((a) => a.dedupeKey)).toContain(`phq9-gad7-before:appt:${thursday.id}`);
  });

  it('moves a scheduled assignment with its appointment and cancels it with a cancelled appointment', async () => {
    ctx.clock.set('2026-03-09T09:00:00Z');
    const w = await world({ consent: { email: true } });
    const appointment = await w.appointment(new Date(ctx.clock.now().getTime() + 24.5 * H));
    await sweepProtocols(ctx.db, ctx.clock.now());
    const [before] = await w.rows();
    const movedTo = new Date(appointment.startsAt.getTime() + 3 * H);
    await ctx.db.update(appointments).set({ startsAt: movedTo, updatedAt: ctx.clock.now() }).where(eq(appointments.id, appointment.id));
    await sweepProtocols(ctx.db, ctx.clock.now());
    const [moved] = await w.rows();
    expect(moved!.id).toBe(before!.id);
    expect(moved!.scheduledFor.toISOString()).toBe(new Date(movedTo.getTime() - 24 * H).toISOString());
    // The job queued for the old time finds the assignment moved and sends nothing.
    ctx.clock.advanceMinutes(30);
    await ctx.jobs.drain();
    expect(w.mailTo()).toHaveLength(0);
    expect((await w.rows())[0]!.status).toBe('scheduled');

    await ctx.db.update(appointments).set({ status: 'cancelled', updatedAt: ctx.clock.now() }).where(eq(appointments.id, appointment.id));
    await sweepProtocols(ctx.db, ctx.clock.now());
    expect((await w.rows())[0]).toMatchObject({ status: 'cancelled' });
    ctx.clock.advance(3 * H);
    await ctx.jobs.drain();
    expect(w.mailTo()).toHaveLength(0);
  });
});

describe('sending', () => {
  it('emails the clinic name and a link, with a way to stop, and no instrument name or score', async () => {
    ctx.clock.set('2026-03-16T10:00:00Z');
    const w = await world({ consent: { email: true } });
    const row = await sentAssignment(w);
    const [mail] = await ctx.smtp.waitFor(1).then(() => w.mailTo());
    expect(mail!.subject).toContain('Harbour Therapy Centre');
    expect(mail!.text).toContain('Harbour Therapy Centre');
    expect(mail!.text).toMatch(/http:\/\/rapport\.test\/q\/[A-Za-z0-9_-]{43}\s/);
    expect(mail!.text).toMatch(/http:\/\/rapport\.test\/q\/[A-Za-z0-9_-]{43}\/stop/);
    for (const word of ['PHQ', 'GAD', 'alliance', 'CORE', 'score', 'depress', 'anxi', w.client.givenName]) {
      expect(mail!.raw.toLowerCase()).not.toContain(word.toLowerCase());
    }
    expect(row).toMatchObject({ channel: 'email', sentAt: ctx.clock.now() });
    expect(row.expiresAt!.toISOString()).toBe(new Date(ctx.clock.now().getTime() + 4 * D).toISOString());
    const [message] = await ctx.db.select().from(messages).where(eq(messages.key, `assignment:${row.id}:invite`));
    expect(message).toMatchObject({ status: 'sent', channel: 'email' });
  });

  it('writes to a French-speaking client in French', async () => {
    ctx.clock.set('2026-03-17T10:00:00Z');
    const w = await world({ consent: { email: true }, language: 'fr' });
    await sentAssignment(w);
    await ctx.smtp.waitFor(1);
    // The test server decodes quoted-printable byte by byte; the bytes are UTF-8.
    const text = Buffer.from(w.mailTo()[0]!.text, 'latin1').toString('utf8');
    expect(text).toContain('vous a envoyé un court point d’étape');
    expect(text).toContain('Pour ne plus recevoir ces messages');
  });

  it('waits for 08:00 in the client’s time zone when a message falls due at 22:30 there', async () => {
    // 22:30 in Tokyo is 13:30 UTC: daytime for the clinic in London, quiet hours for the client.
    ctx.clock.set('2026-03-18T13:00:00Z');
    const w = await world({ consent: { email: true }, timeZone: 'Asia/Tokyo' });
    await w.appointment(new Date('2026-03-19T13:30:00Z'));
    await sweepProtocols(ctx.db, ctx.clock.now());
    const [row] = await w.rows();
    expect(row!.scheduledFor.toISOString()).toBe('2026-03-18T13:30:00.000Z');
    const [job] = await ctx.db.select().from(jobs).where(like(jobs.key, `send:${row!.id}:%`));
    expect(job!.runAt.toISOString()).toBe('2026-03-18T23:00:00.000Z'); // 08:00 JST
    ctx.clock.set('2026-03-18T13:30:00Z');
    await ctx.jobs.drain();
    expect((await w.rows())[0]!.status).toBe('scheduled');
    ctx.clock.set('2026-03-18T23:00:00Z');
    await ctx.jobs.drain();
    await ctx.smtp.waitFor(1);
    expect(w.mailTo()).toHaveLength(1);
    expect((await w.rows())[0]!.sentAt!.toISOString()).toBe('2026-03-18T23:00:00.000Z');
  });

  it.each([
    ['no consent recorded', {}],
    ['email consent withdrawn', { email: false }],
    ['only SMS consent, and SMS not set up', { sms: true }],
  ])('sends no email with %s and shows why', async (_name, consent) => {
    ctx.clock.set('2026-03-23T10:00:00Z');
    const w = await world({ consent, mobile: '+447700900123' });
    await w.appointment(new Date(ctx.clock.now().getTime() + 24.5 * H));
    await sweepProtocols(ctx.db, ctx.clock.now());
    ctx.clock.advanceMinutes(30);
    await ctx.jobs.drain();
    expect(w.mailTo()).toHaveLength(0);
    const [row] = await w.rows();
    expect(row!.status).toBe('scheduled');
    const [message] = await ctx.db.select().from(messages).where(eq(messages.key, `assignment:${row!.id}:invite`));
    expect(message).toMatchObject({ status: 'skipped', skipReason: 'no_consented_channel' });
  });

  it('uses the latest consent: granted after a withdrawal sends', async () => {
    ctx.clock.set('2026-03-24T10:00:00Z');
    const w = await world({ consent: { email: false } });
    await ctx.db.insert(clientConsents).values({ orgId: w.org.id, clientId: w.client.id, channel: 'email', granted: true, recordedBy: w.clinician.userId, recordedAt: new Date(ctx.clock.now().getTime() + 1000) });
    ctx.clock.advance(2000);
    await sentAssignment(w);
    await ctx.smtp.waitFor(1);
    expect(w.mailTo()).toHaveLength(1);
  });
});

describe('reminders and expiry', () => {
  it('reminds after 2 days when not completed, then expires after 4 days', async () => {
    ctx.clock.set('2026-04-06T10:00:00Z');
    const w = await world({ consent: { email: true } });
    await sentAssignment(w);
    await ctx.smtp.waitFor(1);
    ctx.clock.advance(2 * D - 60_000);
    await ctx.jobs.drain();
    expect(w.mailTo()).toHaveLength(1);
    ctx.clock.advance(60_000);
    await ctx.jobs.drain();
    await ctx.smtp.waitFor(2);
    const mails = w.mailTo();
    expect(mails).toHaveLength(2);
    expect(mails[1]!.subject).toBe('Harbour Therapy Centre: a reminder');
    expect((await w.rows())[0]!.status).toBe('sent');
    ctx.clock.advance(2 * D);
    await ctx.jobs.drain();
    expect((await w.rows())[0]!.status).toBe('expired');
    expect(w.mailTo()).toHaveLength(2);
  });

  it('sends no reminder once the questionnaire is completed, and never expires it', async () => {
    ctx.clock.set('2026-04-13T10:00:00Z');
    const w = await world({ consent: { email: true } });
    const row = await sentAssignment(w);
    await ctx.db.update(assignments).set({ status: 'completed', completedAt: ctx.clock.now() }).where(eq(assignments.id, row.id));
    ctx.clock.advance(5 * D);
    await ctx.jobs.drain();
    expect(w.mailTo()).toHaveLength(1);
    expect((await w.rows())[0]!.status).toBe('completed');
  });
});

describe('at most once', () => {
  it('sends one message when the send job runs twice', async () => {
    ctx.clock.set('2026-04-20T10:00:00Z');
    const w = await world({ consent: { email: true } });
    const row = await sentAssignment(w);
    await ctx.smtp.waitFor(1);
    const handlers = jobHandlers({ db: ctx.db, clock: ctx.clock, logger: createLogger('silent'), mailer: createMailer(ctx.config, ctx.clock), sms: null, config: ctx.config, secretKey: ctx.secretKey });
    const [job] = await ctx.db.select().from(jobs).where(like(jobs.key, `send:${row.id}:%`));
    await handlers['assignment.send']!(job!, { db: ctx.db, now: ctx.clock.now() });
    await handlers['assignment.send']!(job!, { db: ctx.db, now: ctx.clock.now() });
    // Even with the assignment put back to scheduled (a crash before the status update), the message row stops a second send.
    await ctx.db.update(assignments).set({ status: 'scheduled' }).where(eq(assignments.id, row.id));
    await handlers['assignment.send']!(job!, { db: ctx.db, now: ctx.clock.now() });
    await new Promise((r) => setTimeout(r, 300));
    expect(w.mailTo()).toHaveLength(1);
    expect((await w.rows())[0]!.status).toBe('sent');
  });

  it('retries with back-off when SMTP fails and sends exactly once when it recovers', async () => {
    ctx.clock.set('2026-04-27T10:00:00Z');
    const w = await world({ consent: { email: true } });
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const broken = createMailer({ ...ctx.config, smtpUrl: `smtp://127.0.0.1:${closedPort}` }, ctx.clock);
    const working = createMailer(ctx.config, ctx.clock);
    let current: Mailer = broken;
    const switching: Mailer = { send: (m) => current.send(m), close: () => undefined };
    const logger = createLogger('silent');
    const runner = new JobRunner({
      db: ctx.db,
      clock: ctx.clock,
      logger,
      handlers: jobHandlers({ db: ctx.db, clock: ctx.clock, logger, mailer: switching, sms: null, config: ctx.config, secretKey: ctx.secretKey }),
    });
    await w.appointment(new Date(ctx.clock.now().getTime() + 24.5 * H));
    await sweepProtocols(ctx.db, ctx.clock.now());
    ctx.clock.advanceMinutes(30);
    await runner.drain();
    const [row] = await w.rows();
    expect(row!.status).toBe('scheduled');
    const [failed] = await ctx.db.select().from(jobs).where(like(jobs.key, `send:${row!.id}:%`));
    expect(failed).toMatchObject({ attempts: 1, doneAt: null, failedAt: null });
    expect(failed!.runAt.getTime()).toBe(ctx.clock.now().getTime() + 30_000); // back-off
    const [claimed] = await ctx.db.select().from(messages).where(eq(messages.key, `assignment:${row!.id}:invite`));
    expect(claimed).toMatchObject({ status: 'sending', skipReason: 'transport_failed' });

    current = working;
    ctx.clock.advance(30_000);
    await runner.drain();
    await runner.drain();
    await ctx.smtp.waitFor(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(w.mailTo()).toHaveLength(1);
    expect((await w.rows())[0]!.status).toBe('sent');
    const [done] = await ctx.db.select().from(jobs).where(and(like(jobs.key, `send:${row!.id}:%`)));
    expect(done).toMatchObject({ attempts: 2 });
    expect(done!.doneAt).not.toBeNull();
    broken.close();
    working.close();
  });
});
