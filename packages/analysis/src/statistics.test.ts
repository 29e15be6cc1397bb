import { describe, expect, it } from 'vitest';
import { leastSquares, mean, pearson, pearsonFromSums, percentile, sampleSd, studentTCdf, tQuantile } from './statistics';

describe('tQuantile', () => {
  // Two-sided 95 % critical values from standard t tables.
  it.each([
    [1, 12.7062],
    [2, 4.3027],
    [3, 3.1824],
    [5, 2.5706],
    [10, 2.2281],
    [29, 2.0452],
    [30, 2.0423],
    [60, 2.0003],
    [120, 1.9799],
    [1e6, 1.96],
  ])('gives the 97.5th percentile with %d degrees of freedom as %f', (df, expected) => {
    expect(tQuantile(0.975, df)).toBeCloseTo(expected, 3);
  });

  it('is symmetric about zero', () => {
    expect(tQuantile(0.025, 7)).toBeCloseTo(-tQuantile(0.975, 7), 10);
    expect(tQuantile(0.5, 7)).toBe(0);
  });

  it('inverts the cumulative distribution', () => {
    for (const df of [1, 2.5, 4, 17, 250]) for (const p of [0.6, 0.9, 0.95, 0.99]) expect(studentTCdf(tQuantile(p, df), df)).toBeCloseTo(p, 9);
  });

  it('matches the closed form for one degree of freedom (Cauchy)', () => {
    expect(tQuantile(0.9, 1)).toBeCloseTo(Math.tan(Math.PI * 0.4), 8);
  });

  it.each([0, 1, -0.1, Number.NaN])('refuses probability %f', (p) => {
    expect(() => tQuantile(p, 5)).toThrow(/p:/);
  });
});

describe('descriptive statistics', () => {
  it('uses the n − 1 denominator for the standard deviation', () => {
    expect(sampleSd([38, 39, 38, 39])).toBeCloseTo(0.57735, 5);
    expect(sampleSd([5])).toBeNull();
    expect(mean([])).toBeNull();
  });

  it.each([
    [0, 1],
    [0.5, 2.5],
    [0.9, 3.7],
    [1, 4],
  ])('interpolates percentile %f of 1..4 as %f (type 7)', (p, expected) => {
    expect(percentile([4, 1, 3, 2], p)).toBeCloseTo(expected, 10);
  });

  it('fits a straight line exactly', () => {
    expect(leastSquares([1, 2, 3], [5, 7, 9])).toEqual({ intercept: 3, slope: 2 });
    expect(leastSquares([2, 2], [1, 3])).toBeNull();
  });

  it('returns null for a correlation that is undefined', () => {
    expect(pearson([1, 2, 3], [4, 4, 4])).toBeNull();
    expect(pearson([1], [2])).toBeNull();
    expect(pearson([1, 2, 3], [2, 4, 7])).toBeCloseTo(0.99339, 4);
  });

  it('computes the same correlation from sums as from the data', () => {
    const x = [10, 20, 35, 40, 55];
    const y = [12, 18, 40, 33, 60];
    const sums = { n: 5, sumX: 0, sumY: 0, sumXX: 0, sumYY: 0, sumXY: 0 };
    x.forEach((value, i) => {
      const other = y[i] as number;
      sums.sumX += value;
      sums.sumY += other;
      sums.sumXX += value * value;
      sums.sumYY += other * other;
      sums.sumXY += value * other;
    });
    expect(pearsonFromSums(sums)).toBeCloseTo(pearson(x, y) as number, 10);
  });
});
