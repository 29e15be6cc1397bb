import { describe, expect, it, test } from 'vitest';
import { clinicalSignificance, reliableChange } from './index';

describe('reliable change', () => {
  test.each([
    ['phq9', 15, 9, 'improved'],
    ['phq9', 15, 10, 'unchanged'],
    ['phq9', 10, 16, 'deteriorated'],
    ['phq9', 10, 15, 'unchanged'],
    ['gad7', 12, 8, 'improved'],
    ['gad7', 12, 9, 'unchanged'],
    ['gad7', 8, 12, 'deteriorated'],
    ['who5', 40, 50, 'improved'],
    ['who5', 40, 48, 'unchanged'],
    ['who5', 60, 50, 'deteriorated'],
    ['k10', 30, 23, 'improved'],
    ['pcl5', 40, 35, 'improved'],
  ])('%s from %d to %d is %s (published threshold, inclusive)', (instrumentId, before, after, direction) => {
    expect(reliableChange(instrumentId, before, after)).toMatchObject({ available: true, method: 'published', direction, change: after - before });
  });

  it('applies the PHQ-9 threshold of 6 to a prorated total without floating-point surprises', () => {
    expect(reliableChange('phq9', 17.25, 11.25).direction).toBe('improved');
  });

  test.each([
    [20, 13.26, 'unchanged'],
    [20, 13.2, 'improved'],
    [10, 16.8, 'deteriorated'],
  ])('CORE-10 from %d to %d is %s by Jacobson–Truax (|RC| > 1.96, 6.75 points)', (before, after, direction) => {
    expect(reliableChange('core10', before, after)).toMatchObject({ available: true, method: 'jacobson-truax', direction });
  });

  it('says reliable change is not available for an instrument without a threshold or norms', () => {
    expect(reliableChange('srs', 30, 38)).toMatchObject({ available: false, change: 8, direction: null, threshold: null });
  });

  it('rejects a score that is not a finite number', () => {
    expect(() => reliableChange('phq9', Number.NaN, 3)).toThrow(/before/);
  });
});

describe('clinical significance', () => {
  test.each([
    [22, 8, 'recovered'],
    [22, 12, 'improved'],
    [22, 18, 'unchanged'],
    [12, 20, 'deteriorated'],
    [10, 2, 'improved'],
  ])('CORE-10 from %d to %d is %s', (before, after, category) => {
    expect(clinicalSignificance('core10', before, after)).toMatchObject({ available: true, category, cutoff: { kind: 'c' } });
  });

  it('says it is not available where the fact sheet gives no norms, rather than inventing them', () => {
    const result = clinicalSignificance('phq9', 20, 5);
    expect(result.available).toBe(false);
    if (!result.available) expect(result.reason).toMatch(/norms/);
  });
});
