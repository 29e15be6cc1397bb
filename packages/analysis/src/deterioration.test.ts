import { describe, expect, it } from 'vitest';
import { reliableDeterioration } from './deterioration';

describe('reliableDeterioration', () => {
  it.each([
    // facts.md B2: PHQ-9 rise of 6 or more (inclusive); §C vector 5: 10 → 16
    ['phq9', 10, 16, 'deteriorated'],
    ['phq9', 10, 15, 'not_deteriorated'],
    ['phq9', 16, 10, 'not_deteriorated'],
    // GAD-7 rise of 4 or more
    ['gad7', 8, 12, 'deteriorated'],
    ['gad7', 8, 11, 'not_deteriorated'],
    // CORE-10 Jacobson–Truax: minimum reliable change 6.75 (facts.md B1 worked check)
    ['core10', 10, 16.8, 'deteriorated'],
    ['core10', 10, 16.7, 'not_deteriorated'],
    // WHO-5: higher is better, so a fall of 10 is deterioration
    ['who5', 60, 50, 'deteriorated'],
    ['who5', 60, 70, 'not_deteriorated'],
  ])('%s from %f to %f is %s', (instrumentId, first, latest, status) => {
    expect(reliableDeterioration(instrumentId, first, latest).status).toBe(status);
  });

  it('returns the threshold and method as evidence', () => {
    expect(reliableDeterioration('phq9', 10, 16)).toEqual({
      status: 'deteriorated',
      instrumentId: 'phq9',
      first: 10,
      latest: 16,
      change: 6,
      threshold: 6,
      method: 'published',
      index: null,
      reason: null,
    });
  });

  it('says it cannot judge an instrument without a reliable-change threshold', () => {
    const result = reliableDeterioration('rapport_alliance', 30, 10);
    expect(result.status).toBe('unavailable');
    expect(result.reason).toMatch(/no published reliable-change threshold/);
  });
});
