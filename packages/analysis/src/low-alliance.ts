import { getInstrument } from '@rapport/instruments';
import type { Cutoff } from '@rapport/instruments';
import { AnalysisError, requireFinite } from './errors';

/**
 * Low alliance (issue 5 item 2; facts.md B4 "Low-alliance cutoff", A19): one rule decides, in this
 * order of precedence:
 * 1. `published_cutoff`: the instrument's published cut-off, where one exists (SRS < 36 [S src:openfit-srs]);
 * 2. `clinic_threshold`: otherwise a threshold the clinic set (score strictly below it), but only for a
 *    validated instrument: Rapport's own alliance check is not validated and has no cut-off, so only a
 *    relative rule may judge it;
 * 3. `org_lowest_decile`: otherwise, once the organisation has enough ratings at that session number,
 *    the score is in its lowest 10 %.
 */

/** Ratings the organisation needs at a session number before its lowest decile is used. Rapport default (derived, not from a source): below ~30 a decile is 1–2 ratings. */
export const DEFAULT_MIN_ORGANISATION_RATINGS = 30;
/** "Its lowest 10 %" (issue 5 item 2). Rapport default. */
export const DEFAULT_LOWEST_FRACTION = 0.1;
/** facts.md B4 [V src:anderson2019]: treat a low alliance in sessions 1–3 as a dropout-risk signal (20.6 % left before session 4). */
export const EARLY_DROPOUT_LAST_SESSION = 3;

export type LowAllianceRule = 'published_cutoff' | 'clinic_threshold' | 'org_lowest_decile';

export type LowAllianceContext = {
  readonly instrumentId: string;
  /** 1 for the first session of the episode. */
  readonly sessionNumber: number;
  /** The clinic's own threshold: strictly below it is low. Ignored where a published cut-off exists or the instrument is not validated. */
  readonly clinicThreshold?: number | null;
  /** The organisation's ratings on this instrument at this session number (any clients, this one included or not). */
  readonly organisationScores?: readonly number[];
  readonly minimumOrganisationRatings?: number;
  readonly lowestFraction?: number;
};

export type LowAllianceResult = {
  readonly low: boolean;
  /** The rule that found the score low, or `none`. */
  readonly rule: LowAllianceRule | 'none';
  /** The rule that was applied (whatever it found), or `none` when no rule could be applied. */
  readonly ruleApplied: LowAllianceRule | 'none';
  /** The published cut-off, the clinic threshold, or the organisation's 10 % percentile rank as a fraction; null for `none`. */
  readonly threshold: number | null;
  readonly operator: Cutoff['operator'] | null;
  readonly score: number;
  /** Mid-rank percentile of the score among the organisation's ratings (0–1), when that rule was applied. */
  readonly percentileRank: number | null;
  readonly organisationRatings: number;
  /** Low in sessions 1–3 (facts.md B4 [V src:anderson2019]). */
  readonly earlyDropoutSignal: boolean;
  readonly sessionNumber: number;
  /** Why a rule lower in precedence was not used, for the explanation on screen. */
  readonly notes: readonly string[];
};

function compare(score: number, operator: Cutoff['operator'], value: number): boolean {
  switch (operator) {
    case '<':
      return score < value;
    case '<=':
      return score <= value;
    case '>':
      return score > value;
    case '>=':
      return score >= value;
  }
}

/**
 * Mid-rank percentile of `score` among `scores`: (count below + ½ count equal) ÷ n. Ties share the
 * middle of their rank, so a ceiling shared by many ratings is never "the lowest 10 %".
 */
export function midRankPercentile(score: number, scores: readonly number[]): number | null {
  if (scores.length === 0) return null;
  let below = 0;
  let equal = 0;
  for (const other of scores) {
    if (other < score) below++;
    else if (other === score) equal++;
  }
  return (below + equal / 2) / scores.length;
}

/**
 * Whether an alliance score is low, by which rule, and whether it is an early dropout signal. The
 * published cut-off wins where one exists; a clinic threshold comes next (validated instruments only);
 * the organisation's lowest 10 % at this session number (mid-rank percentile strictly below 0.10,
 * with at least `minimumOrganisationRatings` ratings, default 30) comes last. Throws `AnalysisError`
 * for a non-finite score, an unknown instrument or a session number below 1.
 */
export function lowAlliance(score: number, context: LowAllianceContext): LowAllianceResult {
  requireFinite('score', score);
  if (!Number.isInteger(context.sessionNumber) || context.sessionNumber < 1) throw new AnalysisError('context.sessionNumber', 'must be a whole number, 1 or more');
  const definition = getInstrument(context.instrumentId);
  const minimum = context.minimumOrganisationRatings ?? DEFAULT_MIN_ORGANISATION_RATINGS;
  const fraction = context.lowestFraction ?? DEFAULT_LOWEST_FRACTION;
  if (!(fraction > 0 && fraction < 1)) throw new AnalysisError('context.lowestFraction', 'must be between 0 and 1');
  const organisationScores = context.organisationScores ?? [];
  organisationScores.forEach((other, index) => requireFinite(`context.organisationScores[${index}]`, other));
  const validated = definition.validation.status === 'validated';
  const notes: string[] = [];
  const base = { score, sessionNumber: context.sessionNumber, organisationRatings: organisationScores.length, notes };
  const result = (ruleApplied: LowAllianceRule | 'none', low: boolean, threshold: number | null, operator: Cutoff['operator'] | null, percentileRank: number | null): LowAllianceResult => ({
    ...base,
    low,
    rule: low ? ruleApplied : 'none',
    ruleApplied,
    threshold,
    operator,
    percentileRank,
    earlyDropoutSignal: low && context.sessionNumber <= EARLY_DROPOUT_LAST_SESSION,
  });

  // facts.md A19, B4 [S src:openfit-srs]: the published cut-off is the instrument's own (SRS: < 36).
  const published = validated ? definition.caseness : undefined;
  if (published) {
    if (context.clinicThreshold !== undefined && context.clinicThreshold !== null) notes.push('clinic threshold not used: the instrument has a published cut-off');
    return result('published_cutoff', compare(score, published.operator, published.value), published.value, published.operator, null);
  }
  if (context.clinicThreshold !== undefined && context.clinicThreshold !== null) {
    requireFinite('context.clinicThreshold', context.clinicThreshold);
    if (validated) return result('clinic_threshold', score < context.clinicThreshold, context.clinicThreshold, '<', null);
    notes.push(`clinic threshold not used: ${definition.id} is not validated, so only relative rules may judge it`);
  }
  if (organisationScores.length >= minimum) {
    const rank = midRankPercentile(score, organisationScores) as number;
    return result('org_lowest_decile', rank < fraction, fraction, '<', rank);
  }
  notes.push(`organisation lowest-decile rule not used: ${organisationScores.length} ratings at session ${context.sessionNumber}, ${minimum} needed`);
  return result('none', false, null, null, null);
}
