import { getInstrument, getParallelForm } from '@rapport/instruments';
import type { InstrumentDefinition, InstrumentItem } from '@rapport/instruments';
import { AnalysisError, EPSILON, percentOfRange, requireFinite } from './errors';
import type { ScaleRange } from './errors';

/**
 * Client–therapist discrepancy on a parallel alliance measure (facts.md B4, design.md §2).
 * Every gap is therapist − client in percent of the scale range, so forms with different ranges
 * (or item and total level) share one metric. Positive: the therapist rated the alliance higher.
 */

/**
 * Default alert threshold: the therapist above the client by more than 10 % of the scale range
 * (4 points on the 0–40 SRS or Rapport check, 4.8 on the 12–60 WAI-SR, 0.6 on the 1–7 ARM-5).
 * Why: clients typically rate the alliance higher than therapists do (facts.md B4 [S src:sinclair-thesis;
 * S src:goodtherapy-manne]; d = −.46 in severe populations [V src:igra2020]), so a therapist above
 * the client is the unusual, worrying direction (design.md §2). 10 % of the range is the same
 * yardstick facts.md B4 uses for a meaningful drop with little history [V src:bmc-crisis-repair,
 * derived rule]. The evidence is mixed (Sinclair found the difference did not predict outcome), so
 * the clinic can change it; it is a derived default, not a validated cut-off.
 */
export const DEFAULT_THERAPIST_ABOVE_THRESHOLD_PERCENT = 10;

/** Which way a gap runs; `equal` only when the two percentages agree to floating-point precision. */
export type GapDirection = 'therapist_above' | 'client_above' | 'equal';

/** The two forms compared: the client form and its parallel therapist form (e.g. `srs` has none; `wai_sr` ↔ `wai_sr_t`). */
export type InstrumentPair = { readonly clientInstrumentId: string; readonly therapistInstrumentId: string };

/** One rating: the form's total and, for item-level comparison, its raw answers by item id (as stored, before reversal). */
export type AllianceRating = { readonly total: number; readonly answers?: Readonly<Record<string, number | null>> };

export type ItemGap = {
  readonly clientItemId: string;
  readonly therapistItemId: string;
  /** Scored item values (reverse-scored items reversed) in percent of the item's range; null when unanswered. */
  readonly clientPercent: number | null;
  readonly therapistPercent: number | null;
  /** therapist − client in percentage points of the item range; null when either is unanswered. */
  readonly gapPercent: number | null;
  readonly direction: GapDirection | null;
};

export type DiscrepancyResult = {
  readonly pair: InstrumentPair;
  readonly clientScore: number;
  readonly therapistScore: number;
  readonly clientRange: ScaleRange;
  readonly therapistRange: ScaleRange;
  readonly clientPercent: number;
  readonly therapistPercent: number;
  /** therapist − client, in percentage points of the scale range. */
  readonly gapPercent: number;
  /** client − therapist, the same gap the other way round (for the client-above view). */
  readonly clientMinusTherapistPercent: number;
  readonly absoluteGapPercent: number;
  readonly direction: GapDirection;
  /** Parallel items in the client form's order; empty when no answers were given. */
  readonly items: readonly ItemGap[];
  /** The directional alert with the threshold it used. */
  readonly therapistAboveAlert: { readonly alert: boolean; readonly thresholdPercent: number };
};

export type DiscrepancyOptions = { readonly thresholdPercent?: number };

/** `therapist_above` when the gap (therapist − client) is positive, `client_above` when negative, else `equal`. */
export function gapDirection(gapPercent: number): GapDirection {
  if (gapPercent > EPSILON) return 'therapist_above';
  if (gapPercent < -EPSILON) return 'client_above';
  return 'equal';
}

/**
 * The directional discrepancy alert: true only when the therapist rated the alliance higher than the
 * client by MORE than `thresholdPercent` percentage points of the range (exactly at the threshold does
 * not alert). A client above the therapist never alerts, however large the gap.
 */
export function isTherapistAboveAlert(gapPercent: number, thresholdPercent: number = DEFAULT_THERAPIST_ABOVE_THRESHOLD_PERCENT): boolean {
  requireFinite('gapPercent', gapPercent);
  requireFinite('thresholdPercent', thresholdPercent);
  if (thresholdPercent < 0) throw new AnalysisError('thresholdPercent', 'must not be negative');
  return gapPercent > thresholdPercent + EPSILON;
}

/** The pair for a client form, read from its parallel-form mapping; throws when the form has no therapist form. */
export function alliancePair(clientInstrumentId: string): InstrumentPair {
  const parallel = getParallelForm(clientInstrumentId);
  if (!parallel) throw new AnalysisError('clientInstrumentId', `${clientInstrumentId} has no parallel therapist form`);
  return { clientInstrumentId, therapistInstrumentId: parallel.instrumentId };
}

