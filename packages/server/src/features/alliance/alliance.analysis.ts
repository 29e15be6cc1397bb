import {
  alliancePair,
  defaultTrajectories,
  detectRuptures,
  discrepancy,
  dropoutRisk,
  gapTrend,
  hasUnrepairedRupture,
  lowAlliance,
  notOnTrack,
  reliableDeterioration,
  EARLY_DROPOUT_LAST_SESSION,
  type DefaultTrajectoryInstrument,
  type DiscrepancyResult,
  type DropoutFactors,
  type DropoutRiskResult,
  type ExpectedTrajectories,
  type SessionRupture,
} from '@rapport/analysis';
import { getInstrument, hasInstrument, reliableChange, bandFor, isCase, type InstrumentDefinition } from '@rapport/instruments';
import type { EpisodeData, ScoredResponse } from './episode-data';

/**
 * The read side of issue 5 as pure functions over one loaded episode (`EpisodeData`): the alliance
 * series with discrepancy, ruptures, low alliance and the gap trend; a symptom trajectory against its
 * expected curve; and the dropout-risk factors at any point of the episode. Routes, the validity
 * report and the synthetic-cohort check all call these, so the numbers agree everywhere.
 */

/** Whether the caller may not see this response (blind rating); hidden responses are left out of every computation. */
export type HiddenResponse = (response: ScoredResponse) => boolean;

/** Organisation alliance ratings by instrument and session number (for the lowest-decile rule). */
export type OrganisationAllianceScores = ReadonlyMap<string, ReadonlyMap<number, readonly number[]>>;

/** The client alliance forms (with a parallel therapist form) answered in these episodes. */
export function clientAllianceIds(list: readonly EpisodeData[]): string[] {
  return [...new Set(list.flatMap((e) => e.responses.map((r) => r.instrumentId)))].filter(isAllianceClientForm);
}

const isAllianceClientForm = (instrumentId: string) => hasInstrument(instrumentId) && getInstrument(instrumentId).respondent === 'client' && !!getInstrument(instrumentId).parallelForm;

function itemRange(definition: InstrumentDefinition, itemId: string): { min: number; max: number } | null {
  const item = definition.items.find((i) => i.id === itemId);
  if (!item || !item.scored) return null;
  if (item.response.kind === 'visual-analogue') return { min: item.response.min, max: item.response.max };
  const values = item.response.options.map((o) => o.value);
  return { min: Math.min(...values), max: Math.max(...values) };
}

const ruptureView = (s: SessionRupture) => ({
  rupture: s.rupture,
  rule: s.rule,
  score: s.score,
  priorMean: s.priorMean,
  flooredSd: s.flooredSd,
  lenientThreshold: s.lenientThreshold,
  strictThreshold: s.strictThreshold,
  dropFromPrevious: s.dropFromPrevious,
  repair: s.repair,
});

export type AllianceSession = ReturnType<typeof allianceSeries>[number]['sessions'][number];

/**
 * Per alliance pair used in the episode: every session with a rating from either side (ordered by the
 * appointment, else the submission), the client's and the therapist's score (raw and percent of range),
 * the gap both ways with the item-by-item comparison, the rupture verdict at total, subscale and item
 * level (with repair), the low-alliance verdict and the gap trend. A hidden client response appears
 * as `client: null, clientHidden: true` and is left out of ruptures, low alliance and the trend.
 */
