import { and, eq } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Db } from '../../db/database';
import { assignments, messages, type Channel } from '../../db/schema';
import { enqueueJob, type JobRow } from '../../jobs/job-runner';
import type { Mailer } from '../../mail/mailer';
import type { SmsTransport } from '../../notifications/sms';
import { currentConsents } from '../clients/clients.queries';
import { issueLink, linkUrl } from './assignment-links';
import { composeMessage, type MessageKind } from './assignments.messages';
import { OPEN_SENT_STATUSES, isSentByMessage, lockAssignment, messageKey, messagingContext, setAssignment, type AssignmentRow } from './assignments.queries';
import { nextSendTime } from './quiet-hours';

const DAY_MS = 86_400_000;
/**
 * A message row still `sending` this long after it was claimed belongs to an attempt that died
 * mid-send (longer than a job's 5-minute lease), so it may be sent again: the one duplicate risk,
 * a crash between the provider's acceptance and our update (design 0001).
 */
const STALE_SENDING_MS = 10 * 60_000;

export type DeliveryDeps = { db: Db; mailer: Mailer; sms: SmsTransport | null; config: Pick<Config, 'publicUrl'> };

/** Another attempt is sending this message right now; the job runner retries later. */
class MessageInFlightError extends Error {
  readonly code = 'message_in_flight';
  constructor() {
    super('message in flight');
    this.name = 'MessageInFlightError';
  }
}

type Consent = { channel: 'email' | 'sms'; granted: boolean };

/**
 * Which channel reaches the client (design 0001): email when their latest email consent is granted
 * and they have an address, else SMS when consented, with a mobile number and SMS set up; else none
 * (the questionnaire waits for the kiosk or the session).
 */
export function chooseChannel(
  client: { email: string | null; mobile: string | null },
  consents: readonly Consent[],
  smsAvailable: boolean,
  only?: 'email' | 'sms',
): 'email' | 'sms' | null {
  const granted = (channel: 'email' | 'sms') => consents.some((c) => c.channel === channel && c.granted) && (!only || only === channel);
  if (granted('email') && client.email) return 'email';
  if (granted('sms') && client.mobile && smsAvailable) return 'sms';
  return null;
}

type DeliveryOutcome = { state: 'sent' | 'already_sent'; channel: 'email' | 'sms' } | { state: 'no_channel' };

/**
 * Sends one message about an assignment at most once (design 0001): the `messages` row keyed
 * `assignment:<id>:<kind>` is claimed (`sending`) with a fresh link in one transaction, the
 * transport is called, and the row is marked `sent`. A retry after a failure (recorded on the row)
 * sends again; a retry that finds `sent` does nothing.
 */
async function deliverOnce(deps: DeliveryDeps, assignment: AssignmentRow, key: string, kind: MessageKind, now: Date, only?: 'email' | 'sms'): Promise<DeliveryOutcome> {
  const { db } = deps;
  const context = await messagingContext(db, assignment.clientId);
  if (!context) return { state: 'no_channel' };
  const consents = await currentConsents(db, assignment.orgId, assignment.clientId);
  const channel = chooseChannel(context.client, consents, deps.sms !== null, only);

  const claim = await db.transaction(async (tx) => {
    const [existing] = await tx.select().from(messages).where(eq(messages.key, key)).for('update').limit(1);
    if (existing?.status === 'sent') return { state: 'already_sent' as const, channel: existing.channel };
    if (!channel) {
      if (!existing) {
        await tx.insert(messages).values({ orgId: assignment.orgId, key, channel: 'email', clientId: assignment.clientId, status: 'skipped', skipReason: 'no_consented_channel', createdAt: now });
      }
      return { state: 'no_channel' as const };
    }
    const inFlight = existing?.status === 'sending' && existing.skipReason !== 'transport_failed' && now.getTime() - existing.createdAt.getTime() < STALE_SENDING_MS;
    if (inFlight) throw new MessageInFlightError();
    // `created_at` of a message row is when the latest attempt claimed it.
    const values = { channel, status: 'sending' as const, skipReason: null, createdAt: now };
    const [row] = existing
      ? await tx.update(messages).set(values).where(eq(messages.id, existing.id)).returning()
      : await tx.insert(messages).values({ orgId: assignment.orgId, key, clientId: assignment.clientId, ...values }).returning();
    const token = await issueLink(tx, { orgId: assignment.orgId, assignmentId: assignment.id, now });
    return { state: 'claimed' as const, messageId: row!.id, token };
  });
  if (claim.state !== 'claimed') return claim;

  const publicUrl = deps.config.publicUrl;
  const text = composeMessage({
    kind,
    language: context.client.language,
    clinicName: context.orgName,
    link: linkUrl(publicUrl, claim.token),
    stopLink: `${publicUrl}/q/${claim.token}/stop`,
  });
  try {
    if (channel === 'email') await deps.mailer.send({ to: context.client.email!, subject: text.subject, text: text.text });
    else await deps.sms!.send({ to: context.client.mobile!, body: text.sms });
  } catch (error) {
    await db.update(messages).set({ skipReason: 'transport_failed' }).where(and(eq(messages.id, claim.messageId), eq(messages.status, 'sending')));
    throw error;
  }
  await db.update(messages).set({ status: 'sent', sentAt: now, skipReason: null }).where(eq(messages.id, claim.messageId));
  return { state: 'sent', channel: channel! };
}

