import { reliableChange } from '@rapport/instruments';

/**
 * Reliable deterioration of symptoms against the episode's first score (issue 5 item 2), using the
 * instruments library's reliable change: the published threshold, inclusive (facts.md B2: PHQ-9 ≥ 6,
 * GAD-7 ≥ 4), or Jacobson–Truax |RC| > 1.96 (facts.md B1), in the instrument's direction (a rise on
 * PHQ-9, a fall on WHO-5).
 */

/** `unavailable` when the instrument has no reliable-change threshold (e.g. the alliance check). */
export type DeteriorationStatus = 'deteriorated' | 'not_deteriorated' | 'unavailable';

export type ReliableDeteriorationResult = {
  readonly status: DeteriorationStatus;
  readonly instrumentId: string;
  readonly first: number;
  readonly latest: number;
  /** latest − first, in score points. */
  readonly change: number;
  /** The smallest reliable change in points; null when unavailable. */
  readonly threshold: number | null;
  readonly method: 'published' | 'jacobson-truax' | null;
  /** The Jacobson–Truax index, when that method applied. */
  readonly index: number | null;
  readonly reason: string | null;
};

/**
 * Whether `latest` is reliably worse than the episode's `first` score. Throws the instruments
 * library's `InstrumentError` for an unknown instrument or a non-finite score.
 */
export function reliableDeterioration(instrumentId: string, first: number, latest: number): ReliableDeteriorationResult {
  const result = reliableChange(instrumentId, first, latest);
  if (!result.available) {
    return { status: 'unavailable', instrumentId, first, latest, change: result.change, threshold: null, method: null, index: null, reason: result.reason };
  }
  return {
    status: result.direction === 'deteriorated' ? 'deteriorated' : 'not_deteriorated',
    instrumentId,
    first,
    latest,
    change: result.change,
    threshold: result.threshold,
    method: result.method,
    index: result.index,
    reason: null,
  };
}
