import { describe, expect, it } from 'vitest';
import { gapTrend } from './gap-trend';

describe('gapTrend', () => {
  it('calls a gap that grows by 2 points a session widening, with its evidence', () => {
    const result = gapTrend([0, 2, 4, 6, 8, 10]);
    expect(result).toMatchObject({ label: 'widening', absoluteSlopePerSession: 2, signedSlopePerSession: 2, recentMeanAbsoluteGap: 8, earlierMeanAbsoluteGap: 2, meanChange: 6 });
    expect(result.thresholds).toEqual({ window: 6, slopePercentPerSession: 1, meanChangePercent: 5 });
  });

  it('calls a gap that shrinks towards zero narrowing', () => {
    expect(gapTrend([20, 16, 12, 8, 4, 0]).label).toBe('narrowing');
  });

  it('measures widening on the absolute gap, so a client moving further above the therapist also widens', () => {
    const result = gapTrend([-2, -4, -6, -8, -10, -12]);
    expect(result.label).toBe('widening');
    expect(result.signedSlopePerSession).toBe(-2);
  });

  it('looks only at the last six sessions', () => {
    expect(gapTrend([40, 40, 40, 0, 2, 4, 6, 8, 10]).gaps).toEqual([0, 2, 4, 6, 8, 10]);
    expect(gapTrend([40, 40, 40, 0, 2, 4, 6, 8, 10]).label).toBe('widening');
  });

  it.each([
    // slope 1 per session and mean change 3 × 1 = 3 < 5: stable
    [[0, 1, 2, 3, 4, 5], 'stable'],
    // mean change exactly 5 (earlier 0, recent 5) counts; just under it does not
    [[0, 0, 0, 5, 5, 5], 'widening'],
    [[0, 0, 0, 4.99, 4.99, 4.99], 'stable'],
    [[0, 0, 0, 6, 6, 6], 'widening'],
    [[6, 6, 6, 0, 0, 0], 'narrowing'],
    [[10, 10, 10, 10, 10, 10], 'stable'],
  ])('labels %o as %s', (series, expected) => {
    expect(gapTrend(series).label).toBe(expected);
  });

  it('widens exactly at both thresholds and not just below them', () => {
    // Thresholds set exactly to this series' slope and mean change.
    const series = [0, 0, 0, 4, 4, 4];
    const result = gapTrend(series);
    expect(result.absoluteSlopePerSession).toBeCloseTo(1.0285714, 6);
    expect(result.meanChange).toBe(4);
    expect(gapTrend(series, { meanChangeThresholdPercent: 4, slopeThresholdPercent: result.absoluteSlopePerSession as number }).label).toBe('widening');
    expect(gapTrend(series, { meanChangeThresholdPercent: 4.01 }).label).toBe('stable');
    expect(gapTrend(series, { meanChangeThresholdPercent: 4, slopeThresholdPercent: 1.03 }).label).toBe('stable');
  });

  it.each([[[]], [[5]], [[5, 6, 7]]])('says there is not enough data with fewer than four sessions (%o)', (series) => {
    expect(gapTrend(series).label).toBe('insufficient_data');
  });

  it('gives a slope from two sessions even when the label needs more', () => {
    expect(gapTrend([0, 10]).absoluteSlopePerSession).toBe(10);
  });

  it.each([[{ window: 3 }], [{ window: 4.5 }]])('refuses a window that cannot hold three recent and one earlier session (%o)', (options) => {
    expect(() => gapTrend([1, 2, 3, 4], options)).toThrow(/window/);
  });
});
