import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db/database';
import { alerts, appointments, assignments, clients, episodes, responseDiscussions, responses, sessionRatings } from '../db/schema';
import { seededRandom } from '../lib/random';
import { acknowledgeAlert, resolveAlert, resolutionActions } from '../features/alerts/alerts.queries';
import { isClientAllianceForm, isTherapistAllianceForm } from '../features/alliance/blind';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type AssignmentInsert = typeof assignments.$inferInsert;
type RatingInsert = typeof sessionRatings.$inferInsert;
type ResponseInsert = typeof responses.$inferInsert;
type DiscussionInsert = typeof responseDiscussions.$inferInsert;

const NOTES: Record<(typeof resolutionActions)[number], string> = {
  discussed_with_client: 'Talked it through in session; client agreed with the picture.',
  safety_plan: 'Reviewed and updated the safety plan together.',
  referral: 'Referred for a psychiatric review; GP informed.',
  changed_approach: 'Agreed to change the focus of the next sessions.',
  other: 'Followed up by phone.',
};

const chunked = async <T>(rows: T[], size: number, insert: (chunk: T[]) => Promise<unknown>) => {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
};

/**
 * The assignments the demo's historical questionnaires answered, as the questionnaire feature
 * leaves them: one per submission (its id is the submission id, and each response's
 * `assignment_id` is set here, before the responses are inserted: completed responses are
 * append-only), `completed`, sent and opened before the response was started. Client
 * questionnaires now and then had an unanswered one the week before, which expired (about one in
 * six). Therapist ratings get a clinician assignment. Inserted in bulk in the caller's transaction;
 * call before inserting `rows`.
 */
export async function insertAnsweredAssignments(tx: Queryable, orgId: string, rows: ResponseInsert[], seed: number) {
  const rnd = seededRandom(seed ^ 0xa551);
  const groups = new Map<string, ResponseInsert[]>();
  for (const r of rows) {
    if (r.status !== 'completed' || !r.submissionId || !r.submittedAt || r.assignmentId) continue;
    const g = groups.get(r.submissionId) ?? [];
    g.push(r);
    groups.set(r.submissionId, g);
  }
  const assignmentRows: AssignmentInsert[] = [];
  for (const [submissionId, group] of groups) {
    const first = group[0]!;
    const submittedAt = new Date(Math.max(...group.map((r) => r.submittedAt!.getTime())));
    const startedAt = new Date(Math.min(...group.map((r) => (r.startedAt ?? r.submittedAt!).getTime())));
    const base = {
      id: submissionId,
      orgId,
      clientId: first.clientId,
      episodeId: first.episodeId ?? null,
      appointmentId: first.appointmentId ?? null,
      instrumentIds: group.map((r) => r.instrumentId),
      status: 'completed' as const,
      completedAt: submittedAt,
      updatedAt: submittedAt,
    };
    if (first.respondent === 'clinician') {
      const scheduledFor = new Date(startedAt.getTime() - rnd.int(1, 3) * HOUR);
      assignmentRows.push({ ...base, respondent: 'clinician', respondentUserId: first.respondentUserId ?? null, channel: 'in_session', scheduledFor, createdAt: scheduledFor });
      continue;
    }
    // Sent a few hours to a day before it was started, opened shortly before it was started.
    const sentAt = new Date(startedAt.getTime() - rnd.int(1, 20) * HOUR - rnd.int(0, 59) * 60_000);
    const openedAt = new Date(startedAt.getTime() - rnd.int(0, 30) * 60_000);
    assignmentRows.push({
      ...base,
      respondent: 'client',
      channel: 'email',
      scheduledFor: sentAt,
      sentAt,
      openedAt: openedAt < sentAt ? sentAt : openedAt,
      expiresAt: new Date(sentAt.getTime() + 3 * DAY),
      reminderAfterDays: 1,
      expiryDays: 3,
      createdAt: sentAt,
    });
    // Now and then the week before's questionnaire went unanswered and expired.
    if (rnd.chance(0.17)) {
      const missedAt = new Date(sentAt.getTime() - 7 * DAY);
      assignmentRows.push({
        orgId,
        clientId: first.clientId,
        episodeId: first.episodeId ?? null,
        instrumentIds: base.instrumentIds,
        respondent: 'client',
        channel: 'email',
        status: 'expired',
        scheduledFor: missedAt,
        sentAt: missedAt,
        expiresAt: new Date(missedAt.getTime() + 3 * DAY),
        reminderAfterDays: 1,
        expiryDays: 3,
        createdAt: missedAt,
        updatedAt: new Date(missedAt.getTime() + 3 * DAY),
      });
    }
  }

  await chunked(assignmentRows, 500, (c) => tx.insert(assignments).values(c));
  for (const [submissionId, group] of groups) for (const r of group) r.assignmentId = submissionId;
  return assignmentRows.length;
}

