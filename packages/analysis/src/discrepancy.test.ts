import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alliancePair, DEFAULT_THERAPIST_ABOVE_THRESHOLD_PERCENT, discrepancy, gapDirection, isTherapistAboveAlert } from './discrepancy';

const rapport = { clientInstrumentId: 'rapport_alliance', therapistInstrumentId: 'rapport_alliance_therapist' };
const arm5 = { clientInstrumentId: 'arm5', therapistInstrumentId: 'arm5_t' };

describe('discrepancy', () => {
  it('puts therapist − client on percent of the scale range and shows it both ways', () => {
    const result = discrepancy({ total: 30 }, { total: 36 }, rapport);
    expect(result.clientPercent).toBe(75);
    expect(result.therapistPercent).toBe(90);
    expect(result.gapPercent).toBe(15);
    expect(result.clientMinusTherapistPercent).toBe(-15);
    expect(result.absoluteGapPercent).toBe(15);
    expect(result.direction).toBe('therapist_above');
    expect(result.therapistAboveAlert).toEqual({ alert: true, thresholdPercent: 10 });
  });

  it('reports a client above the therapist without alerting', () => {
    const result = discrepancy({ total: 38 }, { total: 20 }, rapport);
    expect(result.direction).toBe('client_above');
    expect(result.gapPercent).toBe(-45);
    expect(result.therapistAboveAlert.alert).toBe(false);
  });

  it('uses the mean scale of ARM-5 (1–7) as its range', () => {
    const result = discrepancy({ total: 4 }, { total: 5.5 }, arm5);
    expect(result.clientPercent).toBe(50);
    expect(result.therapistPercent).toBe(75);
    expect(result.gapPercent).toBe(25);
  });

  it('compares parallel items one by one, reversing reverse-scored items first', () => {
    const result = discrepancy(
      { total: 4, answers: { arm5_1: 4, arm5_2: 4, arm5_3: 2, arm5_4: 4, arm5_5: 4 } },
      { total: 4, answers: { arm5_t_1: 7, arm5_t_2: 4, arm5_t_3: 6, arm5_t_4: null, arm5_t_5: 1 } },
      arm5,
    );
    expect(result.items.map((item) => [item.clientItemId, item.therapistItemId, item.gapPercent, item.direction])).toEqual([
      ['arm5_1', 'arm5_t_1', 50, 'therapist_above'],
      ['arm5_2', 'arm5_t_2', 0, 'equal'],
      // item 3 is reversed: client raw 2 → 6 (83.3 %), therapist raw 6 → 2 (16.7 %)
      ['arm5_3', 'arm5_t_3', expect.closeTo(-66.667, 2), 'client_above'],
      ['arm5_4', 'arm5_t_4', null, null],
      ['arm5_5', 'arm5_t_5', -50, 'client_above'],
    ]);
  });

  it('maps the Rapport alliance check items through the parallel-form mapping', () => {
    const client = { rapport_alliance_goals: 8, rapport_alliance_tasks: 7, rapport_alliance_bond: 9, rapport_alliance_overall: 8 };
    const therapist = { rapport_alliance_therapist_goals: 9, rapport_alliance_therapist_tasks: 7, rapport_alliance_therapist_bond: 10, rapport_alliance_therapist_overall: 6 };
    const result = discrepancy({ total: 32, answers: client }, { total: 32, answers: therapist }, rapport);
    expect(result.items.map((item) => item.gapPercent)).toEqual([10, 0, 10, -20]);
    expect(result.direction).toBe('equal');
  });

  it('finds the therapist form from the client form', () => {
    expect(alliancePair('wai_sr')).toEqual({ clientInstrumentId: 'wai_sr', therapistInstrumentId: 'wai_sr_t' });
    expect(() => alliancePair('srs')).toThrow(/no parallel therapist form/);
  });

  it.each([
    [{ clientInstrumentId: 'wai_sr', therapistInstrumentId: 'arm5_t' }, /not the parallel form/],
    [{ clientInstrumentId: 'rapport_alliance_therapist', therapistInstrumentId: 'rapport_alliance' }, /must be the client form/],
  ])('refuses a pair that is not a client form and its therapist form (%o)', (pair, message) => {
    expect(() => discrepancy({ total: 30 }, { total: 30 }, pair)).toThrow(message);
  });

  it.each([
    [{ total: 41 }, { total: 30 }, /client.total/],
    [{ total: 30 }, { total: Number.NaN }, /therapist.total/],
    [{ total: 30, answers: { rapport_alliance_goals: 11 } }, { total: 30 }, /client.answers.rapport_alliance_goals/],
  ])('refuses a score outside its range (%o, %o)', (client, therapist, message) => {
    expect(() => discrepancy(client, therapist, rapport)).toThrow(message);
  });
});

