/**
 * The only error this package throws on purpose: an argument a rule cannot work with (a non-finite
 * score, an empty scale range, mismatched lengths, an instrument pair that is not parallel). Rules
 * never guess: they refuse with a message that names the argument.
 */
export class AnalysisError extends Error {
  readonly code = 'invalid_argument' as const;
  readonly argument: string;

  constructor(argument: string, message: string) {
    super(`${argument}: ${message}`);
    this.name = 'AnalysisError';
    this.argument = argument;
  }
}

/** Throws `AnalysisError` unless `value` is a finite number. */
export function requireFinite(argument: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new AnalysisError(argument, 'must be a finite number');
}

/** A scale's inclusive range; `max` must exceed `min`. */
export type ScaleRange = { readonly min: number; readonly max: number };

/** Throws `AnalysisError` unless the range is finite with max > min. */
export function requireRange(argument: string, range: ScaleRange): void {
  requireFinite(`${argument}.min`, range.min);
  requireFinite(`${argument}.max`, range.max);
  if (range.max <= range.min) throw new AnalysisError(argument, 'max must be greater than min');
}

/** A score as a percentage of its scale's range: min → 0, max → 100. */
export function percentOfRange(score: number, range: ScaleRange): number {
  return ((score - range.min) / (range.max - range.min)) * 100;
}

/** Tolerance for comparing computed thresholds, so "exactly at the threshold" survives floating point (36.5 vs 38.5 − 2). */
export const EPSILON = 1e-9;
