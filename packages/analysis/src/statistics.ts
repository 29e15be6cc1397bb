import { AnalysisError } from './errors';

/**
 * Small, dependency-free statistics used by the rules: mean, sample SD, percentiles, least squares,
 * Pearson correlation and the Student t quantile. Each function is exact up to floating point except
 * `tQuantile`, which inverts the t distribution numerically to better than 1e-9.
 */

/** Arithmetic mean; null for an empty list. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Sample standard deviation (n − 1 denominator); null with fewer than two values. */
export function sampleSd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const centre = mean(values) as number;
  let squares = 0;
  for (const value of values) squares += (value - centre) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

/**
 * The p-quantile (0 ≤ p ≤ 1) by linear interpolation between order statistics (Hyndman & Fan type 7,
 * the default of R's `quantile` and Excel's PERCENTILE.INC); null for an empty list.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new AnalysisError('p', 'must be between 0 and 1');
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * p;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

/** Least-squares line y = intercept + slope·x; null with fewer than two distinct x values. */
export function leastSquares(x: readonly number[], y: readonly number[]): { intercept: number; slope: number } | null {
  if (x.length !== y.length) throw new AnalysisError('y', 'must have the same length as x');
  const meanX = mean(x);
  const meanY = mean(y);
  if (meanX === null || meanY === null) return null;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = (x[i] as number) - meanX;
    sxx += dx * dx;
    sxy += dx * ((y[i] as number) - meanY);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { intercept: meanY - slope * meanX, slope };
}

/** Pearson correlation; null when undefined (fewer than two pairs, or either variable constant). */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new AnalysisError('y', 'must have the same length as x');
  const meanX = mean(x);
  const meanY = mean(y);
  if (meanX === null || meanY === null || x.length < 2) return null;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = (x[i] as number) - meanX;
    const dy = (y[i] as number) - meanY;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Pearson correlation from sufficient statistics (sums), so pooled data need not be kept; null when undefined. */
export function pearsonFromSums(sums: { n: number; sumX: number; sumY: number; sumXX: number; sumYY: number; sumXY: number }): number | null {
  const { n, sumX, sumY, sumXX, sumYY, sumXY } = sums;
  if (n < 2) return null;
  const sxx = sumXX - (sumX * sumX) / n;
  const syy = sumYY - (sumY * sumY) / n;
  const sxy = sumXY - (sumX * sumY) / n;
  // Relative guard: a constant variable leaves only rounding noise in sxx or syy.
  if (sxx <= 1e-12 * Math.max(1, sumXX) || syy <= 1e-12 * Math.max(1, sumYY)) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

// Lanczos approximation of ln Γ(x) (g = 7, n = 9; Numerical Recipes / Godfrey), accurate to ~1e-15.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

// Continued fraction for the regularised incomplete beta function (Numerical Recipes 6.4, modified Lentz).
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

function regularisedIncompleteBeta(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df > 0). */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new AnalysisError('df', 'must be positive');
  const tail = 0.5 * regularisedIncompleteBeta(df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The p-quantile of Student's t with `df` degrees of freedom (0 < p < 1, df > 0): the CDF above
 * (regularised incomplete beta) inverted by bisection to 1e-12. tQuantile(0.975, 10) = 2.2281…
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new AnalysisError('p', 'must be strictly between 0 and 1');
  if (!(df > 0)) throw new AnalysisError('df', 'must be positive');
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let low = 0;
  let high = 1;
  while (studentTCdf(high, df) < p) high *= 2;
  for (let i = 0; i < 200 && high - low > 1e-12 * Math.max(1, high); i++) {
    const middle = (low + high) / 2;
    if (studentTCdf(middle, df) < p) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}
