import { and, asc, desc, eq, gt, inArray, isNull } from 'drizzle-orm';
import { RULES_VERSION } from '@rapport/analysis';
import type { Db, Queryable } from '../../db/database';
import { alerts, assignments, careTeamMembers, memberships, messages, organisations, users } from '../../db/schema';
import type { JobHandler } from '../../jobs/job-runner';
import type { JobDeps } from '../../jobs/jobs';
import type { Mailer, MailMessage } from '../../mail/mailer';
import type { Clock } from '../../lib/clock';
import { recordAudit } from '../../audit/audit.queries';
import { localParts } from '../assignments/quiet-hours';
import { defaultOrganisationSettings } from '../organisations/organisations.schema';
import { allianceVisibility } from '../alliance/blind';
import { raiseAndAudit } from './alert-engine';
import { ESCALATE_JOB, organisationSettings } from './alerts.escalation';
import type { AlertRow } from './alerts.queries';
import { digestEmail, escalationEmail, escalationSms } from './alerts.mail';
import type { SmsMessage, SmsTransport } from '../../notifications/sms';
import { urgentSmsNumbers } from '../users/users.queries';

/**
 * The background half of the alert lifecycle (issue 5 item 3):
 * - **Escalation** (`alert.escalate`, key `alert:<id>:escalate`, queued with the urgent alert in the
 *   transaction that raises it): an urgent alert still `open` (nobody acknowledged it) after the
 *   organisation's `urgentEscalationHours` (default 4) goes to the organisation's active supervisors
 *   (its admins when it has none); raised outside the organisation's working hours (in its time zone)
 *   with an on-call supervisor set, it goes to them at once. `escalated_at` is set once, with one
 *   `alert.escalate` audit event, before any message; each email is one `messages` row
 *   (`alert:<id>:escalate:<userId>`) claimed before the SMTP call, so a rerun after a crash only
 *   sends to whoever has no `sent` row (decision 0001: the one duplicate risk is a crash between the
 *   server's 250 OK and the update). A recipient who turned on urgent-alert texts (their own
 *   settings) also gets an SMS, the same key with channel `sms`, claimed and retried on its own
 *   ({@link notifyStaff}).
 * - **Daily digest** (`alert.digest`, hourly): from 07:00 in the organisation's time zone, each active
 *   clinician or supervisor with alerts waiting on their care teams (open or acknowledged, blind
 *   rating respected) gets one email with the count only, once per local day (`digest:<orgId>:<userId>:<date>`).
 * - **Missed questionnaires** (`alert.missed_questionnaires`, hourly): a client whose last
 *   {@link MISSED_IN_A_ROW} or more questionnaires all expired unanswered gets one alert per streak
 *   (key `streak:<first expired assignment id>`).
 * Stopped check-ins are raised at once by the client's opt-out (questionnaire feature).
 */

export const DIGEST_JOB = 'alert.digest';
export const MISSED_QUESTIONNAIRES_JOB = 'alert.missed_questionnaires';
/** Local hour from which the daily digest goes out (Rapport default: before a working day starts). */
export const DIGEST_LOCAL_HOUR = 7;
/** Questionnaires expired in a row that raise `missed_questionnaires` (issue 5: N = 2 by default). */
export const MISSED_IN_A_ROW = 2;
const HOUR_MS = 3_600_000;

/**
 * One message to one person at most once per `key` and channel: the `messages` row (unique on key
 * and channel) is claimed (`sending`) before `send` is called and marked `sent` after. A row already
 * `sent` is skipped; a row left `sending` by a dead or failed attempt is sent again (the job lease
 * means no other attempt is live).
 */
async function claimAndSend(db: Queryable, clock: Clock, input: { orgId: string; key: string; userId: string; channel: 'email' | 'sms' }, send: () => Promise<void>): Promise<'sent' | 'already_sent'> {
  const row = and(eq(messages.key, input.key), eq(messages.channel, input.channel));
  await db
    .insert(messages)
    .values({ orgId: input.orgId, key: input.key, channel: input.channel, userId: input.userId, status: 'sending', createdAt: clock.now() })
    .onConflictDoNothing({ target: [messages.key, messages.channel] });
  const [record] = await db.select({ status: messages.status }).from(messages).where(row);
  if (record?.status !== 'sending') return 'already_sent';
  await send();
  await db.update(messages).set({ status: 'sent', sentAt: clock.now() }).where(row);
  return 'sent';
}

/** One email to one person at most once per `key` (see {@link claimAndSend}). */
export async function sendOnce(db: Queryable, deps: { mailer: Mailer; clock: Clock }, input: { orgId: string; key: string; userId: string; message: MailMessage }): Promise<'sent' | 'already_sent'> {
  return claimAndSend(db, deps.clock, { ...input, channel: 'email' }, () => deps.mailer.send(input.message));
}

