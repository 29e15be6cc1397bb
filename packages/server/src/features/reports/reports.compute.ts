import { classifyTalkingTherapiesOutcome, getInstrument, hasInstrument, InstrumentError, pairedAnxietyMeasure } from '@rapport/instruments';
import { presentingProblems } from '../episodes/episodes.schema';
import { talkingTherapiesProblem } from '../episodes/presenting-problem';


/**
 * The anxiety measure paired with PHQ-9 for each presenting-problem code, as the instruments
 * library decides it (GAD-7 when the recommended measure is not available). Computed once; the
 * report's SQL turns it into a CASE so the first/last aggregation reads only the paired measure.
 */
export const ANXIETY_MEASURE_BY_PROBLEM: Readonly<Record<string, string>> = Object.fromEntries(
  presentingProblems.map((code) => [code, pairedAnxietyMeasure(talkingTherapiesProblem(code)).instrumentId]),
);
export const DEFAULT_ANXIETY_MEASURE = pairedAnxietyMeasure('no-problem-descriptor').instrumentId;

/** One ended episode of the report's cohort with its first and last scores (from SQL). */
export type EpisodeScoreRow = {
  episodeId: string;
  clinicianId: string;
  endReason: string | null;
  anxietyId: string;
  attended: number;
  depression: { n: number; first: number | null; last: number | null };
  anxiety: { n: number; first: number | null; last: number | null };
};

export type Rate = { numerator: number; denominator: number; rate: number | null };
const rate = (numerator: number, denominator: number): Rate => ({ numerator, denominator, rate: denominator > 0 ? numerator / denominator : null });

export type ChangeSummary = {
  instrumentId: string;
  /** Finished courses with at least two scores on this measure. */
  n: number;
  meanFirst: number | null;
  meanLast: number | null;
  /** Mean of (last − first); negative = scores fell. */
  meanChange: number | null;
  /** Sample SD of the first scores. */
  sdFirst: number | null;
  /** Cohen's d on the pre SD: meanChange / sdFirst (same sign as the change); null below two episodes or a zero SD. */
  effectSize: number | null;
};

export type TalkingTherapiesSummary = {
  endedEpisodes: number;
  /** Ended with ≥ 2 attended treatment sessions (facts.md B2), whether or not the scores are there. */
  finishedCourses: number;
  /** Finished courses without two PHQ-9 and two paired anxiety scores (or with an anxiety measure without thresholds): outside every rate. */
  finishedWithoutPairedScores: number;
  /** Finished courses with paired scores: the denominator of reliable improvement and deterioration. */
  finishedWithPairedScores: number;
  notAtCaseness: number;
  recovery: Rate;
  reliableImprovement: Rate;
  reliableRecovery: Rate;
  reliableDeterioration: Rate;
  dropout: Rate;
};

function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}
function sampleSd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values)!;
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/** Mean first-to-last change and Cohen's d on the pre SD for pairs (first, last). */
export function changeSummary(instrumentId: string, pairs: readonly { first: number; last: number }[]): ChangeSummary {
  const firsts = pairs.map((p) => p.first);
  const meanChange = mean(pairs.map((p) => p.last - p.first));
  const sdFirst = sampleSd(firsts);
  return {
    instrumentId,
    n: pairs.length,
    meanFirst: mean(firsts),
    meanLast: mean(pairs.map((p) => p.last)),
    meanChange,
    sdFirst,
    effectSize: meanChange !== null && sdFirst !== null && sdFirst > 0 ? meanChange / sdFirst : null,
  };
}

/** The finished course's pairs of one measure (≥ 2 scores). */
function hasPair(m: EpisodeScoreRow['depression']): m is { n: number; first: number; last: number } {
  return m.n >= 2 && m.first !== null && m.last !== null;
}

export type ClassifiedEpisode = EpisodeScoreRow & { finishedCourse: boolean; outcome: ReturnType<typeof classifyTalkingTherapiesOutcome> | null };

