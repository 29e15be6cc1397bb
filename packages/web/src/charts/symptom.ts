import type { Trajectory } from '../api/types';
import { BAND_FILLS, fillBetween, fillRect, horizontalLine, marker, type ChartSpec } from './spec';

export type SymptomLabels = { session: string; score: string; expected: string; expectedUpper: string };

/**
 * A symptom measure over sessions: severity bands shaded, the caseness line, the expected-trajectory
 * band (from the expected value to its tolerance bound), and reliable-change markers against the
 * first score (▲ deterioration, ▼ improvement, for a higher-is-worse measure; reversed otherwise).
 */
export function symptomSpec(tr: Trajectory, labels: SymptomLabels): ChartSpec {
  const x = tr.points.map((p) => p.sessionNumber);
  const scores = tr.points.map((p) => p.score);
  const expected = tr.points.map((p) => p.expected?.expected ?? null);
  const upper = tr.points.map((p) => p.expected?.upperBound ?? null);
  const lower = tr.points.map((p) => p.expected?.lowerBound ?? p.expected?.expected ?? null);
  const higherIsWorse = tr.direction !== 'higher-is-better';
  return {
    id: `symptom-${tr.instrumentId}`,
    xLabel: labels.session,
    yLabel: labels.score,
    yMin: tr.range.min,
    yMax: tr.range.max,
    x,
    series: [
      { label: labels.score, colour: '#1f4e79', values: scores },
      { label: labels.expected, colour: '#6b6b6b', dash: [4, 4], values: expected },
    ],
    underlay: (ctx, g) => {
      const sorted = [...tr.bands].sort((a, b) => a.min - b.min);
      sorted.forEach((b, i) => fillRect(ctx, g, b.min, Math.min(b.max + (i + 1 < sorted.length ? 1 : 0), tr.range.max), BAND_FILLS[i % BAND_FILLS.length]!));
      fillBetween(ctx, g, x, lower, upper, 'rgba(120, 120, 120, 0.18)');
      if (tr.caseness) horizontalLine(ctx, g, tr.caseness.value, '#8a1c1c');
    },
    overlay: (ctx, g) => {
      for (const p of tr.points) {
        const rc = p.reliableChange?.direction;
        if (rc === 'deteriorated') marker(ctx, g, p.sessionNumber, p.score, higherIsWorse ? 'up' : 'down', '#c0392b');
        if (rc === 'improved') marker(ctx, g, p.sessionNumber, p.score, higherIsWorse ? 'down' : 'up', '#1e8449');
      }
    },
  };
}
