import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import { alliancePair, discrepancy, fitExpectedTrajectories, type CalibrationPair, type ExpectedTrajectories, type FinishedEpisode } from '@rapport/analysis';
import { getInstrument, hasInstrument } from '@rapport/instruments';
import type { Queryable } from '../../db/database';
import { episodes, memberships, responses } from '../../db/schema';
import { organisationAllianceScores } from './episode-data';
import type { OrganisationAllianceScores } from './alliance.analysis';

/**
 * The organisation's expected curves for a symptom measure, fitted from its finished (closed)
 * episodes; `fitExpectedTrajectories` leaves a band without a curve (and the caller falls back to
 * the documented default) until that band has enough episodes. Null when the instrument has no bands.
 */
export async function organisationTrajectories(db: Queryable, orgId: string, instrumentId: string): Promise<ExpectedTrajectories | null> {
  if (!hasInstrument(instrumentId) || getInstrument(instrumentId).bands.length === 0) return null;
  const rows = await db
    .select({ episodeId: responses.episodeId, total: responses.total, supersedesId: responses.supersedesId, id: responses.id })
    .from(responses)
    .innerJoin(episodes, eq(episodes.id, responses.episodeId))
    .where(and(eq(responses.orgId, orgId), eq(responses.instrumentId, instrumentId), eq(responses.status, 'completed'), eq(responses.respondent, 'client'), isNotNull(episodes.endedOn), isNotNull(responses.total)))
    .orderBy(asc(responses.episodeId), asc(responses.submittedAt), asc(responses.createdAt));
  const superseded = new Set(rows.map((r) => r.supersedesId).filter(Boolean));
  const byEpisode = new Map<string, number[]>();
  for (const r of rows) if (!superseded.has(r.id)) byEpisode.set(r.episodeId!, [...(byEpisode.get(r.episodeId!) ?? []), Number(r.total)]);
  const finished: FinishedEpisode[] = [...byEpisode.values()].map((scores) => ({ intakeScore: scores[0]!, scores: scores.map((score, i) => ({ sessionNumber: i + 1, score })) }));
  return fitExpectedTrajectories(finished, { instrumentId });
}

/** Organisation alliance ratings for every client alliance form in `instrumentIds`, by session number. */
export async function organisationScoresFor(db: Queryable, orgId: string, instrumentIds: readonly string[], maxSessionNumber: number): Promise<OrganisationAllianceScores> {
  const out = new Map<string, Map<number, number[]>>();
  for (const id of new Set(instrumentIds)) out.set(id, await organisationAllianceScores(db, orgId, id, Math.max(1, maxSessionNumber)));
  return out;
}

/**
 * Calibration pairs (issue 5 item 4) for therapists of the organisation: every session where the
 * therapist rated the therapist form and the client rated the parallel client form, as percent of
 * range, by month (UTC) of the therapist's rating. Keyed by therapist user id.
 */
export async function calibrationPairs(db: Queryable, orgId: string, therapistUserId?: string): Promise<Map<string, CalibrationPair[]>> {
  const therapistRows = await db
    .select({ id: responses.id, appointmentId: responses.appointmentId, instrumentId: responses.instrumentId, total: responses.total, answers: responses.answers, userId: responses.respondentUserId, submittedAt: responses.submittedAt })
    .from(responses)
    .where(
      and(
        eq(responses.orgId, orgId),
        eq(responses.respondent, 'clinician'),
        eq(responses.status, 'completed'),
        isNotNull(responses.total),
        isNotNull(responses.appointmentId),
        isNotNull(responses.respondentUserId),
        therapistUserId ? eq(responses.respondentUserId, therapistUserId) : undefined,
      ),
    );
  const rated = therapistRows.filter((r) => hasInstrument(r.instrumentId) && getInstrument(r.instrumentId).parallelForm);
  const out = new Map<string, CalibrationPair[]>();
  if (rated.length === 0) return out;
  const appointmentIds = [...new Set(rated.map((r) => r.appointmentId!))];
  const clientByKey = new Map<string, { total: string | null; answers: Record<string, number | null> }>();
  for (let i = 0; i < appointmentIds.length; i += 1000) {
    const rows = await db
      .select({ appointmentId: responses.appointmentId, instrumentId: responses.instrumentId, total: responses.total, answers: responses.answers })
      .from(responses)
      .where(and(eq(responses.orgId, orgId), eq(responses.respondent, 'client'), eq(responses.status, 'completed'), isNotNull(responses.total), inArray(responses.appointmentId, appointmentIds.slice(i, i + 1000))))
      .orderBy(asc(responses.submittedAt));
    for (const r of rows) clientByKey.set(`${r.appointmentId}:${r.instrumentId}`, r);
  }
  for (const t of rated) {
    const clientInstrumentId = getInstrument(t.instrumentId).parallelForm!.instrumentId;
    const client = clientByKey.get(`${t.appointmentId}:${clientInstrumentId}`);
    if (!client) continue;
    const gap = discrepancy({ total: Number(client.total) }, { total: Number(t.total) }, alliancePair(clientInstrumentId));
    const list = out.get(t.userId!) ?? [];
    list.push({ month: (t.submittedAt ?? new Date(0)).toISOString().slice(0, 7), clientPercent: gap.clientPercent, therapistPercent: gap.therapistPercent });
    out.set(t.userId!, list);
  }
  return out;
}

/** The therapist's membership in the organisation (for the supervisor's view and its consent), or null. */
export async function therapistMembership(db: Queryable, orgId: string, userId: string) {
  const [row] = await db
    .select({ userId: memberships.userId, calibrationConsent: memberships.calibrationConsent, status: memberships.status })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .limit(1);
  return row ?? null;
}
