import type { App, AppDeps } from '../../app';
import { staffOf, withAudit } from '../../access/access';
import { conflict, forbidden, gone, notFound } from '../../errors';
import type { Tx } from '../../db/database';
import { assignments } from '../../db/schema';
import { eq } from 'drizzle-orm';
import { completeAssignment, findSubmission, getAssignment } from '../questionnaire/questionnaire.queries';
import { allianceVisibility } from './blind';
import {
  clientAllianceResponseFor,
  getCompletedResponse,
  getSessionRating,
  isSessionRating,
  listPendingRatings,
  markDiscussed,
  ratingDeadline,
  recordSessionRating,
} from './alliance.queries';
import { presentDiscussion, presentPendingRating, presentSessionRating } from './alliance.present';
import {
  discussedBody,
  discussionView,
  pendingRatingListView,
  ratingBody,
  ratingListParams,
  ratingParams,
  responseParams,
  sessionRatingView,
} from './alliance.schema';

const tags = ['alliance'];
const clientAccess = { access: { kind: 'client' } } as const;

/**
 * The therapist's side of the alliance (issue 5 item 1): the ratings a clinician still owes, the
 * rating itself (scored and stored exactly like a client's response, through the questionnaire's
 * `completeAssignment`, with its alerts and audit event in one transaction), an explicit skip, and
 * "discussed with the client" on any response. Blind rating: `blind.ts`.
 */
export function registerAllianceRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  app.get(
    '/api/v1/clients/:clientId/ratings/pending',
    { config: clientAccess, schema: { tags, params: ratingListParams, response: { 200: pendingRatingListView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const rows = await withAudit(request, db, clock, { action: 'session_rating.list_pending', clientId, entityType: 'assignment' }, (tx) =>
        listPendingRatings(tx, { orgId: p.orgId, clientId, userId: p.userId, now: clock.now() }),
      );
      return { items: rows.map(presentPendingRating) };
    },
  );

  /** The clinician assignment, locked, if it is this client's and the caller is the one who must answer it. */
  async function ownRating(tx: Tx, p: { orgId: string; userId: string }, clientId: string, assignmentId: string) {
    const assignment = await getAssignment(tx, p.orgId, assignmentId, true);
    if (!assignment || assignment.clientId !== clientId || assignment.respondent !== 'clinician') throw notFound('assignment');
    if (assignment.respondentUserId !== p.userId) throw forbidden('Only the clinician asked for this rating can give or skip it.', 'not_your_rating');
    return assignment;
  }

  app.post(
    '/api/v1/clients/:clientId/assignments/:assignmentId/rating',
    { config: clientAccess, schema: { tags, params: ratingParams, body: ratingBody, response: { 200: sessionRatingView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId, assignmentId } = request.params;
      const { submissionId, answers } = request.body;
      const now = clock.now();
      const result = await withAudit(request, db, clock, { action: 'session_rating.submit', clientId, entityType: 'assignment', entityId: assignmentId }, async (tx) => {
        const assignment = await ownRating(tx, p, clientId, assignmentId);
        const earlier = await findSubmission(tx, assignment.id, submissionId);
        if (earlier) return { rating: (await getSessionRating(tx, assignment.id))!, ...earlier };
        if (assignment.status === 'completed') throw conflict('This session is already rated.', 'already_rated');
        if (assignment.status === 'cancelled') throw conflict('This rating was skipped.', 'rating_skipped');
        const sessionRating = isSessionRating(assignment);
        if (assignment.status === 'expired' || (sessionRating && ratingDeadline(assignment) <= now)) {
          throw gone('A session rating can be given for 7 days; this one now counts as skipped.', 'rating_expired');
        }
        // Blind: was the client's response for this session visible to this clinician before they rated?
        const client = assignment.appointmentId ? await clientAllianceResponseFor(tx, p.orgId, assignment.appointmentId) : null;
        const visibility = await allianceVisibility(tx, { orgId: p.orgId, clinicianUserId: p.userId, clientId, now });
        const blind = sessionRating ? !client || visibility.isResponseHidden(client) : null;
        const submitted = await completeAssignment(tx, { assignment, answers, submissionId, via: 'in_session', now });
        const rating = await recordSessionRating(tx, {
          orgId: p.orgId,
          clientId,
          assignmentId: assignment.id,
          appointmentId: assignment.appointmentId,
          userId: p.userId,
          outcome: 'rated',
          blind,
          clientResponseId: client?.id ?? null,
          therapistResponseId: submitted.responseIds[0] ?? null,
          decidedAt: now,
        });
        return { rating, ...submitted };
      });
      return presentSessionRating(result.rating, result);
    },
  );

  app.post(
    '/api/v1/clients/:clientId/assignments/:assignmentId/rating/skip',
    { config: clientAccess, schema: { tags, params: ratingParams, response: { 200: sessionRatingView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId, assignmentId } = request.params;
      const now = clock.now();
      const rating = await withAudit(request, db, clock, { action: 'session_rating.skip', clientId, entityType: 'assignment', entityId: assignmentId }, async (tx) => {
        const assignment = await ownRating(tx, p, clientId, assignmentId);
        const existing = await getSessionRating(tx, assignment.id);
        if (existing?.outcome === 'skipped') return existing;
        if (assignment.status === 'completed') throw conflict('This session is already rated.', 'already_rated');
        if (assignment.status === 'cancelled' || assignment.status === 'expired') throw conflict('This rating is no longer open.', 'rating_closed');
        await tx.update(assignments).set({ status: 'cancelled', cancelledAt: now, cancelReason: 'rating_skipped', updatedAt: now }).where(eq(assignments.id, assignment.id));
        return recordSessionRating(tx, {
          orgId: p.orgId,
          clientId,
          assignmentId: assignment.id,
          appointmentId: assignment.appointmentId,
          userId: p.userId,
          outcome: 'skipped',
          skipReason: 'clinician',
          decidedAt: now,
        });
      });
      return presentSessionRating(rating, { responseIds: [], alertIds: [] });
    },
  );

  app.post(
    '/api/v1/clients/:clientId/responses/:responseId/discussed',
    { config: clientAccess, schema: { tags, params: responseParams, body: discussedBody, response: { 200: discussionView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId, responseId } = request.params;
      const now = clock.now();
      const discussion = await withAudit(request, db, clock, { action: 'response.discussed', clientId, entityType: 'response', entityId: responseId }, async (tx) => {
        const response = await getCompletedResponse(tx, p.orgId, clientId, responseId);
        const visibility = await allianceVisibility(tx, { orgId: p.orgId, clinicianUserId: p.userId, clientId, now });
        if (!response || visibility.isResponseHidden(response)) throw notFound('response');
        return markDiscussed(tx, { orgId: p.orgId, clientId, responseId, discussedBy: p.userId, note: request.body.note ?? null, discussedAt: now });
      });
      return presentDiscussion(discussion);
    },
  );
}
