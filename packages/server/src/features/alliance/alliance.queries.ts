import { and, asc, eq, gt, inArray, isNotNull, lte } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { appointments, assignments, responseDiscussions, responses, sessionRatings } from '../../db/schema';
import { BLIND_WINDOW_DAYS, PENDING_RATING_STATUSES, isClientAllianceForm, isTherapistAllianceForm } from './blind';

/** Session ratings (the write side of issue 5 item 1). The read side's queries are in `alliance-read.queries.ts`. */

export type SessionRatingRow = typeof sessionRatings.$inferSelect;
const DAY_MS = 86_400_000;

export type PendingRatingRow = {
  assignmentId: string;
  appointmentId: string | null;
  appointmentStartsAt: Date | null;
  episodeId: string | null;
  instrumentIds: string[];
  dueSince: Date;
  blindUntil: Date;
};

/**
 * The caller's clinician questionnaires for this client not yet done: due already, still open, and
 * within the 7-day window after which a session rating counts as skipped. Oldest first.
 */
export async function listPendingRatings(db: Queryable, input: { orgId: string; clientId: string; userId: string; now: Date }): Promise<PendingRatingRow[]> {
  const since = new Date(input.now.getTime() - BLIND_WINDOW_DAYS * DAY_MS);
  const rows = await db
    .select({ a: assignments, startsAt: appointments.startsAt })
    .from(assignments)
    .leftJoin(appointments, eq(appointments.id, assignments.appointmentId))
    .where(
      and(
        eq(assignments.orgId, input.orgId),
        eq(assignments.clientId, input.clientId),
        eq(assignments.respondent, 'clinician'),
        eq(assignments.respondentUserId, input.userId),
        inArray(assignments.status, [...PENDING_RATING_STATUSES]),
        lte(assignments.scheduledFor, input.now),
        gt(assignments.scheduledFor, since),
      ),
    )
    .orderBy(asc(assignments.scheduledFor), asc(assignments.id));
  return rows.map(({ a, startsAt }) => ({
    assignmentId: a.id,
    appointmentId: a.appointmentId,
    appointmentStartsAt: startsAt,
    episodeId: a.episodeId,
    instrumentIds: a.instrumentIds,
    dueSince: a.scheduledFor,
    blindUntil: new Date(a.scheduledFor.getTime() + BLIND_WINDOW_DAYS * DAY_MS),
  }));
}

/** Whether a clinician assignment is a session rating (a therapist alliance form tied to a session). */
export const isSessionRating = (a: { respondent: string; appointmentId: string | null; instrumentIds: string[] }) =>
  a.respondent === 'clinician' && a.appointmentId !== null && a.instrumentIds.some(isTherapistAllianceForm);

/** When a session rating stops being owed: it then counts as skipped (`timed_out`). */
export const ratingDeadline = (a: { scheduledFor: Date }) => new Date(a.scheduledFor.getTime() + BLIND_WINDOW_DAYS * DAY_MS);

/** The client's completed alliance response for a session, if it has arrived. */
export async function clientAllianceResponseFor(db: Queryable, orgId: string, appointmentId: string) {
  const rows = await db
    .select({ id: responses.id, instrumentId: responses.instrumentId, appointmentId: responses.appointmentId, respondent: responses.respondent })
    .from(responses)
    .where(and(eq(responses.orgId, orgId), eq(responses.appointmentId, appointmentId), eq(responses.respondent, 'client'), eq(responses.status, 'completed')));
  return rows.find((r) => isClientAllianceForm(r.instrumentId)) ?? null;
}

/** Records what became of a session rating; the first record wins (one per assignment). */
export async function recordSessionRating(db: Queryable, values: typeof sessionRatings.$inferInsert): Promise<SessionRatingRow> {
  await db.insert(sessionRatings).values(values).onConflictDoNothing({ target: sessionRatings.assignmentId });
  const [row] = await db.select().from(sessionRatings).where(eq(sessionRatings.assignmentId, values.assignmentId));
  return row!;
}

export async function getSessionRating(db: Queryable, assignmentId: string): Promise<SessionRatingRow | null> {
  const [row] = await db.select().from(sessionRatings).where(eq(sessionRatings.assignmentId, assignmentId));
  return row ?? null;
}

/** A completed response of this client (any respondent), or null. */
export async function getCompletedResponse(db: Queryable, orgId: string, clientId: string, responseId: string) {
  const [row] = await db
    .select({ id: responses.id, instrumentId: responses.instrumentId, appointmentId: responses.appointmentId, respondent: responses.respondent })
    .from(responses)
    .where(and(eq(responses.orgId, orgId), eq(responses.clientId, clientId), eq(responses.id, responseId), eq(responses.status, 'completed')));
  return row ?? null;
}

/** Marks a response discussed with the client; the first mark stands (a repeat returns it). */
export async function markDiscussed(db: Queryable, values: typeof responseDiscussions.$inferInsert) {
  await db.insert(responseDiscussions).values(values).onConflictDoNothing({ target: responseDiscussions.responseId });
  const [row] = await db.select().from(responseDiscussions).where(eq(responseDiscussions.responseId, values.responseId));
  return row!;
}

/** Open session ratings due at or before `dueBefore` (the ratings sweep's work list), oldest first. */
export async function openSessionRatingsDueBefore(db: Queryable, dueBefore: Date, limit = 500) {
  const rows = await db
    .select()
    .from(assignments)
    .where(
      and(
        eq(assignments.respondent, 'clinician'),
        inArray(assignments.status, [...PENDING_RATING_STATUSES]),
        isNotNull(assignments.appointmentId),
        isNotNull(assignments.respondentUserId),
        lte(assignments.scheduledFor, dueBefore),
      ),
    )
    .orderBy(asc(assignments.scheduledFor))
    .limit(limit);
  return rows.filter(isSessionRating);
}
