import { DEFAULT_THERAPIST_ABOVE_THRESHOLD_PERCENT, isTherapistAboveAlert } from './discrepancy';
import { AnalysisError, requireFinite } from './errors';
import { pearsonFromSums, tQuantile } from './statistics';

/**
 * A therapist's calibration report (issue 5 item 4, design.md §2): over sessions with both ratings,
 * the mean gap (therapist − client, percent of the range) with a 95 % confidence interval, how often
 * the therapist rated more than the threshold above the client, and the correlation between the two
 * ratings, overall and by month. Reports carry sufficient statistics (sums), so the organisation's
 * pooled figures are exact without keeping anyone's sessions, and name no therapist.
 */

/** Two-sided 95 % interval: the 97.5th percentile of Student's t with n − 1 degrees of freedom (`tQuantile`). */
export const CONFIDENCE_LEVEL = 0.95;
/** Pooled figures only when at least five therapists contribute (issue 5 item 4), so no one's figures can be inferred. */
export const DEFAULT_MIN_POOLED_THERAPISTS = 5;

export type CalibrationPair = {
  /** The session's month as `YYYY-MM`, from the caller's dates (no clock here). */
  readonly month: string;
  /** The client's and the therapist's rating in percent of the range (`discrepancy().clientPercent` / `.therapistPercent`). */
  readonly clientPercent: number;
  readonly therapistPercent: number;
};

export type CalibrationSums = {
  readonly n: number;
  readonly sumClient: number;
  readonly sumTherapist: number;
  readonly sumClientSquared: number;
  readonly sumTherapistSquared: number;
  readonly sumProduct: number;
  readonly therapistAboveCount: number;
};

export type CalibrationStats = {
  readonly n: number;
  /** Mean of therapist − client; null without sessions. */
  readonly meanGap: number | null;
  /** Sample SD of the gap; null with fewer than two sessions. */
  readonly sdGap: number | null;
  /** meanGap ± t(0.975, n − 1) · sd / √n; null with fewer than two sessions. */
  readonly confidenceInterval: { readonly lower: number; readonly upper: number; readonly level: number; readonly tCritical: number; readonly degreesOfFreedom: number } | null;
  readonly therapistAboveCount: number;
  /** Share of sessions where the therapist rated more than the threshold above the client (0–1); null without sessions. */
  readonly therapistAboveShare: number | null;
  /** Pearson correlation of client and therapist ratings; null when undefined (n < 2 or a constant rating). */
  readonly correlation: number | null;
  readonly sums: CalibrationSums;
};

export type MonthlyCalibration = CalibrationStats & { readonly month: string };

export type CalibrationReport = {
  readonly thresholdPercent: number;
  readonly overall: CalibrationStats;
  /** Months in ascending order; only months with sessions. */
  readonly byMonth: readonly MonthlyCalibration[];
};

export type PooledCalibration = CalibrationReport & { readonly therapists: number; readonly minTherapists: number };

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

const EMPTY_SUMS: CalibrationSums = { n: 0, sumClient: 0, sumTherapist: 0, sumClientSquared: 0, sumTherapistSquared: 0, sumProduct: 0, therapistAboveCount: 0 };

function addSums(a: CalibrationSums, b: CalibrationSums): CalibrationSums {
  return {
    n: a.n + b.n,
    sumClient: a.sumClient + b.sumClient,
    sumTherapist: a.sumTherapist + b.sumTherapist,
    sumClientSquared: a.sumClientSquared + b.sumClientSquared,
    sumTherapistSquared: a.sumTherapistSquared + b.sumTherapistSquared,
    sumProduct: a.sumProduct + b.sumProduct,
    therapistAboveCount: a.therapistAboveCount + b.therapistAboveCount,
  };
}

