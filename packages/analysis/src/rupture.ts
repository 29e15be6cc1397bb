import { AnalysisError, EPSILON, requireFinite, requireRange } from './errors';
import type { ScaleRange } from './errors';
import { mean, sampleSd } from './statistics';

/**
 * Alliance ruptures and repairs in one number series (a total, a subscale or a single item, oldest
 * first), exactly as facts.md B4 "Rupture definitions / Suggested alert" defines them (derived from
 * [V src:bmc-crisis-repair]). The caller passes the series and the scale range of what it holds.
 */

/** facts.md B4 [V src:bmc-crisis-repair]: lenient threshold = prior mean − 1 SD. */
export const LENIENT_SD_MULTIPLIER = 1;
/** facts.md B4 [V src:bmc-crisis-repair]: strict threshold = prior mean − 2 SD. */
export const STRICT_SD_MULTIPLIER = 2;
/** facts.md B4 (derived): the SD rule needs 3 or more prior sessions. */
export const MIN_PRIOR_SESSIONS_FOR_SD = 3;
/** facts.md B4 (derived): SD floored at 5 % of the scale range, so a steady series does not turn every dip into a rupture. */
export const DEFAULT_SD_FLOOR_FRACTION = 0.05;
/** facts.md B4 (derived): with 1 or 2 prior sessions, a drop of at least 10 % of the range from the previous session. */
export const DEFAULT_EARLY_DROP_FRACTION = 0.1;
/** facts.md B4 (derived): repaired when the score returns above the lenient threshold within 1–3 sessions. */
export const DEFAULT_REPAIR_WINDOW = 3;

export type RuptureLevel = 'none' | 'lenient' | 'strict';

/**
 * Which rule judged the session: `history_sd` (3+ prior sessions), `previous_drop` (1–2 prior
 * sessions) or `no_history` (the first session, which can never be a rupture).
 */
export type RuptureRule = 'history_sd' | 'previous_drop' | 'no_history';

/** `pending`: fewer than `repairWindow` later sessions exist and none has recovered yet. */
export type RepairStatus = 'repaired' | 'unrepaired' | 'pending';

export type RepairResult = {
  readonly status: RepairStatus;
  /** Index of the first later session above `threshold`; null unless repaired. */
  readonly repairedAt: number | null;
  /** The score must be strictly above this: the rupture session's lenient threshold. */
  readonly threshold: number;
  readonly window: number;
};

export type SessionRupture = {
  readonly index: number;
  readonly score: number;
  readonly rule: RuptureRule;
  readonly rupture: RuptureLevel;
  readonly priorCount: number;
  /** Mean of all prior sessions (null for the first). */
  readonly priorMean: number | null;
  /** Sample SD (n − 1) of the prior sessions; null with fewer than two. */
  readonly sd: number | null;
  /** max(sd, floor); null unless the `history_sd` rule applied. */
  readonly flooredSd: number | null;
  readonly sdFloor: number;
  /**
   * At or below this is a (lenient) rupture: prior mean − 1 × floored SD (`history_sd`) or previous
   * score − 10 % of the range (`previous_drop`); null for `no_history`.
   */
  readonly lenientThreshold: number | null;
  /** At or below this is a strict rupture: prior mean − 2 × floored SD; null unless `history_sd`. */
  readonly strictThreshold: number | null;
  /** previous − this score (positive = a drop); null for the first session. */
  readonly dropFromPrevious: number | null;
  /** Whether the score is below the instrument's cut-off (facts.md B4: "also flag"); null when no cut-off was given. */
  readonly belowCutoff: boolean | null;
  /** Repair status when this session is a rupture; null otherwise. */
  readonly repair: RepairResult | null;
};

export type RuptureOptions = {
  /** SD floor as a fraction of the range; default 0.05 (facts.md B4). */
  readonly sdFloorFraction?: number;
  /** Drop from the previous session for the 1–2-session rule, as a fraction of the range; default 0.10 (facts.md B4). */
  readonly earlyDropFraction?: number;
  /** Sessions after a rupture within which a repair counts; default 3 (facts.md B4). */
  readonly repairWindow?: number;
  /** The instrument's low cut-off, e.g. SRS: `{ operator: '<', value: 36 }` (facts.md A19, B4 [S src:openfit-srs]). */
  readonly cutoff?: { readonly operator: '<' | '<='; readonly value: number } | null;
};

function isBelowCutoff(score: number, cutoff: RuptureOptions['cutoff']): boolean | null {
  if (!cutoff) return null;
  return cutoff.operator === '<' ? score < cutoff.value : score <= cutoff.value;
}

