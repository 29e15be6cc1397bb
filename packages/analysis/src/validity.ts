import { AnalysisError, requireFinite } from './errors';

/**
 * Helpers for the validity report (issue 5, "How good it must be"): how well a score predicted an
 * outcome (AUC) and how well an alert did (sensitivity, specificity). Applied to the synthetic demo
 * cohort they check the implementation, not clinical validity; on an organisation's own closed
 * episodes (at least 50, issue 5) they are its local evidence.
 */

export type AucResult = {
  /** P(score of a random positive > score of a random negative), ties counting ½; null without both classes. */
  readonly auc: number | null;
  readonly positives: number;
  readonly negatives: number;
};

/**
 * The area under the ROC curve via the Mann–Whitney U statistic with mid-ranks for ties. `outcomes[i]`
 * is true when case i had the outcome (e.g. dropped out); higher scores should mean more risk.
 */
export function auc(scores: readonly number[], outcomes: readonly boolean[]): AucResult {
  if (scores.length !== outcomes.length) throw new AnalysisError('outcomes', 'must have the same length as scores');
  scores.forEach((score, index) => requireFinite(`scores[${index}]`, score));
  const order = scores.map((score, index) => ({ score, positive: outcomes[index] === true })).sort((a, b) => a.score - b.score);
  let positives = 0;
  let rankSumPositives = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && (order[end + 1] as { score: number }).score === (order[start] as { score: number }).score) end++;
    const midRank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) {
      if ((order[i] as { positive: boolean }).positive) {
        positives++;
        rankSumPositives += midRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return { auc: null, positives, negatives };
  const u = rankSumPositives - (positives * (positives + 1)) / 2;
  return { auc: u / (positives * negatives), positives, negatives };
}

export type ConfusionResult = {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly trueNegatives: number;
  readonly falseNegatives: number;
  /** TP / (TP + FN); null without positive outcomes. */
  readonly sensitivity: number | null;
  /** TN / (TN + FP); null without negative outcomes. */
  readonly specificity: number | null;
  /** TP / (TP + FP); null without positive predictions. */
  readonly positivePredictiveValue: number | null;
  /** TN / (TN + FN); null without negative predictions. */
  readonly negativePredictiveValue: number | null;
};

/** Sensitivity, specificity and predictive values of a yes/no prediction (an alert) against what happened. */
export function sensitivitySpecificity(predictions: readonly boolean[], outcomes: readonly boolean[]): ConfusionResult {
  if (predictions.length !== outcomes.length) throw new AnalysisError('outcomes', 'must have the same length as predictions');
  let truePositives = 0;
  let falsePositives = 0;
  let trueNegatives = 0;
  let falseNegatives = 0;
  predictions.forEach((predicted, index) => {
    const actual = outcomes[index] === true;
    if (predicted && actual) truePositives++;
    else if (predicted) falsePositives++;
    else if (actual) falseNegatives++;
    else trueNegatives++;
  });
  const ratio = (numerator: number, denominator: number) => (denominator === 0 ? null : numerator / denominator);
  return {
    truePositives,
    falsePositives,
    trueNegatives,
    falseNegatives,
    sensitivity: ratio(truePositives, truePositives + falseNegatives),
    specificity: ratio(trueNegatives, trueNegatives + falsePositives),
    positivePredictiveValue: ratio(truePositives, truePositives + falsePositives),
    negativePredictiveValue: ratio(trueNegatives, trueNegatives + falseNegatives),
  };
}