/**
 * One SMS to one person at most once per `key`: the same `messages` key as the email, channel `sms`,
 * so each channel is claimed and retried on its own. The number is passed to the transport only.
 */
export async function sendSmsOnce(db: Queryable, deps: { sms: SmsTransport; clock: Clock }, input: { orgId: string; key: string; userId: string; message: SmsMessage }): Promise<'sent' | 'already_sent'> {
  return claimAndSend(db, deps.clock, { ...input, channel: 'sms' }, () => deps.sms.send(input.message));
}

/**
 * Sends one alert notice to each recipient by email and, where they consented to it and gave a
 * number (and SMS is set up), by SMS too; each at most once per `<keyPrefix>:<userId>` and channel.
 * A failure on one channel or person does not stop the others; the first one is thrown at the end,
 * so the job runner retries and the rerun sends only what is still unsent. Quiet hours are for
 * clients' questionnaires: urgent notices to staff go at any hour (the Account screen says so).
 */
export async function notifyStaff(
  db: Queryable,
  deps: Pick<JobDeps, 'mailer' | 'sms' | 'clock'>,
  input: { orgId: string; keyPrefix: string; recipients: { userId: string; email: string }[]; email: (to: string) => MailMessage; sms: (to: string) => SmsMessage },
): Promise<void> {
  let failed: unknown = null;
  const numbers = deps.sms ? await urgentSmsNumbers(db, input.recipients.map((r) => r.userId)) : new Map<string, string>();
  for (const recipient of input.recipients) {
    const key = `${input.keyPrefix}:${recipient.userId}`;
    try {
      await sendOnce(db, deps, { orgId: input.orgId, key, userId: recipient.userId, message: input.email(recipient.email) });
    } catch (error) {
      failed ??= error;
    }
    const mobile = numbers.get(recipient.userId);
    if (!deps.sms || !mobile) continue;
    try {
      await sendSmsOnce(db, { sms: deps.sms, clock: deps.clock }, { orgId: input.orgId, key, userId: recipient.userId, message: input.sms(mobile) });
    } catch (error) {
      failed ??= error;
    }
  }
  if (failed) throw failed;
}

async function activeStaff(db: Queryable, orgId: string, roles: readonly ('supervisor' | 'admin' | 'clinician')[]) {
  return db
    .select({ userId: users.id, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.status, 'active'), inArray(memberships.role, [...roles])))
    .orderBy(asc(users.id));
}

/** Who an escalation goes to: the on-call supervisor (if still active), else the supervisors, else the admins. */
async function escalationRecipients(db: Queryable, alert: AlertRow, to: 'on_call' | 'supervisors') {
  if (to === 'on_call') {
    const onCall = (await organisationSettings(db, alert.orgId)).onCallSupervisorUserId;
    const found = onCall ? (await activeStaff(db, alert.orgId, ['supervisor', 'admin'])).filter((s) => s.userId === onCall) : [];
    if (found.length > 0) return found;
  }
  const supervisors = await activeStaff(db, alert.orgId, ['supervisor']);
  return supervisors.length > 0 ? supervisors : activeStaff(db, alert.orgId, ['admin']);
}

/** Marks the alert escalated (once) with its audit event; false when it needs no escalation (acknowledged, resolved, gone). */
async function markEscalated(db: Db, alertId: string, now: Date): Promise<AlertRow | null> {
  return db.transaction(async (tx) => {
    const [alert] = await tx.select().from(alerts).where(eq(alerts.id, alertId)).for('update');
    if (!alert) return null;
    if (alert.escalatedAt) return alert;
    if (alert.status !== 'open' || !alert.urgent) return null;
    const [updated] = await tx.update(alerts).set({ escalatedAt: now }).where(and(eq(alerts.id, alertId), isNull(alerts.escalatedAt))).returning();
    await recordAudit(tx, { orgId: alert.orgId, actorKind: 'system', actorId: null, action: 'alert.escalate', clientId: alert.clientId, entityType: 'alert', entityId: alert.id, outcome: 'success', at: now });
    return updated!;
  });
}

