import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db/database';
import { appointments, assignments, clientConsents, clients, episodes, messages, organisations, programmes, protocols } from '../db/schema';
import { seededRandom } from '../lib/random';
import { enqueueJob } from '../jobs/job-runner';
import { issueLink } from '../features/assignments/assignment-links';
import { planAssignments } from '../features/assignments/assignments.plan';
import { queueSend } from '../features/assignments/assignments.queries';
import type { DemoBlindSession } from './demo.responses';
import { BUILT_IN_PROTOCOL } from '../features/protocols/built-in-protocol';
import { daysToColumn, resolveDays, resolveProtocol } from '../features/protocols/protocols.queries';

const DAY = 86_400_000;

/**
 * The demo clinic's measurement protocols and the questionnaires in flight at `now`, from a seeded
 * model so every machine gets the same: the programme's protocol (the built-in default plus CORE-10
 * every sixth session), an organisation default for work outside programmes, one client's own
 * protocol, and what the protocol asks for now — pre-session questionnaires already sent (with
 * their message and link) or waiting to go, clinicians' alliance ratings waiting in session, and a
 * few expired ones from last week. Episodes are taken as opened when they started, so intake is
 * history, not today's work. The protocol sweep, when the server starts, finds all of this already
 * done (same dedupe keys) and carries on from here. In the caller's transaction.
 */
