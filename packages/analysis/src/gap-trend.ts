import { AnalysisError, EPSILON, requireFinite } from './errors';
import { leastSquares, mean } from './statistics';

/**
 * The trend of the client–therapist gap over the last sessions (issue 5 item 2, design.md §2).
 * Input: the per-session gap, therapist − client in percent of the range (`discrepancy().gapPercent`),
 * oldest first. "Widening" means the two ratings move apart (the absolute gap grows), whichever of
 * them is higher; the signed slope says which way the gap itself is moving.
 */

/** Sessions looked at: the last 6. Rapport default (no source in facts.md): long enough for a slope, short enough to be "recent". */
export const DEFAULT_GAP_TREND_WINDOW = 6;
/** Sessions in the "recent" mean: the last 3 (issue 5 brief), compared with the earlier sessions of the window. */
export const RECENT_SESSIONS = 3;
/**
 * Widening/narrowing needs the absolute gap's least-squares slope to reach 1 percentage point per
 * session (5 points over a 6-session window) … Rapport default, derived: half the 10 % discrepancy
 * alert threshold over a window.
 */
export const DEFAULT_SLOPE_THRESHOLD_PERCENT = 1;
/** … and the recent mean to differ from the earlier mean by at least 5 percentage points (half the 10 % alert threshold). Rapport default. */
export const DEFAULT_MEAN_CHANGE_THRESHOLD_PERCENT = 5;

/** `insufficient_data` with fewer than 4 sessions in the window (3 recent and at least 1 earlier). */
export type GapTrendLabel = 'widening' | 'narrowing' | 'stable' | 'insufficient_data';

export type GapTrendOptions = {
  readonly window?: number;
  readonly slopeThresholdPercent?: number;
  readonly meanChangeThresholdPercent?: number;
};

export type GapTrendResult = {
  readonly label: GapTrendLabel;
  /** The gaps used (the last `window`), oldest first. */
  readonly gaps: readonly number[];
  /** Least-squares slope of the absolute gap, percentage points per session; null with fewer than 2 sessions. */
  readonly absoluteSlopePerSession: number | null;
  /** Least-squares slope of the signed gap (therapist − client); positive = the therapist moving above. */
  readonly signedSlopePerSession: number | null;
  /** Mean absolute gap of the last 3 sessions and of the earlier ones in the window; null when either is empty. */
  readonly recentMeanAbsoluteGap: number | null;
  readonly earlierMeanAbsoluteGap: number | null;
  /** recent − earlier mean absolute gap. */
  readonly meanChange: number | null;
  readonly thresholds: { readonly window: number; readonly slopePercentPerSession: number; readonly meanChangePercent: number };
};

function slope(values: readonly number[]): number | null {
  const fit = leastSquares(
    values.map((_, index) => index),
    values,
  );
  return fit ? fit.slope : null;
}

/**
 * Labels the gap's trend over the last `window` sessions. `widening` when the absolute gap's slope is
 * at least `slopeThresholdPercent` per session AND the mean absolute gap of the last 3 sessions exceeds
 * the earlier sessions' by at least `meanChangeThresholdPercent`; `narrowing` when both fall by as
 * much; `stable` otherwise (both criteria must agree, so a single odd session does not flip the label).
 */
export function gapTrend(series: readonly number[], options: GapTrendOptions = {}): GapTrendResult {
  const window = options.window ?? DEFAULT_GAP_TREND_WINDOW;
  const slopeThreshold = options.slopeThresholdPercent ?? DEFAULT_SLOPE_THRESHOLD_PERCENT;
  const meanThreshold = options.meanChangeThresholdPercent ?? DEFAULT_MEAN_CHANGE_THRESHOLD_PERCENT;
  if (!Number.isInteger(window) || window < RECENT_SESSIONS + 1) throw new AnalysisError('options.window', `must be a whole number of at least ${RECENT_SESSIONS + 1}`);
  requireFinite('options.slopeThresholdPercent', slopeThreshold);
  requireFinite('options.meanChangeThresholdPercent', meanThreshold);
  series.forEach((gap, index) => requireFinite(`series[${index}]`, gap));

  const gaps = series.slice(-window);
  const absolute = gaps.map(Math.abs);
  const recent = absolute.slice(-RECENT_SESSIONS);
  const earlier = absolute.slice(0, Math.max(0, absolute.length - RECENT_SESSIONS));
  const recentMean = earlier.length > 0 ? mean(recent) : null;
  const earlierMean = mean(earlier);
  const meanChange = recentMean !== null && earlierMean !== null ? recentMean - earlierMean : null;
  const absoluteSlope = slope(absolute);
  const thresholds = { window, slopePercentPerSession: slopeThreshold, meanChangePercent: meanThreshold };

  let label: GapTrendLabel = 'insufficient_data';
  if (meanChange !== null && absoluteSlope !== null) {
    if (absoluteSlope >= slopeThreshold - EPSILON && meanChange >= meanThreshold - EPSILON) label = 'widening';
    else if (absoluteSlope <= -slopeThreshold + EPSILON && meanChange <= -meanThreshold + EPSILON) label = 'narrowing';
    else label = 'stable';
  }
  return {
    label,
    gaps,
    absoluteSlopePerSession: absoluteSlope,
    signedSlopePerSession: slope(gaps),
    recentMeanAbsoluteGap: recentMean,
    earlierMeanAbsoluteGap: earlierMean,
    meanChange,
    thresholds,
  };
}
