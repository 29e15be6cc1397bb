import type { Queryable } from '../../db/database';
import {
  changeSummaries,
  changeSummary,
  classifyEpisodes,
  depressionPairsByTherapist,
  MIN_POOL,
  talkingTherapiesSummary,
  type ChangeSummary,
  type Rate,
  type TalkingTherapiesSummary,
} from './reports.compute';
import {
  alertAcknowledgement,
  allianceByTherapist,
  discussedShare,
  episodeScores,
  jacobsonTruaxCategories,
  questionnaireAdherence,
  therapistLabels,
  type ReportScope,
} from './reports.queries';

const rate = (numerator: number, denominator: number): Rate => ({ numerator, denominator, rate: denominator > 0 ? numerator / denominator : null });

export type TherapistGroup = { therapistId: string | null; name: string | null; pooled: boolean; therapists: number };
/**
 * Why unnamed therapists' figures are not shown: `pool_too_small` (fewer than MIN_POOL without
 * consent), `therapist_not_consented` (the report is filtered to one therapist who has not consented
 * and is not the viewer: a pool of one would name them).
 */
export type PoolReasonCode = 'pool_too_small' | 'therapist_not_consented';
export type PoolNote = { pooledTherapists: number; shown: boolean; reasonCode: PoolReasonCode | null; reason: string | null };

export type OutcomeReport = {
  scope: { from: string; to: string; programmeId: string | null; clinicianId: string | null };
  talkingTherapies: TalkingTherapiesSummary;
  jacobsonTruax: { available: boolean; categories: { category: string; count: number }[] };
  change: ChangeSummary[];
  changeByTherapist: (TherapistGroup & ChangeSummary)[];
  changeByTherapistPool: PoolNote;
  adherence: { sent: number; completed: number; expired: number; completion: Rate; sessionsRated: Rate };
  alertAcknowledgement: { raised: number; acknowledged: number; medianHours: number | null; p90Hours: number | null };
  discussedWithClient: { available: boolean; share: Rate };
  allianceByTherapist: (TherapistGroup & { clientForm: string; sessions: number; meanClientAlliance: number | null; pairedSessions: number; meanGap: number | null })[];
  alliancePool: PoolNote;
};

/** Who may be named: a therapist who consented, or the person asking about themselves. */
const named = (t: { therapistId: string; consented: boolean }, viewerId: string) => t.consented || t.therapistId === viewerId;

/**
 * What happens to the therapists who may not be named (the consent rule of issue 7 item 1: by
 * therapist, the mean client alliance and the therapist-above-client gap only for therapists who
 * consented; the others pooled, unnamed, and only when at least MIN_POOL are in the pool).
 *
 * - Filtered to one therapist (`clinicianId`) who has not consented and is not the viewer: the
 *   report is about them, so their by-therapist figures are withheld (`therapist_not_consented`).
 *   The overall outcome figures of such a report stay: outcomes by therapist are for supervision.
 * - No therapist filter (the clinic, or a programme): the pool is shown from MIN_POOL therapists,
 *   else withheld (`pool_too_small`), however few therapists the programme has. The report has no
 *   overall alliance figure, so alliance only ever appears by therapist under this rule; the other
 *   overall figures are clinic or programme aggregates.
 * - Not covered: two shown pools of different scopes (periods, programmes) can be subtracted.
 */
function poolNote(count: number, filteredToOneTherapist: boolean): PoolNote {
  if (count === 0) return { pooledTherapists: 0, shown: false, reasonCode: null, reason: null };
  if (filteredToOneTherapist) return { pooledTherapists: count, shown: false, reasonCode: 'therapist_not_consented', reason: 'the therapist has not consented to be named: not shown' };
  return count >= MIN_POOL
    ? { pooledTherapists: count, shown: true, reasonCode: null, reason: null }
    : { pooledTherapists: count, shown: false, reasonCode: 'pool_too_small', reason: `fewer than ${MIN_POOL} therapists without consent: not shown` };
}

/**
 * The outcome report (issue 7 item 1) for a scope. The episode cohort is every episode that ended
 * in the period; the per-episode first/last scores come from one SQL pass, the classification
 * from `@rapport/instruments`. By-therapist figures name only therapists who consented (or the
 * viewer themselves); the others are pooled, unnamed, and only when at least five are in the pool.
 */
