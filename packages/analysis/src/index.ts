/**
 * @rapport/analysis: the pure clinical analysis rules behind Rapport's alliance intelligence and
 * alerts (issue 5): client–therapist discrepancy and its trend, ruptures and repairs, low alliance,
 * reliable deterioration, not on track, dropout risk, therapist calibration, and the validity helpers.
 *
 * Contract for every rule: pure (no I/O, no clock: dates and session indices are passed in),
 * deterministic, returns a closed label plus the evidence a screen needs to explain it (thresholds,
 * means, which rule fired), cites its source in shared/measures/facts.md next to each constant, and
 * throws only `AnalysisError` (code `invalid_argument`) for input it cannot judge, or the instruments
 * library's `InstrumentError` for an unknown instrument. Store `RULES_VERSION` with every result.
 * These are implementation checks of published and derived rules, not validated clinical instruments.
 */
export { RULES_VERSION } from './rules-version';
export { AnalysisError } from './errors';
export type { ScaleRange } from './errors';

export { alliancePair, DEFAULT_THERAPIST_ABOVE_THRESHOLD_PERCENT, discrepancy, gapDirection, isTherapistAboveAlert } from './discrepancy';
export type { AllianceRating, DiscrepancyOptions, DiscrepancyResult, GapDirection, InstrumentPair, ItemGap } from './discrepancy';

export {
  DEFAULT_GAP_TREND_WINDOW,
  DEFAULT_MEAN_CHANGE_THRESHOLD_PERCENT,
  DEFAULT_SLOPE_THRESHOLD_PERCENT,
  gapTrend,
  RECENT_SESSIONS,
} from './gap-trend';
export type { GapTrendLabel, GapTrendOptions, GapTrendResult } from './gap-trend';

export {
  DEFAULT_EARLY_DROP_FRACTION,
  DEFAULT_REPAIR_WINDOW,
  DEFAULT_SD_FLOOR_FRACTION,
  detectRuptures,
  hasUnrepairedRupture,
  LENIENT_SD_MULTIPLIER,
  MIN_PRIOR_SESSIONS_FOR_SD,
  rupturesOnly,
  STRICT_SD_MULTIPLIER,
} from './rupture';
export type { RepairResult, RepairStatus, RuptureLevel, RuptureOptions, RuptureRule, SessionRupture } from './rupture';

export { DEFAULT_LOWEST_FRACTION, DEFAULT_MIN_ORGANISATION_RATINGS, EARLY_DROPOUT_LAST_SESSION, lowAlliance, midRankPercentile } from './low-alliance';
export type { LowAllianceContext, LowAllianceResult, LowAllianceRule } from './low-alliance';

export { reliableDeterioration } from './deterioration';
export type { DeteriorationStatus, ReliableDeteriorationResult } from './deterioration';

export {
  DEFAULT_COURSE_MEANS,
  DEFAULT_COURSE_SESSIONS,
  DEFAULT_MAX_SESSION_NUMBER,
  DEFAULT_MIN_EPISODES_PER_BAND,
  DEFAULT_TOLERANCE_PERCENTILE,
  defaultTrajectories,
  fitExpectedTrajectories,
  notOnTrack,
} from './trajectory';
export type {
  BandTrajectory,
  DefaultTrajectoryInstrument,
  ExpectedTrajectories,
  FinishedEpisode,
  NotOnTrackResult,
  OnTrackStatus,
  SeverityBand,
  TrajectoryFit,
  TrajectoryOptions,
} from './trajectory';

export { DEFAULT_DROPOUT_CUT_POINTS, DEFAULT_DROPOUT_POINTS, DEFAULT_MISSED_APPOINTMENTS_CAP, DEFAULT_YOUNGER_THAN_AGE, dropoutRisk } from './dropout-risk';
export type { DropoutContribution, DropoutFactorId, DropoutFactors, DropoutPoints, DropoutRiskLevel, DropoutRiskOptions, DropoutRiskResult } from './dropout-risk';

export { calibrationReport, CONFIDENCE_LEVEL, DEFAULT_MIN_POOLED_THERAPISTS, pooledCalibration } from './calibration';
export type { CalibrationPair, CalibrationReport, CalibrationStats, CalibrationSums, MonthlyCalibration, PooledCalibration } from './calibration';

export { auc, sensitivitySpecificity } from './validity';
export type { AucResult, ConfusionResult } from './validity';

export { leastSquares, mean, pearson, percentile, sampleSd, studentTCdf, tQuantile } from './statistics';