export async function seedDemoDelivery(tx: Queryable, options: { orgId: string; now: Date; seed?: number; blindSessions?: readonly DemoBlindSession[] }) {
  const { orgId, now } = options;
  const rnd = seededRandom((options.seed ?? 20261125) ^ 0xde11);

  await tx
    .update(episodes)
    .set({ createdAt: sql`(${episodes.startedOn}::timestamp at time zone 'UTC')` })
    .where(eq(episodes.orgId, orgId));

  const [programme] = await tx.select().from(programmes).where(eq(programmes.orgId, orgId)).orderBy(asc(programmes.createdAt)).limit(1);
  const insertProtocol = (values: Omit<typeof protocols.$inferInsert, 'orgId' | 'createdAt' | 'updatedAt'>) =>
    tx.insert(protocols).values({ orgId, createdAt: now, updatedAt: now, ...values }).returning();
  await insertProtocol({
    name: 'Brief check-ins (outside programmes)',
    rules: [{ id: 'phq9-gad7-before', instrumentIds: ['phq9', 'gad7'], respondent: 'client', trigger: { kind: 'before_each', hoursBefore: 48 } }],
    reminderAfterDays: 1,
    expiryDays: 3,
  });
  if (programme) {
    await insertProtocol({
      programmeId: programme.id,
      name: `${programme.name}: routine outcome monitoring`,
      rules: [...BUILT_IN_PROTOCOL.rules, { id: 'core10-every-6', instrumentIds: ['core10'], respondent: 'client', trigger: { kind: 'every_nth', n: 6 } }],
      reminderAfterDays: daysToColumn('organisation'),
      expiryDays: daysToColumn('organisation'),
    });
  }

  const [org] = await tx.select().from(organisations).where(eq(organisations.id, orgId));
  const settings = org!.settings;
  const open = await tx
    .select({ episode: episodes, client: clients })
    .from(episodes)
    .innerJoin(clients, eq(clients.id, episodes.clientId))
    .where(and(eq(episodes.orgId, orgId), isNull(episodes.endedOn)))
    // Emails are unique and seeded (ids are random): a stable order, so the seeded draws land the same.
    .orderBy(asc(episodes.startedOn), asc(clients.email));

  // One French-speaking client answers 48 hours ahead: their episode has its own protocol.
  const own = open.find((o) => o.client.language === 'fr');
  if (own) {
    await insertProtocol({
      episodeId: own.episode.id,
      name: 'Earlier check-in (client works nights)',
      rules: [
        { id: 'phq9-gad7-before', instrumentIds: ['phq9', 'gad7'], respondent: 'client', trigger: { kind: 'before_each', hoursBefore: 48 } },
        ...BUILT_IN_PROTOCOL.rules.filter((r) => r.id !== 'phq9-gad7-before'),
      ],
      reminderAfterDays: 1,
      expiryDays: 2,
    });
  }

  // Whoever asked to stop email and SMS: their questionnaires wait for the kiosk or the session.
  const quiet = open[open.length - 1];
  if (quiet) {
    await tx.insert(clientConsents).values(
      (['email', 'sms'] as const).map((channel) => ({ orgId, clientId: quiet.client.id, channel, granted: false, note: 'Prefers to answer in clinic', recordedAt: now })),
    );
  }

  for (const { episode, client } of open) {
    const protocol = await resolveProtocol(tx, orgId, episode);
    const visits = await tx.select().from(appointments).where(eq(appointments.episodeId, episode.id)).orderBy(asc(appointments.startsAt));
    // Everything due now, plus the next week's pre-session questionnaires (so the list shows what is coming).
    const horizon = new Date(now.getTime() + 7 * DAY);
    const plan = planAssignments(protocol, { id: episode.id, primaryClinicianId: episode.primaryClinicianId, openedAt: episode.createdAt, closedAt: null }, visits, now).filter(
      (p) => p.action !== 'cancel' && p.dueAt <= horizon,
    );
    const reminderAfterDays = resolveDays(protocol.reminderAfterDays, settings.reminderAfterDays);
    const expiryDays = resolveDays(protocol.expiryDays, settings.linkExpiryDays);
    for (const p of plan) {
      const byClinician = p.respondent === 'clinician';
      const due = p.dueAt <= now;
      // Most due questionnaires went out a little while ago; the rest are on their way.
      const sentAt = !byClinician && due && client.id !== quiet?.client.id && rnd.chance(0.8) ? p.dueAt : null;
      const opened = sentAt !== null && rnd.chance(0.3);
      const [row] = await tx
        .insert(assignments)
        .values({
          orgId,
          clientId: client.id,
          episodeId: episode.id,
          appointmentId: p.appointmentId,
          protocolId: protocol.id,
          dedupeKey: p.dedupeKey,
          instrumentIds: p.instrumentIds,
          respondent: p.respondent,
          respondentUserId: p.respondentUserId,
          channel: sentAt ? 'email' : p.channel,
          status: opened ? 'opened' : sentAt ? 'sent' : 'scheduled',
          scheduledFor: p.dueAt,
          sentAt,
          openedAt: opened ? new Date(sentAt!.getTime() + 3_600_000) : null,
          expiresAt: sentAt && expiryDays ? new Date(sentAt.getTime() + expiryDays * DAY) : null,
          reminderAfterDays: byClinician ? null : reminderAfterDays,
          expiryDays: byClinician ? null : expiryDays,
          createdAt: p.dueAt < now ? p.dueAt : now,
          updatedAt: now,
        })
        .returning();
      const a = row!;
      if (sentAt) {
        await tx.insert(messages).values({ orgId, key: `assignment:${a.id}:invite`, channel: 'email', clientId: client.id, status: 'sent', createdAt: sentAt, sentAt });
        await issueLink(tx, { orgId, assignmentId: a.id, now: sentAt });
        const remindAt = reminderAfterDays ? new Date(sentAt.getTime() + reminderAfterDays * DAY) : null;
        if (remindAt && (!a.expiresAt || remindAt < a.expiresAt)) {
          await enqueueJob(tx, { kind: 'assignment.remind', key: `remind:${a.id}`, runAt: remindAt, orgId, payload: { assignmentId: a.id } });
        }
        if (a.expiresAt) await enqueueJob(tx, { kind: 'assignment.expire', key: `expire:${a.id}`, runAt: a.expiresAt, orgId, payload: { assignmentId: a.id } });
      } else if (!byClinician) {
        await queueSend(tx, a, { timeZone: client.timeZone ?? settings.timeZone, quietHours: settings.quietHours });
      }
    }
  }

  // A few questionnaires from last week that nobody answered in time.
  for (const { episode, client } of open.filter((_, i) => i % 7 === 3)) {
    const sentAt = new Date(now.getTime() - (6 + rnd.int(0, 2)) * DAY);
    const protocol = await resolveProtocol(tx, orgId, episode);
    await tx.insert(assignments).values({
      orgId,
      clientId: client.id,
      episodeId: episode.id,
      protocolId: protocol.id,
      instrumentIds: ['phq9', 'gad7'],
      respondent: 'client',
      channel: 'email',
      status: 'expired',
      scheduledFor: sentAt,
      sentAt,
      expiresAt: new Date(sentAt.getTime() + 4 * DAY),
      reminderAfterDays: 2,
      expiryDays: 4,
      createdAt: sentAt,
      updatedAt: now,
    });
  }
  // Blind rating at any hour: the planner looks back only three days, so the blind session
  // demo.responses.ts kept for a clinician (from last week when the demo is seeded before the day's
  // sessions) may have no rating owed yet: it gets one.
  for (const visit of options.blindSessions ?? []) {
    const [owed] = await tx
      .select({ id: assignments.id })
      .from(assignments)
      .where(and(eq(assignments.orgId, orgId), eq(assignments.appointmentId, visit.appointmentId), eq(assignments.respondent, 'clinician')))
      .limit(1);
    if (owed) continue;
    const dueAt = new Date(visit.startsAt.getTime() + 3_600_000);
    await tx.insert(assignments).values({
      orgId,
      clientId: visit.clientId,
      episodeId: visit.episodeId,
      appointmentId: visit.appointmentId,
      dedupeKey: `demo-rating:${visit.appointmentId}`,
      instrumentIds: ['rapport_alliance_therapist'],
      respondent: 'clinician',
      respondentUserId: visit.clinicianId,
      channel: 'in_session',
      status: 'scheduled',
      scheduledFor: dueAt,
      createdAt: dueAt,
      updatedAt: now,
    });
  }
}
