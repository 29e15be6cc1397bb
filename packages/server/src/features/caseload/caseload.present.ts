import { alliancePair, discrepancy, gapTrend } from '@rapport/analysis';
import { bandFor, getInstrument, hasInstrument, instrumentShortName, type InstrumentDefinition } from '@rapport/instruments';
import { ALLIANCE_POINTS, primaryMeasures, type CaseloadData } from './caseload.queries';
import type { AttentionTier } from './caseload.schema';

const TIER_BY_RANK: Record<number, AttentionTier> = { 1: 'urgent', 2: 'alerts', 3: 'due', 4: 'routine' };

type Rating = CaseloadData['alliance'][number];

/** Strength as percent of range, 100 = strongest alliance (as the client page's series). */
function percentOf(score: number, definition: InstrumentDefinition): number {
  const percent = ((score - definition.range.min) / (definition.range.max - definition.range.min)) * 100;
  return definition.direction === 'higher-is-better' ? percent : 100 - percent;
}

/** The client form of an alliance form (itself, or the therapist form's parallel). */
function clientFormOf(instrumentId: string): string {
  const definition = getInstrument(instrumentId);
  return definition.respondent === 'client' ? instrumentId : definition.parallelForm!.instrumentId;
}

/**
 * The last {@link ALLIANCE_POINTS} sessions of the client's most recent alliance measure in its
 * most recent episode, with the gap trend over the paired sessions read. Blind rating: a client
 * rating the caller may not see yet is dropped and its session marked `clientHidden`.
 */
function presentAlliance(ratings: readonly Rating[], visibility: CaseloadData['visibility']) {
  const latest = ratings[ratings.length - 1];
  if (!latest || !hasInstrument(latest.instrumentId)) return null;
  const clientInstrumentId = clientFormOf(latest.instrumentId);
  const pair = alliancePair(clientInstrumentId);
  const clientDefinition = getInstrument(clientInstrumentId);
  const therapistDefinition = getInstrument(pair.therapistInstrumentId);
  const sessions = new Map<string, { appointmentId: string | null; at: Date; client: Rating | null; clientHidden: boolean; therapist: Rating | null }>();
  for (const r of ratings) {
    if (r.episodeId !== latest.episodeId || (r.instrumentId !== clientInstrumentId && r.instrumentId !== pair.therapistInstrumentId)) continue;
    const key = r.appointmentId ?? `response:${r.id}`;
    const session = sessions.get(key) ?? { appointmentId: r.appointmentId, at: r.submittedAt!, client: null, clientHidden: false, therapist: null };
    if (r.submittedAt! < session.at) session.at = r.submittedAt!;
    if (r.respondent === 'client') {
      if (visibility.isResponseHidden({ id: r.id, appointmentId: r.appointmentId, respondent: r.respondent, instrumentId: r.instrumentId })) session.clientHidden = true;
      else session.client = r;
    } else session.therapist = r;
    sessions.set(key, session);
  }
  const ordered = [...sessions.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
  const gaps = ordered
    .filter((s) => s.client && s.therapist)
    .map((s) => discrepancy({ total: Number(s.client!.total) }, { total: Number(s.therapist!.total) }, pair).gapPercent);
  const side = (r: Rating | null, definition: InstrumentDefinition) => (r ? { score: Number(r.total), percent: percentOf(Number(r.total), definition) } : null);
  return {
    clientInstrumentId,
    points: ordered.slice(-ALLIANCE_POINTS).map((s) => ({
      appointmentId: s.appointmentId,
      date: s.at.toISOString(),
      client: side(s.client, clientDefinition),
      clientHidden: s.clientHidden,
      therapist: side(s.therapist, therapistDefinition),
    })),
    gapTrend: gapTrend(gaps).label,
  };
}

/** The only shape of the caseload sent to the browser. */
export function presentCaseload(data: CaseloadData, page: { now: Date; limit: number; offset: number }) {
  const { rows, visibility, now } = { ...data, now: page.now };
  const owed = visibility.pending.filter((p) => p.dueSince <= now).sort((a, b) => a.dueSince.getTime() - b.dueSince.getTime());
  const group = <T extends { clientId: string }>(list: readonly T[]) => {
    const map = new Map<string, T[]>();
    for (const item of list) map.set(item.clientId, [...(map.get(item.clientId) ?? []), item]);
    return map;
  };
  const scoresByClient = group(data.scores);
  const allianceByClient = group(data.alliance);
  const todayByClient = group(data.today);
  const total = rows[0]?.total ?? 0;

  const items = rows.map((row) => {
    const scores = scoresByClient.get(row.id) ?? [];
    const lastScores = primaryMeasures(row.presentingProblem).flatMap((instrumentId) => {
      const s = scores.find((x) => x.instrumentId === instrumentId);
      if (!s) return [];
      const score = Number(s.total);
      const band = hasInstrument(instrumentId) ? bandFor(instrumentId, score) : null;
      return [
        {
          instrumentId,
          name: instrumentShortName(instrumentId),
          score,
          band: band ? { id: band.id, label: band.label } : s.bandId && s.bandLabel ? { id: s.bandId, label: s.bandLabel } : null,
          submittedAt: s.submittedAt!.toISOString(),
        },
      ];
    });
    const ratingOwed = owed.find((p) => p.clientId === row.id) ?? null;
    const todays = todayByClient.get(row.id) ?? [];
    const todayAppointment = todays[0] ?? null;
    let todaySession = null;
    if (todayAppointment) {
      const decisions = todays.filter((t) => t.id === todayAppointment.id && t.ratingOutcome);
      const isOwed = owed.some((p) => p.clientId === row.id && p.appointmentId === todayAppointment.id);
      const rating = isOwed ? 'owed' : decisions.some((d) => d.ratingOutcome === 'rated') ? 'rated' : decisions.length > 0 ? 'skipped' : 'not_rated';
      todaySession = { appointmentId: todayAppointment.id, startsAt: todayAppointment.startsAt.toISOString(), status: todayAppointment.status, rating: rating as 'rated' | 'skipped' | 'owed' | 'not_rated' };
    }
    return {
      client: { id: row.id, givenName: row.givenName, familyName: row.familyName, preferredName: row.preferredName, status: row.status },
      episode: row.episodeId
        ? {
            id: row.episodeId,
            startedOn: row.episodeStartedOn!,
            presentingProblem: row.presentingProblem,
            programme: row.programmeId ? { id: row.programmeId, name: row.programmeName! } : null,
          }
        : null,
      attention: { rank: Number(row.rank), tier: TIER_BY_RANK[Number(row.rank)]! },
      alerts: { urgent: row.urgentAlerts ?? 0, other: row.otherAlerts ?? 0 },
      questionnaires: { due: row.due ?? 0, overdue: row.overdue ?? 0 },
      nextAppointment: row.nextAppointmentId ? { id: row.nextAppointmentId, startsAt: row.nextAppointmentAt!.toISOString(), kind: row.nextAppointmentKind! } : null,
      lastScores,
      alliance: presentAlliance(allianceByClient.get(row.id) ?? [], visibility),
      ratingOwed: ratingOwed ? { assignmentId: ratingOwed.assignmentId, appointmentId: ratingOwed.appointmentId, dueSince: ratingOwed.dueSince.toISOString() } : null,
      todaySession,
    };
  });
  const nextOffset = page.offset + rows.length < total ? page.offset + rows.length : null;
  return { items, total, nextOffset, asOf: now.toISOString() };
}
