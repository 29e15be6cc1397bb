import { describe, expect, it } from 'vitest';
import { auc, sensitivitySpecificity } from './validity';

describe('auc', () => {
  it.each([
    [[1, 2, 3, 4], [false, false, true, true], 1],
    [[1, 2, 3, 4], [true, true, false, false], 0],
    [[1, 1, 1, 1], [true, false, true, false], 0.5],
    // positives 3 and 2 vs negatives 1 and 2: pairs (3>1, 3>2, 2>1, 2=2 → ½) = 3.5 / 4
    [[3, 2, 1, 2], [true, true, false, false], 0.875],
  ])('scores %o against %o as %f', (scores, outcomes, expected) => {
    expect(auc(scores, outcomes).auc).toBeCloseTo(expected, 10);
  });

  it('is undefined without both outcomes', () => {
    expect(auc([1, 2], [true, true])).toEqual({ auc: null, positives: 2, negatives: 0 });
  });

  it('refuses lists of different lengths', () => {
    expect(() => auc([1, 2], [true])).toThrow(/same length/);
  });
});

describe('sensitivitySpecificity', () => {
  it('counts the confusion matrix and its rates', () => {
    const result = sensitivitySpecificity([true, true, false, false, true], [true, false, true, false, true]);
    expect(result).toEqual({
      truePositives: 2,
      falsePositives: 1,
      trueNegatives: 1,
      falseNegatives: 1,
      sensitivity: 2 / 3,
      specificity: 0.5,
      positivePredictiveValue: 2 / 3,
      negativePredictiveValue: 0.5,
    });
  });

  it('gives null for a rate with an empty denominator', () => {
    expect(sensitivitySpecificity([false], [false])).toMatchObject({ sensitivity: null, specificity: 1, positivePredictiveValue: null });
  });
});