export function allianceSeries(data: EpisodeData, options: { isHidden: HiddenResponse; organisationScores: OrganisationAllianceScores }) {
  const startsAt = new Map(data.appointments.map((a) => [a.id, a.startsAt]));
  const clientForms = [...new Set(data.responses.filter((r) => r.respondent === 'client' && isAllianceClientForm(r.instrumentId)).map((r) => r.instrumentId))];
  const therapistOnly = data.responses.filter((r) => r.respondent === 'clinician' && hasInstrument(r.instrumentId) && getInstrument(r.instrumentId).parallelForm);
  for (const r of therapistOnly) {
    const clientForm = getInstrument(r.instrumentId).parallelForm!.instrumentId;
    if (!clientForms.includes(clientForm)) clientForms.push(clientForm);
  }
  return clientForms.map((clientInstrumentId) => {
    const pair = alliancePair(clientInstrumentId);
    const definition = getInstrument(clientInstrumentId);
    const therapistDefinition = getInstrument(pair.therapistInstrumentId);
    const clientAll = data.responses.filter((r) => r.respondent === 'client' && r.instrumentId === clientInstrumentId);
    const therapistAll = data.responses.filter((r) => r.respondent === 'clinician' && r.instrumentId === pair.therapistInstrumentId);
    const keyOf = (r: ScoredResponse) => r.appointmentId ?? `response:${r.id}`;
    const keys = new Map<string, { at: Date; appointmentId: string | null; client: ScoredResponse | null; clientHidden: boolean; therapist: ScoredResponse | null }>();
    for (const r of [...clientAll, ...therapistAll]) {
      const key = keyOf(r);
      const entry = keys.get(key) ?? { at: (r.appointmentId && startsAt.get(r.appointmentId)) || r.submittedAt, appointmentId: r.appointmentId, client: null, clientHidden: false, therapist: null };
      if (r.respondent === 'client') {
        if (options.isHidden(r)) entry.clientHidden = true;
        else entry.client = r;
      } else entry.therapist = r;
      keys.set(key, entry);
    }
    const sessions = [...keys.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
    const visibleClient = sessions.filter((s) => s.client).map((s) => s.client!);
    const totals = visibleClient.map((r) => r.total);
    const cutoff = definition.validation.status === 'validated' && definition.caseness && (definition.caseness.operator === '<' || definition.caseness.operator === '<=') ? { operator: definition.caseness.operator as '<' | '<=', value: definition.caseness.value } : null;
    const totalRuptures = detectRuptures(totals, definition.range, { cutoff });
    const itemRuptures = definition.items
      .map((item) => ({ item, range: itemRange(definition, item.id) }))
      .filter((x): x is { item: (typeof definition.items)[number]; range: { min: number; max: number } } => !!x.range)
      .map(({ item, range }) => {
        const values = visibleClient.map((r) => r.answers[item.id]);
        return { itemId: item.id, judged: values.every((v) => typeof v === 'number') ? detectRuptures(values as number[], range) : null };
      });
    const subscaleRuptures = definition.scoring.subscales.map((subscale) => {
      const values = visibleClient.map((r) => (r.subscales?.[subscale.id] as { score?: number | null } | undefined)?.score);
      const ranges = subscale.items.map((id) => itemRange(definition, id)).filter((r): r is { min: number; max: number } => !!r);
      const range = { min: ranges.reduce((a, r) => a + r.min, 0), max: ranges.reduce((a, r) => a + r.max, 0) };
      return { subscaleId: subscale.id, judged: range.max > range.min && values.every((v) => typeof v === 'number') ? detectRuptures(values as number[], range) : null };
    });
    const ruptures: Array<{ sessionNumber: number; appointmentId: string | null; level: 'total' | 'subscale' | 'item'; id: string | null } & ReturnType<typeof ruptureView>> = [];
    const gaps: number[] = [];
    let clientIndex = -1;
    const organisation = options.organisationScores.get(clientInstrumentId);
    const out = sessions.map((session, index) => {
      const sessionNumber = index + 1;
      let clientView = null;
      let rupture = null;
      let low = null;
      if (session.client) {
        clientIndex++;
        const judged = totalRuptures[clientIndex]!;
        rupture = ruptureView(judged);
        if (judged.rupture !== 'none') ruptures.push({ sessionNumber, appointmentId: session.appointmentId, level: 'total', id: null, ...ruptureView(judged) });
        for (const s of subscaleRuptures) {
          const j = s.judged?.[clientIndex];
          if (j && j.rupture !== 'none') ruptures.push({ sessionNumber, appointmentId: session.appointmentId, level: 'subscale', id: s.subscaleId, ...ruptureView(j) });
        }
        for (const s of itemRuptures) {
          const j = s.judged?.[clientIndex];
          if (j && j.rupture !== 'none') ruptures.push({ sessionNumber, appointmentId: session.appointmentId, level: 'item', id: s.itemId, ...ruptureView(j) });
        }
        const result = lowAlliance(session.client.total, { instrumentId: clientInstrumentId, sessionNumber: clientIndex + 1, organisationScores: organisation?.get(clientIndex + 1) ?? [] });
        low = { low: result.low, rule: result.rule, ruleApplied: result.ruleApplied, threshold: result.threshold, percentileRank: result.percentileRank, organisationRatings: result.organisationRatings, earlyDropoutSignal: result.earlyDropoutSignal, notes: result.notes };
        clientView = { responseId: session.client.id, score: session.client.total, percent: percentOf(session.client.total, definition), submittedAt: session.client.submittedAt.toISOString() };
      }
      const therapistView = session.therapist
        ? { responseId: session.therapist.id, userId: session.therapist.respondentUserId, score: session.therapist.total, percent: percentOf(session.therapist.total, therapistDefinition), submittedAt: session.therapist.submittedAt.toISOString() }
        : null;
      let gap: DiscrepancyResult | null = null;
      if (session.client && session.therapist) {
        gap = discrepancy({ total: session.client.total, answers: session.client.answers }, { total: session.therapist.total, answers: session.therapist.answers }, pair);
        gaps.push(gap.gapPercent);
      }
      return {
        sessionNumber,
        appointmentId: session.appointmentId,
        date: session.at.toISOString(),
        client: clientView,
        clientHidden: session.clientHidden,
        therapist: therapistView,
        gap: gap
          ? {
              therapistMinusClientPercent: gap.gapPercent,
              clientMinusTherapistPercent: gap.clientMinusTherapistPercent,
              direction: gap.direction,
              therapistAboveAlert: gap.therapistAboveAlert.alert,
              thresholdPercent: gap.therapistAboveAlert.thresholdPercent,
              items: gap.items,
            }
          : null,
        rupture,
        lowAlliance: low,
      };
    });
    return {
      clientInstrumentId,
      therapistInstrumentId: pair.therapistInstrumentId,
      range: definition.range,
      sessions: out,
      ruptures,
      gapTrend: gapTrend(gaps),
    };
  });
}

function percentOf(score: number, definition: InstrumentDefinition): number {
  const percent = ((score - definition.range.min) / (definition.range.max - definition.range.min)) * 100;
  return definition.direction === 'higher-is-better' ? percent : 100 - percent;
}

/** The client's completed scores on a symptom measure in the episode, oldest first. */
export function symptomSeries(data: EpisodeData, instrumentId: string): ScoredResponse[] {
  return data.responses.filter((r) => r.respondent === 'client' && r.instrumentId === instrumentId);
}

/** The documented default curves where they exist (PHQ-9, GAD-7); null otherwise. */
export function defaultTrajectoriesFor(instrumentId: string): ExpectedTrajectories | null {
  return instrumentId === 'phq9' || instrumentId === 'gad7' ? defaultTrajectories(instrumentId as DefaultTrajectoryInstrument) : null;
}

/**
 * Scores over sessions with band, caseness and reliable change against the first score, and the
 * expected-trajectory band for the client's intake severity (the organisation's curve when it has one
 * for that band, else the documented default; `source` says which, null when neither exists).
 */
export function trajectoryOf(data: EpisodeData, instrumentId: string, organisation: ExpectedTrajectories | null) {
  const definition = getInstrument(instrumentId);
  const series = symptomSeries(data, instrumentId);
  const fallback = defaultTrajectoriesFor(instrumentId);
  const first = series[0]?.total ?? null;
  const points = series.map((r, index) => {
    const change = first === null || index === 0 ? null : reliableChange(instrumentId, first, r.total);
    const band = bandFor(instrumentId, r.total);
    const onTrack = first === null ? null : notOnTrack(r.total, index + 1, first, { organisation, default: fallback });
    return {
      sessionNumber: index + 1,
      responseId: r.id,
      appointmentId: r.appointmentId,
      date: r.submittedAt.toISOString(),
      score: r.total,
      band: band ? { id: band.id, label: band.label } : null,
      isCase: isCase(instrumentId, r.total),
      reliableChange: change && change.available ? { direction: change.direction, change: change.change, threshold: change.threshold, method: change.method } : null,
      expected: onTrack && onTrack.status !== 'no_trajectory' ? { expected: onTrack.expected, upperBound: onTrack.upperBound, lowerBound: onTrack.lowerBound, status: onTrack.status, source: onTrack.source } : null,
    };
  });
  let expectedBand = null;
  if (first !== null) {
    const probe = notOnTrack(first, 1, first, { organisation, default: fallback });
    if (probe.status !== 'no_trajectory') {
      const chosen = (probe.source === 'organisation' ? organisation : fallback)!;
      const fit = chosen.bands.find((b) => b.band.id === probe.band!.id)!.fit!;
      const last = Math.max(fit.maxSessionNumber, series.length);
      const curve = Array.from({ length: last }, (_, i) => {
        const at = Math.min(i + 1, fit.maxSessionNumber);
        const expected = fit.a + fit.b * Math.log(at);
        return { sessionNumber: i + 1, expected, upperBound: chosen.direction === 'higher-is-worse' ? expected + fit.tolerance : null, lowerBound: chosen.direction === 'higher-is-worse' ? null : expected - fit.tolerance };
      });
      const organisationBand = organisation?.bands.find((b) => b.band.id === probe.band!.id);
      expectedBand = {
        source: probe.source,
        why:
          probe.source === 'organisation'
            ? `fitted from ${fit.episodes} of this organisation's finished episodes in the ${probe.band!.id} band`
            : `the documented default curve (${organisationBand?.reason ?? 'the organisation has too few finished episodes'})`,
        band: probe.band,
        tolerance: fit.tolerance,
        toleranceRule: chosen.tolerance,
        curve,
      };
    }
  }
  return {
    instrumentId,
    range: definition.range,
    direction: definition.direction,
    bands: definition.bands.map((b) => ({ id: b.id, label: b.label, min: b.min, max: b.max })),
    caseness: definition.caseness ? { operator: definition.caseness.operator, value: definition.caseness.value } : null,
    reliableChangeThreshold: series.length > 1 ? (points[1]?.reliableChange?.threshold ?? null) : null,
    points,
    expectedBand,
  };
}

export type DropoutInputs = {
  isHidden: HiddenResponse;
  organisationScores: OrganisationAllianceScores;
  organisationTrajectories: ReadonlyMap<string, ExpectedTrajectories | null>;
  /** Judge the episode as it stood after its nth attended appointment (the validity report uses 3); all of it when absent. */
  upToAttended?: number;
  now: Date;
};

/**
 * The dropout-risk points score (facts.md B5) with every factor found in the episode's own data,
 * optionally as it stood after the nth attended appointment: early low alliance (sessions 1–3),
 * an unrepaired rupture, PHQ-9/GAD-7 not on track or reliably deteriorated, cancelled-by-client or
 * missed appointments, two attended sessions in a row without the client's pre-session PHQ-9
 * (missed questionnaires), a trainee therapist, age.
 */
export function dropoutRiskOf(data: EpisodeData, inputs: DropoutInputs): { result: DropoutRiskResult; factors: DropoutFactors; asOf: string | null } {
  const attended = data.appointments.filter((a) => a.status === 'attended');
  const cutoffAppointment = inputs.upToAttended !== undefined ? attended[inputs.upToAttended - 1] : undefined;
  const until = cutoffAppointment ? cutoffAppointment.startsAt.getTime() + 3 * 86_400_000 : Number.POSITIVE_INFINITY;
  const upTo = cutoffAppointment ? data.appointments.filter((a) => a.startsAt.getTime() <= cutoffAppointment.startsAt.getTime()) : data.appointments;
  const visible = data.responses.filter((r) => r.submittedAt.getTime() <= until && !inputs.isHidden(r));
  const scoped: EpisodeData = { ...data, appointments: upTo, responses: visible };

  let earlyLowAlliance = false;
  let unrepairedRupture = false;
  for (const instrumentId of new Set(visible.filter((r) => r.respondent === 'client' && isAllianceClientForm(r.instrumentId)).map((r) => r.instrumentId))) {
    const series = visible.filter((r) => r.respondent === 'client' && r.instrumentId === instrumentId);
    const organisation = inputs.organisationScores.get(instrumentId);
    series.slice(0, EARLY_DROPOUT_LAST_SESSION).forEach((r, index) => {
      if (lowAlliance(r.total, { instrumentId, sessionNumber: index + 1, organisationScores: organisation?.get(index + 1) ?? [] }).earlyDropoutSignal) earlyLowAlliance = true;
    });
    if (hasUnrepairedRupture(detectRuptures(series.map((r) => r.total), getInstrument(instrumentId).range))) unrepairedRupture = true;
  }
  let offTrack = false;
  let deteriorated = false;
  for (const instrumentId of ['phq9', 'gad7']) {
    const series = symptomSeries(scoped, instrumentId);
    if (series.length < 2) continue;
    const first = series[0]!.total;
    const latest = series[series.length - 1]!;
    if (notOnTrack(latest.total, series.length, first, { organisation: inputs.organisationTrajectories.get(instrumentId) ?? null, default: defaultTrajectoriesFor(instrumentId) }).status === 'not_on_track') offTrack = true;
    if (reliableDeterioration(instrumentId, first, latest.total).status === 'deteriorated') deteriorated = true;
  }
  const missedAppointments = upTo.filter((a) => a.status === 'did_not_attend' || (a.status === 'cancelled' && a.cancelledBy === 'client')).length;
  const withPhq9 = new Set(visible.filter((r) => r.instrumentId === 'phq9' && r.respondent === 'client').map((r) => r.appointmentId));
  let run = 0;
  let missedQuestionnaires = false;
  upTo
    .filter((a) => a.status === 'attended')
    .slice(1)
    .forEach((a) => {
      run = withPhq9.has(a.id) ? 0 : run + 1;
      if (run >= 2) missedQuestionnaires = true;
    });
  const factors: DropoutFactors = {
    earlyLowAlliance,
    unrepairedRupture,
    notOnTrack: offTrack,
    reliableDeterioration: deteriorated,
    missedAppointments,
    missedQuestionnaires,
    traineeTherapist: data.traineeTherapist,
    age: data.dateOfBirth ? ageOn(data.dateOfBirth, cutoffAppointment ? cutoffAppointment.startsAt : inputs.now) : null,
  };
  return { result: dropoutRisk(factors), factors, asOf: cutoffAppointment ? cutoffAppointment.startsAt.toISOString() : null };
}

function ageOn(dateOfBirth: string, at: Date): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  let age = at.getUTCFullYear() - y;
  if (at.getUTCMonth() + 1 < m || (at.getUTCMonth() + 1 === m && at.getUTCDate() < d)) age -= 1;
  return age;
}
