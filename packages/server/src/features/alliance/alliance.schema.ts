import { z } from 'zod';

export const ratingListParams = z.strictObject({ clientId: z.uuid() });
export const ratingParams = z.strictObject({ clientId: z.uuid(), assignmentId: z.uuid() });
export const responseParams = z.strictObject({ clientId: z.uuid(), responseId: z.uuid() });

/** The therapist's rating: the same shape as the client's submit (answers by instrument, then item). */
export const ratingBody = z.strictObject({
  submissionId: z.uuid(),
  answers: z.record(z.string().max(64), z.record(z.string().max(64), z.number().finite().nullable())),
});

export const discussedBody = z.strictObject({ note: z.string().trim().max(2000).optional() });

export const pendingRatingView = z.object({
  assignmentId: z.uuid(),
  appointmentId: z.uuid().nullable(),
  appointmentStartsAt: z.string().nullable(),
  episodeId: z.uuid().nullable(),
  instrumentIds: z.array(z.string()),
  dueSince: z.string(),
  /** After this the rating counts as skipped and the client's score is shown. */
  blindUntil: z.string(),
});

export const pendingRatingListView = z.object({ items: z.array(pendingRatingView) });

export const sessionRatingView = z.object({
  assignmentId: z.uuid(),
  outcome: z.enum(['rated', 'skipped']),
  skipReason: z.enum(['clinician', 'timed_out']).nullable(),
  /** Rated before the client's response for the session was visible to the clinician. */
  blind: z.boolean().nullable(),
  responseIds: z.array(z.uuid()),
  alertIds: z.array(z.uuid()),
  decidedAt: z.string(),
});

export const discussionView = z.object({ responseId: z.uuid(), discussedBy: z.uuid(), discussedAt: z.string(), note: z.string().nullable() });