describe('isTherapistAboveAlert', () => {
  it('defaults to 10 % of the range', () => {
    expect(DEFAULT_THERAPIST_ABOVE_THRESHOLD_PERCENT).toBe(10);
  });

  it.each([
    [10.01, 10, true],
    [10, 10, false],
    [9.99, 10, false],
    [-50, 10, false],
    [5.5, 5, true],
    [5, 5, false],
    [0.1, 0, true],
    [0, 0, false],
  ])('with gap %f and threshold %f alerts: %s', (gap, threshold, expected) => {
    expect(isTherapistAboveAlert(gap, threshold)).toBe(expected);
  });

  it('does not alert when the therapist sits exactly 4 points (10 %) above on a 0–40 scale', () => {
    expect(discrepancy({ total: 30 }, { total: 34 }, rapport).therapistAboveAlert.alert).toBe(false);
    expect(discrepancy({ total: 30 }, { total: 34.1 }, rapport).therapistAboveAlert.alert).toBe(true);
  });

  it('refuses a negative threshold', () => {
    expect(() => isTherapistAboveAlert(5, -1)).toThrow(/thresholdPercent/);
  });
});

describe('discrepancy properties', () => {
  const scores = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }));

  it('is antisymmetric: swapping the two scores negates the gap and flips the direction', () => {
    fc.assert(
      fc.property(scores, ([a, b]) => {
        const forward = discrepancy({ total: a }, { total: b }, rapport);
        const backward = discrepancy({ total: b }, { total: a }, rapport);
        expect(forward.gapPercent).toBeCloseTo(-backward.gapPercent, 10);
        expect(gapDirection(-forward.gapPercent)).toBe(backward.direction);
      }),
      { numRuns: 1000 },
    );
  });

  it('stays within ±100 percentage points and matches the points difference scaled to the range', () => {
    fc.assert(
      fc.property(scores, ([client, therapist]) => {
        const result = discrepancy({ total: client }, { total: therapist }, rapport);
        expect(Math.abs(result.gapPercent)).toBeLessThanOrEqual(100);
        expect(result.gapPercent).toBeCloseTo(((therapist - client) / 40) * 100, 10);
      }),
      { numRuns: 1000 },
    );
  });

  it('never alerts when the client rates at least as high as the therapist', () => {
    fc.assert(
      fc.property(scores, fc.double({ min: 0, max: 100, noNaN: true }), ([a, b], threshold) => {
        const result = discrepancy({ total: Math.max(a, b) }, { total: Math.min(a, b) }, rapport, { thresholdPercent: threshold });
        expect(result.therapistAboveAlert.alert).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('alerts exactly when the gap exceeds the threshold', () => {
    fc.assert(
      fc.property(scores, fc.integer({ min: 0, max: 50 }), ([client, therapist], threshold) => {
        const result = discrepancy({ total: client }, { total: therapist }, rapport, { thresholdPercent: threshold });
        expect(result.therapistAboveAlert.alert).toBe((therapist - client) * 2.5 > threshold);
      }),
      { numRuns: 1000 },
    );
  });
});
