import { and, eq, gt, inArray, isNotNull } from 'drizzle-orm';
import { getInstrument, hasInstrument } from '@rapport/instruments';
import type { Queryable } from '../../db/database';
import { assignments, responses, type AssignmentStatus } from '../../db/schema';

/**
 * Blind rating (issue 5 items 1 and 6). After each attended session the clinician rates the alliance
 * on the therapist form of the episode's alliance measure. Until they have rated or explicitly skipped
 * that session's rating (and for at most {@link BLIND_WINDOW_DAYS} days: after that the rating counts
 * as skipped), the client's own alliance response for that session, and every alert it raised, are
 * hidden from THAT clinician everywhere. Others (a supervisor, a colleague on the care team) are not
 * blinded: they have no rating of their own to bias. Risk alerts never wait.
 *
 * {@link allianceVisibility} is THE one function every read path that shows a clinician client
 * responses, scores, alerts or anything computed from them (alliance series, discrepancy, ruptures,
 * dropout risk, calibration, exports, PDF, CSV, FHIR) must call, and then drop what it says is hidden.
 */

/** facts.md-free product rule (issue 5 item 1): a rating not given within 7 days counts as skipped. */
export const BLIND_WINDOW_DAYS = 7;
const DAY_MS = 86_400_000;

/** Statuses in which a clinician's rating is still owed. */
export const PENDING_RATING_STATUSES: readonly AssignmentStatus[] = ['scheduled', 'sent', 'opened', 'in_progress'];

/** Whether `instrumentId` is the clinician's form of a client/therapist alliance pair (e.g. `rapport_alliance_therapist`). */
export function isTherapistAllianceForm(instrumentId: string): boolean {
  if (!hasInstrument(instrumentId)) return false;
  const definition = getInstrument(instrumentId);
  return definition.respondent === 'clinician' && !!definition.parallelForm;
}

/** Whether `instrumentId` is the client's form of a client/therapist alliance pair (e.g. `rapport_alliance`). */
export function isClientAllianceForm(instrumentId: string): boolean {
  if (!hasInstrument(instrumentId)) return false;
  const definition = getInstrument(instrumentId);
  return definition.respondent === 'client' && !!definition.parallelForm;
}

/** One session rating the clinician still owes (within the blind window). */
export type PendingRating = { assignmentId: string; clientId: string; appointmentId: string; dueSince: Date; blindUntil: Date };

export type AllianceVisibility = {
  /** The ratings still owed, each hiding its session. */
  pending: readonly PendingRating[];
  /** Sessions (appointments) whose client alliance responses this clinician may not see yet. */
  hiddenAppointmentIds: ReadonlySet<string>;
  /** The client alliance responses (completed) of those sessions: drop them, and every non-urgent alert pointing at them. */
  hiddenResponseIds: ReadonlySet<string>;
  /** Whether a response may not be shown to this clinician. */
  isResponseHidden(response: { id?: string; appointmentId: string | null; respondent: string; instrumentId: string }): boolean;
  /** Whether an alert may not be shown to this clinician: non-urgent alerts raised by a hidden response. Risk alerts never wait. */
  isAlertHidden(alert: { urgent: boolean; kind: string; responseId: string | null }): boolean;
};

/**
 * What `clinicianUserId` may not see yet because of blind rating: their own clinician assignments
 * for a therapist alliance form that are still open, tied to a session, and due less than
 * {@link BLIND_WINDOW_DAYS} days ago (all their clients, or one when `clientId` is given). Two
 * small indexed queries; an empty result (no rating owed) hides nothing.
 */
export async function allianceVisibility(
  db: Queryable,
  input: { orgId: string; clinicianUserId: string; clientId?: string; now: Date },
): Promise<AllianceVisibility> {
  const since = new Date(input.now.getTime() - BLIND_WINDOW_DAYS * DAY_MS);
  const rows = await db
    .select({ id: assignments.id, clientId: assignments.clientId, appointmentId: assignments.appointmentId, instrumentIds: assignments.instrumentIds, scheduledFor: assignments.scheduledFor })
    .from(assignments)
    .where(
      and(
        eq(assignments.orgId, input.orgId),
        input.clientId ? eq(assignments.clientId, input.clientId) : undefined,
        eq(assignments.respondent, 'clinician'),
        eq(assignments.respondentUserId, input.clinicianUserId),
        inArray(assignments.status, [...PENDING_RATING_STATUSES]),
        isNotNull(assignments.appointmentId),
        gt(assignments.scheduledFor, since),
      ),
    );
  const pending: PendingRating[] = rows
    .filter((r) => r.instrumentIds.some(isTherapistAllianceForm))
    .map((r) => ({
      assignmentId: r.id,
      clientId: r.clientId,
      appointmentId: r.appointmentId!,
      dueSince: r.scheduledFor,
      blindUntil: new Date(r.scheduledFor.getTime() + BLIND_WINDOW_DAYS * DAY_MS),
    }));
  const hiddenAppointmentIds = new Set(pending.map((p) => p.appointmentId));
  const hiddenResponseIds = new Set<string>();
  if (hiddenAppointmentIds.size > 0) {
    const hidden = await db
      .select({ id: responses.id, instrumentId: responses.instrumentId })
      .from(responses)
      .where(and(eq(responses.orgId, input.orgId), eq(responses.respondent, 'client'), inArray(responses.appointmentId, [...hiddenAppointmentIds])));
    for (const r of hidden) if (isClientAllianceForm(r.instrumentId)) hiddenResponseIds.add(r.id);
  }
  return {
    pending,
    hiddenAppointmentIds,
    hiddenResponseIds,
    isResponseHidden: (r) =>
      (r.id !== undefined && hiddenResponseIds.has(r.id)) ||
      (r.respondent === 'client' && r.appointmentId !== null && hiddenAppointmentIds.has(r.appointmentId) && isClientAllianceForm(r.instrumentId)),
    isAlertHidden: (a) => !a.urgent && a.kind !== 'risk_item' && a.responseId !== null && hiddenResponseIds.has(a.responseId),
  };
}