function statsFromSums(sums: CalibrationSums): CalibrationStats {
  const { n } = sums;
  if (n === 0) return { n, meanGap: null, sdGap: null, confidenceInterval: null, therapistAboveCount: 0, therapistAboveShare: null, correlation: null, sums };
  const sumGap = sums.sumTherapist - sums.sumClient;
  const sumGapSquared = sums.sumTherapistSquared - 2 * sums.sumProduct + sums.sumClientSquared;
  const meanGap = sumGap / n;
  let sdGap: number | null = null;
  let confidenceInterval: CalibrationStats['confidenceInterval'] = null;
  if (n >= 2) {
    // Clamped at 0: a constant gap leaves only rounding noise, which can be a hair below zero.
    sdGap = Math.sqrt(Math.max(0, (sumGapSquared - (sumGap * sumGap) / n) / (n - 1)));
    const degreesOfFreedom = n - 1;
    const tCritical = tQuantile(1 - (1 - CONFIDENCE_LEVEL) / 2, degreesOfFreedom);
    const margin = (tCritical * sdGap) / Math.sqrt(n);
    confidenceInterval = { lower: meanGap - margin, upper: meanGap + margin, level: CONFIDENCE_LEVEL, tCritical, degreesOfFreedom };
  }
  const correlation = pearsonFromSums({ n, sumX: sums.sumClient, sumY: sums.sumTherapist, sumXX: sums.sumClientSquared, sumYY: sums.sumTherapistSquared, sumXY: sums.sumProduct });
  return { n, meanGap, sdGap, confidenceInterval, therapistAboveCount: sums.therapistAboveCount, therapistAboveShare: sums.therapistAboveCount / n, correlation, sums };
}

/**
 * One therapist's calibration over the sessions both rated. `thresholdPercent` (default 10, the
 * discrepancy alert's) decides "more than the threshold above". Throws `AnalysisError` for a month that
 * is not `YYYY-MM` or a percentage outside 0–100.
 */
export function calibrationReport(pairs: readonly CalibrationPair[], options: { readonly thresholdPercent?: number } = {}): CalibrationReport {
  const thresholdPercent = options.thresholdPercent ?? DEFAULT_THERAPIST_ABOVE_THRESHOLD_PERCENT;
  const byMonth = new Map<string, CalibrationSums>();
  let overall = EMPTY_SUMS;
  pairs.forEach((pair, index) => {
    if (!MONTH.test(pair.month)) throw new AnalysisError(`pairs[${index}].month`, 'must be YYYY-MM');
    for (const key of ['clientPercent', 'therapistPercent'] as const) {
      requireFinite(`pairs[${index}].${key}`, pair[key]);
      if (pair[key] < 0 || pair[key] > 100) throw new AnalysisError(`pairs[${index}].${key}`, 'must be a percentage of the range, 0–100');
    }
    const { clientPercent: c, therapistPercent: t } = pair;
    const one: CalibrationSums = {
      n: 1,
      sumClient: c,
      sumTherapist: t,
      sumClientSquared: c * c,
      sumTherapistSquared: t * t,
      sumProduct: c * t,
      therapistAboveCount: isTherapistAboveAlert(t - c, thresholdPercent) ? 1 : 0,
    };
    overall = addSums(overall, one);
    byMonth.set(pair.month, addSums(byMonth.get(pair.month) ?? EMPTY_SUMS, one));
  });
  return {
    thresholdPercent,
    overall: statsFromSums(overall),
    byMonth: [...byMonth.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([month, sums]) => ({ month, ...statsFromSums(sums) })),
  };
}

/**
 * The organisation's pooled figures from the therapists' reports: null unless at least `minTherapists`
 * (default 5) reports have sessions; months appear only where at least `minTherapists` therapists
 * contributed that month. Pooling adds the reports' sums, so it is exact (every session weighs the same).
 * Throws `AnalysisError` when the reports used different thresholds.
 */
export function pooledCalibration(reports: readonly CalibrationReport[], minTherapists: number = DEFAULT_MIN_POOLED_THERAPISTS): PooledCalibration | null {
  if (!Number.isInteger(minTherapists) || minTherapists < 1) throw new AnalysisError('minTherapists', 'must be a whole number, 1 or more');
  const contributing = reports.filter((report) => report.overall.n > 0);
  if (contributing.length < minTherapists) return null;
  const thresholdPercent = (contributing[0] as CalibrationReport).thresholdPercent;
  if (contributing.some((report) => report.thresholdPercent !== thresholdPercent)) throw new AnalysisError('reports', 'were computed with different thresholds');

  let overall = EMPTY_SUMS;
  const months = new Map<string, { sums: CalibrationSums; therapists: number }>();
  for (const report of contributing) {
    overall = addSums(overall, report.overall.sums);
    for (const month of report.byMonth) {
      const entry = months.get(month.month) ?? { sums: EMPTY_SUMS, therapists: 0 };
      months.set(month.month, { sums: addSums(entry.sums, month.sums), therapists: entry.therapists + (month.n > 0 ? 1 : 0) });
    }
  }
  return {
    thresholdPercent,
    therapists: contributing.length,
    minTherapists,
    overall: statsFromSums(overall),
    byMonth: [...months.entries()]
      .filter(([, entry]) => entry.therapists >= minTherapists)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([month, entry]) => ({ month, ...statsFromSums(entry.sums) })),
  };
}
