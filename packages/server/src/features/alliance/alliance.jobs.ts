import { and, eq, inArray } from 'drizzle-orm';
import type { JobHandler } from '../../jobs/job-runner';
import type { JobDeps } from '../../jobs/jobs';
import { assignments, users } from '../../db/schema';
import { recordAudit } from '../../audit/audit.queries';
import { ratingNudgeEmail } from '../alerts/alerts.mail';
import { sendOnce } from '../alerts/alerts.lifecycle';
import { BLIND_WINDOW_DAYS, PENDING_RATING_STATUSES } from './blind';
import { openSessionRatingsDueBefore, recordSessionRating } from './alliance.queries';

/** The recurring job that nudges and times out session ratings (every 15 minutes). */
export const RATINGS_SWEEP_JOB = 'alliance.ratings_sweep';
/** Issue 5 item 1: a nudge when a session rating is still undone a day after the session. */
export const NUDGE_AFTER_HOURS = 24;
const HOUR_MS = 3_600_000;

/**
 * Session ratings by state, not by event (like the protocol sweep, decision 0001): each run
 * - times out every rating due {@link BLIND_WINDOW_DAYS} days ago or more: the assignment becomes
 *   `expired` and a `session_ratings` row records `skipped` / `timed_out` (audited as
 *   `session_rating.timed_out`), which releases the client's score to the clinician;
 * - nudges the clinician once for every rating undone after {@link NUDGE_AFTER_HOURS} hours: an email
 *   with no health information, at most once (`messages` key `assignment:<id>:rating-nudge`).
 */
export function allianceJobHandlers(deps: JobDeps): Record<string, JobHandler> {
  return {
    [RATINGS_SWEEP_JOB]: async (_job, { db, now }) => {
      const deadline = new Date(now.getTime() - BLIND_WINDOW_DAYS * 24 * HOUR_MS);
      for (const due of await openSessionRatingsDueBefore(db, deadline)) {
        await db.transaction(async (tx) => {
          const [current] = await tx.select().from(assignments).where(eq(assignments.id, due.id)).for('update');
          if (!current || !PENDING_RATING_STATUSES.includes(current.status)) return;
          await tx.update(assignments).set({ status: 'expired', expiresAt: now, updatedAt: now }).where(and(eq(assignments.id, due.id), inArray(assignments.status, [...PENDING_RATING_STATUSES])));
          await recordSessionRating(tx, {
            orgId: current.orgId,
            clientId: current.clientId,
            assignmentId: current.id,
            appointmentId: current.appointmentId,
            userId: current.respondentUserId,
            outcome: 'skipped',
            skipReason: 'timed_out',
            decidedAt: now,
          });
          await recordAudit(tx, { orgId: current.orgId, actorKind: 'system', actorId: null, action: 'session_rating.timed_out', clientId: current.clientId, entityType: 'assignment', entityId: current.id, outcome: 'success', at: now });
        });
      }
      let failed: unknown = null;
      for (const due of await openSessionRatingsDueBefore(db, new Date(now.getTime() - NUDGE_AFTER_HOURS * HOUR_MS))) {
        const [person] = await db.select({ email: users.email }).from(users).where(eq(users.id, due.respondentUserId!));
        if (!person) continue;
        try {
          await sendOnce(db, { mailer: deps.mailer, clock: deps.clock }, { orgId: due.orgId, key: `assignment:${due.id}:rating-nudge`, userId: due.respondentUserId!, message: ratingNudgeEmail(deps.config.publicUrl, person.email) });
        } catch (error) {
          failed ??= error;
        }
      }
      if (failed) throw failed;
    },
  };
}