export async function buildOutcomeReport(db: Queryable, scope: ReportScope, viewer: { userId: string; hiddenResponseIds: readonly string[] }): Promise<OutcomeReport> {
  const episodes = classifyEpisodes(await episodeScores(db, scope));
  const jt = await jacobsonTruaxCategories(db, scope);
  const adherence = await questionnaireAdherence(db, scope);
  const alerts = await alertAcknowledgement(db, scope);
  const discussed = await discussedShare(db, scope);
  const alliance = await allianceByTherapist(db, scope, viewer.hiddenResponseIds);

  const pairsByTherapist = depressionPairsByTherapist(episodes);
  const labels = await therapistLabels(db, scope.orgId, [...pairsByTherapist.keys()]);
  const changeByTherapist: OutcomeReport['changeByTherapist'] = [];
  const pooledPairs: { first: number; last: number }[] = [];
  let pooledCount = 0;
  for (const [therapistId, pairs] of pairsByTherapist) {
    const label = labels.get(therapistId) ?? { displayName: '', consented: false };
    if (named({ therapistId, consented: label.consented }, viewer.userId)) {
      changeByTherapist.push({ therapistId, name: label.displayName, pooled: false, therapists: 1, ...changeSummary('phq9', pairs) });
    } else {
      pooledCount++;
      pooledPairs.push(...pairs);
    }
  }
  changeByTherapist.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  const oneTherapist = scope.clinicianId !== undefined;
  const changePool = poolNote(pooledCount, oneTherapist);
  if (changePool.shown) changeByTherapist.push({ therapistId: null, name: null, pooled: true, therapists: pooledCount, ...changeSummary('phq9', pooledPairs) });

  const allianceRows: OutcomeReport['allianceByTherapist'] = [];
  const pooled = new Map<string, { therapists: Set<string>; sessions: number; clientSum: number; pairs: number; gapSum: number }>();
  const pooledTherapists = new Set<string>();
  for (const row of alliance) {
    if (named(row, viewer.userId)) {
      allianceRows.push({
        therapistId: row.therapistId,
        name: row.displayName,
        pooled: false,
        therapists: 1,
        clientForm: row.clientForm,
        sessions: row.sessions,
        meanClientAlliance: row.sessions ? row.clientSum / row.sessions : null,
        pairedSessions: row.pairs,
        meanGap: row.pairs ? row.gapSum / row.pairs : null,
      });
    } else {
      pooledTherapists.add(row.therapistId);
      const p = pooled.get(row.clientForm) ?? { therapists: new Set<string>(), sessions: 0, clientSum: 0, pairs: 0, gapSum: 0 };
      p.therapists.add(row.therapistId);
      p.sessions += row.sessions;
      p.clientSum += row.clientSum;
      p.pairs += row.pairs;
      p.gapSum += row.gapSum;
      pooled.set(row.clientForm, p);
    }
  }
  const alliancePool = poolNote(pooledTherapists.size, oneTherapist);
  for (const [clientForm, p] of pooled) {
    if (!alliancePool.shown || p.therapists.size < MIN_POOL) continue;
    allianceRows.push({
      therapistId: null,
      name: null,
      pooled: true,
      therapists: p.therapists.size,
      clientForm,
      sessions: p.sessions,
      meanClientAlliance: p.sessions ? p.clientSum / p.sessions : null,
      pairedSessions: p.pairs,
      meanGap: p.pairs ? p.gapSum / p.pairs : null,
    });
  }

  return {
    scope: { from: scope.from, to: scope.to, programmeId: scope.programmeId ?? null, clinicianId: scope.clinicianId ?? null },
    talkingTherapies: talkingTherapiesSummary(episodes),
    jacobsonTruax: { available: jt.length > 0, categories: jt },
    change: changeSummaries(episodes),
    changeByTherapist,
    changeByTherapistPool: changePool,
    adherence: {
      sent: adherence.sent,
      completed: adherence.completed,
      expired: adherence.expired,
      completion: rate(adherence.completed, adherence.sent),
      sessionsRated: rate(adherence.sessionsRated, adherence.sessionRatingsDue),
    },
    alertAcknowledgement: alerts,
    discussedWithClient: { available: true, share: rate(discussed.discussed, discussed.results) },
    allianceByTherapist: allianceRows,
    alliancePool,
  };
}