/** Classifies each ended episode with the instruments library (one rule set for the whole product). */
export function classifyEpisodes(rows: readonly EpisodeScoreRow[]): ClassifiedEpisode[] {
  return rows.map((row) => {
    const finishedCourse = row.attended >= 2;
    if (!finishedCourse || !hasPair(row.depression) || !hasPair(row.anxiety)) return { ...row, finishedCourse, outcome: null };
    try {
      const outcome = classifyTalkingTherapiesOutcome({
        depression: { first: row.depression.first, last: row.depression.last },
        anxiety: { instrumentId: row.anxietyId, first: row.anxiety.first, last: row.anxiety.last },
        attendedTreatmentSessions: row.attended,
        ended: true,
      });
      return { ...row, finishedCourse: outcome.finishedCourse, outcome };
    } catch (error) {
      if (error instanceof InstrumentError) return { ...row, finishedCourse, outcome: null };
      throw error;
    }
  });
}

/**
 * The NHS Talking Therapies rates (facts.md B2) over classified ended episodes:
 * recovery = recovered / (finished − not at caseness); reliable improvement and reliable
 * deterioration = count / finished; reliable recovery = recovered and reliably improved, over the
 * recovery denominator. "Finished" here is a finished course with paired first and last scores.
 * Dropout = ended `dropped_out` / ended.
 */
export function talkingTherapiesSummary(episodes: readonly ClassifiedEpisode[]): TalkingTherapiesSummary {
  let finishedCourses = 0;
  let finished = 0;
  let notAtCaseness = 0;
  let recovered = 0;
  let improved = 0;
  let reliablyRecovered = 0;
  let deteriorated = 0;
  let droppedOut = 0;
  for (const e of episodes) {
    if (e.endReason === 'dropped_out') droppedOut++;
    if (e.finishedCourse) finishedCourses++;
    const o = e.outcome;
    if (!o || !o.finishedCourse) continue;
    finished++;
    if (!o.casenessAtStart) notAtCaseness++;
    if (o.recovered === true) recovered++;
    if (o.reliableImprovement) improved++;
    if (o.reliableRecovery === true) reliablyRecovered++;
    if (o.reliableDeterioration) deteriorated++;
  }
  return {
    endedEpisodes: episodes.length,
    finishedCourses,
    finishedWithoutPairedScores: finishedCourses - finished,
    finishedWithPairedScores: finished,
    notAtCaseness,
    recovery: rate(recovered, finished - notAtCaseness),
    reliableImprovement: rate(improved, finished),
    reliableRecovery: rate(reliablyRecovered, finished - notAtCaseness),
    reliableDeterioration: rate(deteriorated, finished),
    dropout: rate(droppedOut, episodes.length),
  };
}

/** Mean first-to-last change per measure (PHQ-9 and each paired anxiety measure) over finished courses. */
export function changeSummaries(episodes: readonly ClassifiedEpisode[]): ChangeSummary[] {
  const byInstrument = new Map<string, { first: number; last: number }[]>();
  const add = (id: string, m: EpisodeScoreRow['depression']) => {
    if (!hasPair(m)) return;
    const list = byInstrument.get(id) ?? [];
    list.push({ first: m.first, last: m.last });
    byInstrument.set(id, list);
  };
  for (const e of episodes) {
    if (!e.finishedCourse) continue;
    add('phq9', e.depression);
    add(e.anxietyId, e.anxiety);
  }
  return [...byInstrument.entries()].sort(([a], [b]) => (a === 'phq9' ? -1 : b === 'phq9' ? 1 : a.localeCompare(b))).map(([id, pairs]) => changeSummary(id, pairs));
}

/** PHQ-9 first-to-last pairs of finished courses by therapist (primary clinician). */
export function depressionPairsByTherapist(episodes: readonly ClassifiedEpisode[]): Map<string, { first: number; last: number }[]> {
  const out = new Map<string, { first: number; last: number }[]>();
  for (const e of episodes) {
    if (!e.finishedCourse || !hasPair(e.depression)) continue;
    const list = out.get(e.clinicianId) ?? [];
    list.push({ first: e.depression.first, last: e.depression.last });
    out.set(e.clinicianId, list);
  }
  return out;
}

/** The therapist forms paired with client alliance forms (e.g. rapport_alliance → rapport_alliance_therapist). */
export function allianceFormPairs(instrumentIds: readonly string[]): { client: string; therapist: string }[] {
  return instrumentIds
    .filter((id) => hasInstrument(id))
    .map((id) => getInstrument(id))
    .filter((d) => d.respondent === 'client' && d.parallelForm)
    .map((d) => ({ client: d.id, therapist: d.parallelForm!.instrumentId }));
}

/** The smallest pool of non-consenting therapists whose figures may be shown (pooled and unnamed). */
export const MIN_POOL = 5;