/**
 * The clinic's follow-up history, so the Reports screen's follow-up figures look like a real
 * clinic's: each therapist rating has its clinician assignment and
 * its `session_ratings` row (as alliance.queries.ts `recordSessionRating` writes it), and a few
 * sessions' ratings were skipped; older alerts were acknowledged, some resolved with an action and
 * a note (the urgent ones, each clinician's newest and a few others stay open); about half the client results were marked
 * discussed at the next session. The assignments themselves are inserted with the responses
 * (`insertAnsweredAssignments`); this runs after the alerts. Seeded; bulk inserts.
 */
export async function seedDemoFollowUp(tx: Queryable, options: { orgId: string; now: Date; seed?: number }) {
  const { orgId, now } = options;
  const rnd = seededRandom((options.seed ?? 20261125) ^ 0xf011);

  // The completed responses (each now with its assignment), in an order the seed fixes (emails, times, instruments).
  const rows = await tx
    .select({
      id: responses.id,
      clientId: responses.clientId,
      episodeId: responses.episodeId,
      appointmentId: responses.appointmentId,
      assignmentId: responses.assignmentId,
      instrumentId: responses.instrumentId,
      respondent: responses.respondent,
      respondentUserId: responses.respondentUserId,
      startedAt: responses.startedAt,
      submittedAt: responses.submittedAt,
      clinicianId: episodes.primaryClinicianId,
    })
    .from(responses)
    .innerJoin(clients, eq(clients.id, responses.clientId))
    .innerJoin(episodes, eq(episodes.id, responses.episodeId))
    .where(and(eq(responses.orgId, orgId), eq(responses.status, 'completed')))
    .orderBy(asc(clients.email), asc(responses.submittedAt), asc(responses.instrumentId));

  const ratingRows: RatingInsert[] = [];
  const clientAllianceAt = new Map<string, { id: string; at: Date }>();
  for (const r of rows) if (r.appointmentId && r.respondent === 'client' && isClientAllianceForm(r.instrumentId)) clientAllianceAt.set(r.appointmentId, { id: r.id, at: r.submittedAt! });
  for (const therapist of rows) {
    if (therapist.respondent !== 'clinician' || !therapist.appointmentId || !therapist.assignmentId || !isTherapistAllianceForm(therapist.instrumentId)) continue;
    const client = clientAllianceAt.get(therapist.appointmentId);
    const seen = client && client.at <= therapist.submittedAt! ? client : null;
    ratingRows.push({
      orgId,
      clientId: therapist.clientId,
      assignmentId: therapist.assignmentId,
      appointmentId: therapist.appointmentId,
      userId: therapist.respondentUserId,
      outcome: 'rated',
      blind: seen === null,
      clientResponseId: seen?.id ?? null,
      therapistResponseId: therapist.id,
      decidedAt: therapist.submittedAt!,
    });
  }
  const assignmentRows: AssignmentInsert[] = [];

  // A few sessions the therapist did not rate: skipped explicitly (assignment cancelled) or timed out.
  const rated = new Set(rows.filter((r) => r.respondent === 'clinician' && r.appointmentId).map((r) => r.appointmentId!));
  const unrated = (
    await tx
      .select({ id: appointments.id, clientId: appointments.clientId, episodeId: appointments.episodeId, clinicianId: appointments.clinicianId, startsAt: appointments.startsAt, email: clients.email })
      .from(appointments)
      .innerJoin(clients, eq(clients.id, appointments.clientId))
      .where(and(eq(appointments.orgId, orgId), eq(appointments.status, 'attended'), sql`${appointments.startsAt} < ${new Date(now.getTime() - 8 * DAY)}`))
      .orderBy(asc(clients.email), asc(appointments.startsAt))
  ).filter((a) => !rated.has(a.id));
  for (const a of unrated) {
    if (!rnd.chance(0.5)) continue;
    const scheduledFor = new Date(a.startsAt.getTime() + HOUR);
    const explicit = rnd.chance(0.6);
    const decidedAt = explicit ? new Date(scheduledFor.getTime() + rnd.int(1, 30) * HOUR) : new Date(scheduledFor.getTime() + 7 * DAY);
    const id = randomUUID();
    assignmentRows.push({
      id,
      orgId,
      clientId: a.clientId,
      episodeId: a.episodeId,
      appointmentId: a.id,
      instrumentIds: ['rapport_alliance_therapist'],
      respondent: 'clinician',
      respondentUserId: a.clinicianId,
      channel: 'in_session',
      status: 'cancelled',
      scheduledFor,
      cancelledAt: decidedAt,
      cancelReason: 'rating_skipped',
      createdAt: scheduledFor,
      updatedAt: decidedAt,
    });
    ratingRows.push({ orgId, clientId: a.clientId, assignmentId: id, appointmentId: a.id, userId: a.clinicianId, outcome: 'skipped', skipReason: explicit ? 'clinician' : 'timed_out', decidedAt });
  }

  await chunked(assignmentRows, 500, (c) => tx.insert(assignments).values(c));
  await chunked(ratingRows, 500, (c) => tx.insert(sessionRatings).values(c).onConflictDoNothing({ target: sessionRatings.assignmentId }));

  // About half the client results were marked discussed, by the therapist at the next session.
  const visits = await tx
    .select({ id: appointments.id, episodeId: appointments.episodeId, startsAt: appointments.startsAt })
    .from(appointments)
    .where(and(eq(appointments.orgId, orgId), eq(appointments.status, 'attended')))
    .orderBy(asc(appointments.startsAt));
  const byEpisode = new Map<string, Date[]>();
  for (const v of visits) {
    if (!v.episodeId) continue;
    const list = byEpisode.get(v.episodeId) ?? [];
    list.push(v.startsAt);
    byEpisode.set(v.episodeId, list);
  }
  const discussionRows: DiscussionInsert[] = [];
  for (const r of rows) {
    if (r.respondent !== 'client' || !r.episodeId || !r.submittedAt) continue;
    if (!rnd.chance(0.55)) continue;
    const next = byEpisode.get(r.episodeId)?.find((d) => d > r.submittedAt!);
    if (!next || next >= now) continue;
    discussionRows.push({ orgId, clientId: r.clientId, responseId: r.id, discussedBy: r.clinicianId, discussedAt: new Date(next.getTime() + rnd.int(5, 40) * 60_000) });
  }
  await chunked(discussionRows, 1000, (c) => tx.insert(responseDiscussions).values(c).onConflictDoNothing({ target: responseDiscussions.responseId }));

  // Older alerts were acknowledged a few hours to a couple of days after they were raised, some
  // resolved; the urgent one (the risk item) and a few others are still open in the inbox. Each
  // clinician's newest non-urgent alert stays open too, whatever the hour the demo is seeded at, so
  // every inbox has open work to acknowledge (not left to chance).
  const open = await tx
    .select({ id: alerts.id, clientId: alerts.clientId, urgent: alerts.urgent, createdAt: alerts.createdAt, clinicianId: episodes.primaryClinicianId, email: clients.email, kind: alerts.kind })
    .from(alerts)
    .innerJoin(clients, eq(clients.id, alerts.clientId))
    .innerJoin(episodes, eq(episodes.id, alerts.episodeId))
    .where(and(eq(alerts.orgId, orgId), eq(alerts.status, 'open')))
    .orderBy(asc(clients.email), asc(alerts.kind), asc(alerts.createdAt));
  const newest = new Map<string, { id: string; at: number }>();
  for (const a of open) {
    if (a.urgent || !a.clinicianId) continue;
    const seen = newest.get(a.clinicianId);
    if (!seen || a.createdAt.getTime() > seen.at) newest.set(a.clinicianId, { id: a.id, at: a.createdAt.getTime() });
  }
  const keptOpen = new Set([...newest.values()].map((n) => n.id));
  for (const a of open) {
    const ageHours = (now.getTime() - a.createdAt.getTime()) / HOUR;
    if (a.urgent || keptOpen.has(a.id)) continue;
    if (ageHours < 12 || rnd.chance(0.15)) continue;
    const ackHours = Math.min(ageHours - 1, rnd.chance(0.7) ? rnd.int(2, 12) : rnd.int(12, 48));
    const acknowledgedAt = new Date(a.createdAt.getTime() + ackHours * HOUR + rnd.int(0, 59) * 60_000);
    const resolve = ageHours > ackHours + 26 && rnd.chance(0.45);
    const action = rnd.pick(a.kind === 'risk_item' ? (['safety_plan', 'referral'] as const) : (['discussed_with_client', 'changed_approach', 'other'] as const));
    // As the inbox does it: acknowledged first, then (for some) resolved later, keeping that acknowledgement.
    const who = { orgId, clientId: a.clientId, alertId: a.id, userId: a.clinicianId };
    await acknowledgeAlert(tx, { ...who, now: acknowledgedAt });
    if (resolve) await resolveAlert(tx, { ...who, action, note: NOTES[action], now: new Date(acknowledgedAt.getTime() + rnd.int(2, 24) * HOUR) });
  }
  return { assignments: assignmentRows.length, ratings: ratingRows.length, discussions: discussionRows.length };
}
