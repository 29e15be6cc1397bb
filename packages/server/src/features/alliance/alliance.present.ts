import type { PendingRatingRow, SessionRatingRow } from './alliance.queries';
import type { responseDiscussions } from '../../db/schema';

/** A rating the clinician still owes, as sent out (no client score: it is the thing being kept blind). */
export function presentPendingRating(r: PendingRatingRow) {
  return {
    assignmentId: r.assignmentId,
    appointmentId: r.appointmentId,
    appointmentStartsAt: r.appointmentStartsAt?.toISOString() ?? null,
    episodeId: r.episodeId,
    instrumentIds: r.instrumentIds,
    dueSince: r.dueSince.toISOString(),
    blindUntil: r.blindUntil.toISOString(),
  };
}

/** What became of a session rating. */
export function presentSessionRating(r: SessionRatingRow, result: { responseIds: string[]; alertIds: string[] }) {
  return {
    assignmentId: r.assignmentId,
    outcome: r.outcome,
    skipReason: r.skipReason,
    blind: r.blind,
    responseIds: result.responseIds,
    alertIds: result.alertIds,
    decidedAt: r.decidedAt.toISOString(),
  };
}

export function presentDiscussion(d: typeof responseDiscussions.$inferSelect) {
  return { responseId: d.responseId, discussedBy: d.discussedBy, discussedAt: d.discussedAt.toISOString(), note: d.note };
}