export function alertLifecycleHandlers(deps: JobDeps): Record<string, JobHandler> {
  const mail = { mailer: deps.mailer, clock: deps.clock };
  return {
    [ESCALATE_JOB]: async (job, { db, now }) => {
      const alertId = typeof job.payload.alertId === 'string' ? job.payload.alertId : null;
      const to = job.payload.to === 'on_call' ? 'on_call' : 'supervisors';
      const alert = alertId ? await markEscalated(db, alertId, now) : null;
      if (!alert) return;
      await notifyStaff(db, deps, {
        orgId: alert.orgId,
        keyPrefix: `alert:${alert.id}:escalate`,
        recipients: await escalationRecipients(db, alert, to),
        email: (address) => escalationEmail(deps.config.publicUrl, address),
        sms: (mobile) => escalationSms(deps.config.publicUrl, mobile),
      });
    },

    [DIGEST_JOB]: async (_job, { db, now }) => {
      let failed: unknown = null;
      for (const org of await db.select({ id: organisations.id, settings: organisations.settings }).from(organisations)) {
        const settings = { ...defaultOrganisationSettings, ...org.settings };
        const local = localParts(now, settings.timeZone);
        if (local.hour < DIGEST_LOCAL_HOUR) continue;
        const day = localDay(now, settings.timeZone);
        for (const person of await activeStaff(db, org.id, ['clinician', 'supervisor'])) {
          const key = `digest:${org.id}:${person.userId}:${day}`;
          const [done] = await db.select({ id: messages.id }).from(messages).where(and(eq(messages.key, key), eq(messages.channel, 'email'), eq(messages.status, 'sent')));
          if (done) continue;
          const waiting = await waitingAlertCount(db, { orgId: org.id, userId: person.userId, now });
          if (waiting === 0) continue;
          try {
            await sendOnce(db, mail, { orgId: org.id, key, userId: person.userId, message: digestEmail(deps.config.publicUrl, person.email, waiting) });
          } catch (error) {
            failed ??= error;
          }
        }
      }
      if (failed) throw failed;
    },

    [MISSED_QUESTIONNAIRES_JOB]: async (_job, { db, now }) => {
      await raiseMissedQuestionnaireAlerts(db, now);
    },
  };
}

/** Alerts waiting for one person: open or acknowledged, on clients of their care teams, minus what blind rating hides from them. */
export async function waitingAlertCount(db: Queryable, input: { orgId: string; userId: string; now: Date }): Promise<number> {
  const rows = await db
    .select({ urgent: alerts.urgent, kind: alerts.kind, responseId: alerts.responseId })
    .from(alerts)
    .innerJoin(careTeamMembers, and(eq(careTeamMembers.clientId, alerts.clientId), eq(careTeamMembers.userId, input.userId)))
    .where(and(eq(alerts.orgId, input.orgId), inArray(alerts.status, ['open', 'acknowledged'])));
  const visibility = await allianceVisibility(db, { orgId: input.orgId, clinicianUserId: input.userId, now: input.now });
  return rows.filter((a) => !visibility.isAlertHidden(a)).length;
}

/**
 * `missed_questionnaires`: for each client with a questionnaire expired in the last 8 days, the
 * unbroken run of expired ones at the end of their client questionnaires (cancelled ones are
 * skipped, a completed one ends the run); a run of {@link MISSED_IN_A_ROW} or more raises one alert
 * per run. Returns the alerts raised.
 */
export async function raiseMissedQuestionnaireAlerts(db: Db, now: Date): Promise<AlertRow[]> {
  const since = new Date(now.getTime() - 8 * 24 * HOUR_MS);
  const candidates = await db
    .selectDistinct({ orgId: assignments.orgId, clientId: assignments.clientId })
    .from(assignments)
    .where(and(eq(assignments.respondent, 'client'), eq(assignments.status, 'expired'), gt(assignments.updatedAt, since)));
  const raised: AlertRow[] = [];
  for (const { orgId, clientId } of candidates) {
    const recent = await db
      .select({ id: assignments.id, status: assignments.status, episodeId: assignments.episodeId, scheduledFor: assignments.scheduledFor })
      .from(assignments)
      .where(and(eq(assignments.orgId, orgId), eq(assignments.clientId, clientId), eq(assignments.respondent, 'client'), inArray(assignments.status, ['completed', 'expired'])))
      .orderBy(desc(assignments.scheduledFor), desc(assignments.id))
      .limit(20);
    const streak: typeof recent = [];
    for (const a of recent) {
      if (a.status !== 'expired') break;
      streak.push(a);
    }
    if (streak.length < MISSED_IN_A_ROW) continue;
    const first = streak[streak.length - 1]!;
    const rows = await db.transaction((tx) =>
      raiseAndAudit(
        tx,
        [
          {
            orgId,
            clientId,
            episodeId: streak[0]!.episodeId,
            responseId: null,
            kind: 'missed_questionnaires',
            urgent: false,
            status: 'open',
            evidenceKey: `streak:${first.id}`,
            evidence: { inARow: streak.length, threshold: MISSED_IN_A_ROW, assignmentIds: streak.map((a) => a.id).reverse(), since: first.scheduledFor.toISOString() },
            rulesVersion: RULES_VERSION,
          },
        ],
        now,
      ),
    );
    raised.push(...rows);
  }
  return raised;
}

/** The local date (YYYY-MM-DD) of `now` in a time zone: the digest's once-a-day key. */
export function localDay(now: Date, timeZone: string): string {
  const local = localParts(now, timeZone);
  return `${local.year}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
}
