import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calibrationReport, pooledCalibration } from './calibration';
import type { CalibrationPair } from './calibration';
import { pearson } from './statistics';

const pair = (month: string, clientPercent: number, therapistPercent: number): CalibrationPair => ({ month, clientPercent, therapistPercent });

describe('calibrationReport', () => {
  const pairs = [pair('2026-03', 50, 60), pair('2026-01', 40, 60), pair('2026-01', 30, 60)];
  const report = calibrationReport(pairs);

  it('gives the mean gap (therapist − client) with a 95 % t interval', () => {
    expect(report.overall).toMatchObject({ n: 3, meanGap: 20, sdGap: 10 });
    const interval = report.overall.confidenceInterval;
    expect(interval?.degreesOfFreedom).toBe(2);
    expect(interval?.tCritical).toBeCloseTo(4.3027, 4);
    expect(interval?.lower).toBeCloseTo(20 - (4.302653 * 10) / Math.sqrt(3), 4);
    expect(interval?.upper).toBeCloseTo(20 + (4.302653 * 10) / Math.sqrt(3), 4);
  });

  it('counts sessions where the therapist rated more than the threshold above the client (exactly 10 does not count)', () => {
    expect(report.overall.therapistAboveCount).toBe(2);
    expect(report.overall.therapistAboveShare).toBeCloseTo(2 / 3, 10);
    expect(calibrationReport(pairs, { thresholdPercent: 25 }).overall.therapistAboveCount).toBe(1);
  });

  it('correlates the two ratings, and says null when one is constant', () => {
    expect(report.overall.correlation).toBeNull();
    const varied = [pair('2026-01', 20, 30), pair('2026-01', 50, 45), pair('2026-01', 80, 90), pair('2026-01', 60, 50)];
    expect(calibrationReport(varied).overall.correlation).toBeCloseTo(pearson([20, 50, 80, 60], [30, 45, 90, 50]) as number, 10);
  });

  it('groups by month in ascending order', () => {
    expect(report.byMonth.map((month) => [month.month, month.n, month.meanGap])).toEqual([
      ['2026-01', 2, 25],
      ['2026-03', 1, 10],
    ]);
  });

  it('gives no interval, SD or correlation for a single session, and nothing for none', () => {
    expect(report.byMonth[1]).toMatchObject({ n: 1, meanGap: 10, sdGap: null, confidenceInterval: null, correlation: null });
    expect(calibrationReport([]).overall).toMatchObject({ n: 0, meanGap: null, therapistAboveShare: null, confidenceInterval: null });
  });

  it('gives a zero-width interval for a perfectly constant gap', () => {
    const interval = calibrationReport([pair('2026-01', 10, 20), pair('2026-01', 30, 40), pair('2026-01', 70, 80)]).overall.confidenceInterval;
    expect(interval?.lower).toBeCloseTo(10, 6);
    expect(interval?.upper).toBeCloseTo(10, 6);
  });

  it.each([
    [pair('2026-13', 10, 20), /month/],
    [pair('26-01', 10, 20), /month/],
    [pair('2026-01', 101, 20), /clientPercent/],
    [pair('2026-01', 10, Number.NaN), /therapistPercent/],
  ])('refuses %o', (bad, message) => {
    expect(() => calibrationReport([bad])).toThrow(message);
  });
});

describe('pooledCalibration', () => {
  const therapist = (offset: number, months: readonly string[] = ['2026-01', '2026-02']) =>
    calibrationReport(months.map((month, i) => pair(month, 40 + i * 10, 40 + i * 10 + offset)));

  it('returns nothing unless at least five therapists contribute', () => {
    expect(pooledCalibration([therapist(1), therapist(2), therapist(3), therapist(4)])).toBeNull();
    expect(pooledCalibration([therapist(1), therapist(2), therapist(3), therapist(4), calibrationReport([])])).toBeNull();
    expect(pooledCalibration([therapist(1), therapist(2), therapist(3), therapist(4), therapist(5)])?.therapists).toBe(5);
  });

  it('pools every session with equal weight', () => {
    const pooled = pooledCalibration([therapist(0), therapist(10), therapist(20), therapist(30), therapist(-10)]);
    expect(pooled?.overall.n).toBe(10);
    expect(pooled?.overall.meanGap).toBeCloseTo(10, 10);
    expect(pooled?.overall.therapistAboveCount).toBe(4);
  });

  it('shows a month only when five therapists contributed to it', () => {
    const reports = [therapist(0), therapist(1), therapist(2), therapist(3), therapist(4, ['2026-01', '2026-03'])];
    expect(pooledCalibration(reports)?.byMonth.map((month) => month.month)).toEqual(['2026-01']);
  });

  it('honours a configured minimum and refuses mixed thresholds', () => {
    expect(pooledCalibration([therapist(1), therapist(2)], 2)?.therapists).toBe(2);
    const other = calibrationReport([pair('2026-01', 10, 20)], { thresholdPercent: 5 });
    expect(() => pooledCalibration([therapist(1), other], 2)).toThrow(/different thresholds/);
  });

  it('gives the same figures as one report over everyone’s sessions', () => {
    const percent = fc.integer({ min: 0, max: 100 });
    const sessions = fc.array(fc.record({ month: fc.constantFrom('2026-01', '2026-02'), clientPercent: percent, therapistPercent: percent }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(fc.array(sessions, { minLength: 5, maxLength: 8 }), (perTherapist) => {
        const pooled = pooledCalibration(perTherapist.map((pairs) => calibrationReport(pairs)));
        const together = calibrationReport(perTherapist.flat());
        expect(pooled?.overall.n).toBe(together.overall.n);
        expect(pooled?.overall.meanGap).toBeCloseTo(together.overall.meanGap as number, 8);
        expect(pooled?.overall.therapistAboveCount).toBe(together.overall.therapistAboveCount);
      }),
      { numRuns: 1000 },
    );
  });
});