/** Re-queues a job for the end of the client's quiet hours; true when it had to wait. */
async function waitForMorning(deps: DeliveryDeps, job: JobRow, assignment: AssignmentRow, now: Date): Promise<boolean> {
  const context = await messagingContext(deps.db, assignment.clientId);
  if (!context) return false;
  const sendAt = nextSendTime(now, context.timeZone, context.settings.quietHours);
  if (sendAt.getTime() <= now.getTime()) return false;
  await enqueueJob(deps.db, { kind: job.kind, key: `${job.key}@${sendAt.getTime()}`, runAt: sendAt, orgId: job.orgId, payload: job.payload });
  return true;
}

async function loadAssignment(deps: DeliveryDeps, job: JobRow): Promise<AssignmentRow | null> {
  const id = String(job.payload.assignmentId ?? '');
  if (!id) return null;
  const [row] = await deps.db.select().from(assignments).where(eq(assignments.id, id)).limit(1);
  return row ?? null;
}

/**
 * `assignment.send`: the first message with a link (or a resend, `payload.resend` = n). Does nothing
 * for an assignment no longer scheduled, moved since the job was queued, or answered in session or
 * at the kiosk.
 * After sending: status `sent`, expiry `sent_at + expiry days` (clinician questionnaires never
 * expire), and the reminder and expiry jobs.
 */
export async function handleSend(deps: DeliveryDeps, job: JobRow, now: Date): Promise<void> {
  const assignment = await loadAssignment(deps, job);
  if (!assignment || assignment.respondent !== 'client' || !isSentByMessage(assignment.channel)) return;
  const resend = typeof job.payload.resend === 'number' ? job.payload.resend : null;
  if (resend === null) {
    if (assignment.status !== 'scheduled') return;
    if (job.payload.scheduledFor !== assignment.scheduledFor.toISOString()) return; // moved: its own job sends it
  } else if (!OPEN_SENT_STATUSES.includes(assignment.status)) return;
  if (await waitForMorning(deps, job, assignment, now)) return;

  const key = resend === null ? messageKey(assignment.id, 'invite') : messageKey(assignment.id, `resend:${resend}`);
  // A first message on a channel the clinician chose (email or SMS) goes on that channel only.
  const only = resend === null && (assignment.channel === 'email' || assignment.channel === 'sms') ? assignment.channel : undefined;
  const outcome = await deliverOnce(deps, assignment, key, 'invite', now, only);
  if (outcome.state === 'no_channel' || resend !== null) return;
  await markSent(deps.db, assignment.id, outcome.channel, now);
}

/** Status `sent` with its expiry, plus the reminder and expiry jobs; only from `scheduled` (idempotent). */
async function markSent(db: Db, assignmentId: string, channel: Channel, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await lockAssignment(tx, assignmentId);
    if (!current || current.status !== 'scheduled') return;
    const expiresAt = current.respondent === 'client' && current.expiryDays ? new Date(now.getTime() + current.expiryDays * DAY_MS) : null;
    await setAssignment(tx, assignmentId, { status: 'sent', channel, sentAt: now, expiresAt, updatedAt: now });
    const remindAt = current.reminderAfterDays ? new Date(now.getTime() + current.reminderAfterDays * DAY_MS) : null;
    if (remindAt && (!expiresAt || remindAt < expiresAt)) {
      await enqueueJob(tx, { kind: 'assignment.remind', key: `remind:${assignmentId}`, runAt: remindAt, orgId: current.orgId, payload: { assignmentId } });
    }
    if (expiresAt) {
      await enqueueJob(tx, { kind: 'assignment.expire', key: `expire:${assignmentId}`, runAt: expiresAt, orgId: current.orgId, payload: { assignmentId } });
    }
  });
}

/** `assignment.remind`: one reminder with a fresh link, unless the questionnaire was completed, expired or cancelled. */
export async function handleRemind(deps: DeliveryDeps, job: JobRow, now: Date): Promise<void> {
  const assignment = await loadAssignment(deps, job);
  if (!assignment || !OPEN_SENT_STATUSES.includes(assignment.status)) return;
  if (assignment.expiresAt && assignment.expiresAt <= now) return;
  if (await waitForMorning(deps, job, assignment, now)) return;
  await deliverOnce(deps, assignment, messageKey(assignment.id, 'reminder'), 'reminder', now);
}

/** `assignment.expire`: an unfinished questionnaire whose time is up becomes `expired` (its links stop working). */
export async function handleExpire(deps: DeliveryDeps, job: JobRow, now: Date): Promise<void> {
  const id = String(job.payload.assignmentId ?? '');
  if (!id) return;
  await deps.db.transaction(async (tx) => {
    const current = await lockAssignment(tx, id);
    if (!current || !OPEN_SENT_STATUSES.includes(current.status) || !current.expiresAt || current.expiresAt > now) return;
    await setAssignment(tx, id, { status: 'expired', updatedAt: now });
  });
}