function judgeSession(series: readonly number[], index: number, range: ScaleRange, options: Required<Omit<RuptureOptions, 'cutoff'>>) {
  const span = range.max - range.min;
  const sdFloor = options.sdFloorFraction * span;
  const score = series[index] as number;
  const prior = series.slice(0, index);
  const previous = index > 0 ? (series[index - 1] as number) : null;
  const base = {
    index,
    score,
    priorCount: prior.length,
    priorMean: mean(prior),
    sd: sampleSd(prior),
    sdFloor,
    dropFromPrevious: previous === null ? null : previous - score,
  };
  if (prior.length === 0) {
    return { ...base, rule: 'no_history' as const, rupture: 'none' as const, flooredSd: null, lenientThreshold: null, strictThreshold: null };
  }
  if (prior.length < MIN_PRIOR_SESSIONS_FOR_SD) {
    const lenientThreshold = (previous as number) - options.earlyDropFraction * span;
    // A single rule with no strict variant: reported as lenient so it never outranks a 2 SD rupture.
    const rupture = score <= lenientThreshold + EPSILON ? ('lenient' as const) : ('none' as const);
    return { ...base, rule: 'previous_drop' as const, rupture, flooredSd: null, lenientThreshold, strictThreshold: null };
  }
  const flooredSd = Math.max(base.sd as number, sdFloor);
  const priorMean = base.priorMean as number;
  const lenientThreshold = priorMean - LENIENT_SD_MULTIPLIER * flooredSd;
  const strictThreshold = priorMean - STRICT_SD_MULTIPLIER * flooredSd;
  const rupture = score <= strictThreshold + EPSILON ? ('strict' as const) : score <= lenientThreshold + EPSILON ? ('lenient' as const) : ('none' as const);
  return { ...base, rule: 'history_sd' as const, rupture, flooredSd, lenientThreshold, strictThreshold };
}

/**
 * Judges every session of `series` (oldest first) against the client's own history:
 * - 3+ prior sessions: `strict` at or below prior mean − 2 SD, `lenient` at or below prior mean − 1 SD,
 *   with the sample SD (n − 1) of all prior sessions floored at 5 % of the range;
 * - 1–2 prior sessions: `lenient` when the score dropped by at least 10 % of the range from the
 *   previous session;
 * - the first session: never a rupture.
 * "At the threshold" counts. For each rupture, `repair` says whether a later score rose strictly above
 * that session's lenient threshold within `repairWindow` sessions (`repaired`, with its index), not
 * (`unrepaired`, once the window has passed), or cannot yet say (`pending`). Pure: the series
 * length is "now". Throws `AnalysisError` for a non-finite value, an empty range or bad options.
 */
export function detectRuptures(series: readonly number[], scaleRange: ScaleRange, options: RuptureOptions = {}): SessionRupture[] {
  requireRange('scaleRange', scaleRange);
  series.forEach((value, index) => requireFinite(`series[${index}]`, value));
  const resolved = {
    sdFloorFraction: options.sdFloorFraction ?? DEFAULT_SD_FLOOR_FRACTION,
    earlyDropFraction: options.earlyDropFraction ?? DEFAULT_EARLY_DROP_FRACTION,
    repairWindow: options.repairWindow ?? DEFAULT_REPAIR_WINDOW,
  };
  if (!(resolved.sdFloorFraction > 0)) throw new AnalysisError('options.sdFloorFraction', 'must be positive');
  if (!(resolved.earlyDropFraction > 0)) throw new AnalysisError('options.earlyDropFraction', 'must be positive');
  if (!Number.isInteger(resolved.repairWindow) || resolved.repairWindow < 1) throw new AnalysisError('options.repairWindow', 'must be a whole number of sessions, at least 1');

  return series.map((_, index) => {
    const judged = judgeSession(series, index, scaleRange, resolved);
    const belowCutoff = isBelowCutoff(judged.score, options.cutoff);
    if (judged.rupture === 'none') return { ...judged, belowCutoff, repair: null };
    return { ...judged, belowCutoff, repair: repairOf(series, index, judged.lenientThreshold as number, resolved.repairWindow) };
  });
}

function repairOf(series: readonly number[], index: number, threshold: number, window: number): RepairResult {
  const last = Math.min(series.length - 1, index + window);
  for (let later = index + 1; later <= last; later++) {
    if ((series[later] as number) > threshold + EPSILON) return { status: 'repaired', repairedAt: later, threshold, window };
  }
  const status = series.length - 1 >= index + window ? 'unrepaired' : 'pending';
  return { status, repairedAt: null, threshold, window };
}

/** The ruptures only (lenient or strict), for lists and alerts. */
export function rupturesOnly(sessions: readonly SessionRupture[]): SessionRupture[] {
  return sessions.filter((session) => session.rupture !== 'none');
}

/** Whether any rupture in the series is still unrepaired once its repair window has passed (a dropout-risk factor, facts.md B5). */
export function hasUnrepairedRupture(sessions: readonly SessionRupture[]): boolean {
  return sessions.some((session) => session.repair?.status === 'unrepaired');
}