function strengthPercent(definition: InstrumentDefinition, score: number, range: ScaleRange): number {
  // A common metric oriented so that a higher percentage is always a stronger alliance.
  const percent = percentOfRange(score, range);
  return definition.direction === 'higher-is-better' ? percent : 100 - percent;
}

function itemRange(item: InstrumentItem): ScaleRange {
  if (item.response.kind === 'visual-analogue') return { min: item.response.min, max: item.response.max };
  const values = item.response.options.map((option) => option.value);
  return { min: Math.min(...values), max: Math.max(...values) };
}

function itemPercent(definition: InstrumentDefinition, item: InstrumentItem, raw: number | null | undefined, argument: string): number | null {
  if (raw === null || raw === undefined) return null;
  requireFinite(argument, raw);
  const range = itemRange(item);
  if (raw < range.min - EPSILON || raw > range.max + EPSILON) throw new AnalysisError(argument, `must be within ${range.min}–${range.max}`);
  // Reverse scoring as the instruments engine does it: scored = min + max − raw.
  const scored = item.reverse ? range.min + range.max - raw : raw;
  return strengthPercent(definition, scored, range);
}

function checkPair(pair: InstrumentPair): { client: InstrumentDefinition; therapist: InstrumentDefinition; items: Record<string, string> } {
  const client = getInstrument(pair.clientInstrumentId);
  const therapist = getInstrument(pair.therapistInstrumentId);
  const mapping = client.parallelForm;
  if (!mapping || mapping.instrumentId !== therapist.id) {
    throw new AnalysisError('pair', `${therapist.id} is not the parallel form of ${client.id}`);
  }
  if (client.respondent !== 'client' || therapist.respondent !== 'clinician') {
    throw new AnalysisError('pair', `${client.id} must be the client form and ${therapist.id} the therapist form`);
  }
  return { client, therapist, items: mapping.items };
}

function checkScore(argument: string, score: number, range: ScaleRange): void {
  requireFinite(argument, score);
  if (score < range.min - EPSILON || score > range.max + EPSILON) throw new AnalysisError(argument, `must be within ${range.min}–${range.max}`);
}

/**
 * Therapist − client for one session, on the total (percent of each form's range) and item by item
 * for the parallel items (using the instruments' parallel-form mapping; reverse-scored items are
 * reversed first). Shown both ways: `gapPercent` (therapist − client) and `clientMinusTherapistPercent`.
 * The directional alert uses `options.thresholdPercent` (default 10, see
 * `DEFAULT_THERAPIST_ABOVE_THRESHOLD_PERCENT`). Throws `AnalysisError` for a pair that is not parallel
 * or a score outside its range.
 */
export function discrepancy(client: AllianceRating, therapist: AllianceRating, pair: InstrumentPair, options: DiscrepancyOptions = {}): DiscrepancyResult {
  const forms = checkPair(pair);
  const thresholdPercent = options.thresholdPercent ?? DEFAULT_THERAPIST_ABOVE_THRESHOLD_PERCENT;
  checkScore('client.total', client.total, forms.client.range);
  checkScore('therapist.total', therapist.total, forms.therapist.range);
  const clientPercent = strengthPercent(forms.client, client.total, forms.client.range);
  const therapistPercent = strengthPercent(forms.therapist, therapist.total, forms.therapist.range);
  const gapPercent = therapistPercent - clientPercent;

  const items: ItemGap[] = [];
  if (client.answers || therapist.answers) {
    const therapistItems = new Map(forms.therapist.items.map((item) => [item.id, item]));
    for (const clientItem of forms.client.items) {
      const therapistItemId = forms.items[clientItem.id];
      const therapistItem = therapistItemId ? therapistItems.get(therapistItemId) : undefined;
      if (!therapistItemId || !therapistItem || !clientItem.scored) continue;
      const clientItemPercent = itemPercent(forms.client, clientItem, client.answers?.[clientItem.id], `client.answers.${clientItem.id}`);
      const therapistItemPercent = itemPercent(forms.therapist, therapistItem, therapist.answers?.[therapistItemId], `therapist.answers.${therapistItemId}`);
      const itemGap = clientItemPercent === null || therapistItemPercent === null ? null : therapistItemPercent - clientItemPercent;
      items.push({
        clientItemId: clientItem.id,
        therapistItemId,
        clientPercent: clientItemPercent,
        therapistPercent: therapistItemPercent,
        gapPercent: itemGap,
        direction: itemGap === null ? null : gapDirection(itemGap),
      });
    }
  }

  return {
    pair,
    clientScore: client.total,
    therapistScore: therapist.total,
    clientRange: forms.client.range,
    therapistRange: forms.therapist.range,
    clientPercent,
    therapistPercent,
    gapPercent,
    clientMinusTherapistPercent: -gapPercent,
    absoluteGapPercent: Math.abs(gapPercent),
    direction: gapDirection(gapPercent),
    items,
    therapistAboveAlert: { alert: isTherapistAboveAlert(gapPercent, thresholdPercent), thresholdPercent },
  };
}
