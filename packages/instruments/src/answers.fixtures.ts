import type { InstrumentDefinition, InstrumentItem } from './definition.schema';
import { getInstrument } from './index';

/**
 * Fixture factories for tests: answer maps built from a definition, so a test states the scores it
 * wants rather than raw option values.
 */

type Raw = Record<string, number | null>;

function scoredValue(item: InstrumentItem, raw: number): number {
  if (item.response.kind !== 'options') return raw;
  const values = item.response.options.map((option) => option.value);
  return item.reverse ? Math.min(...values) + Math.max(...values) - raw : raw;
}

/** The raw answer that scores `scored` on `item` (after any reversal), or undefined if none does. */
export function rawFor(item: InstrumentItem, scored: number): number | undefined {
  if (item.response.kind !== 'options') return scored;
  return item.response.options.map((option) => option.value).find((raw) => scoredValue(item, raw) === scored);
}

function scoredOptions(item: InstrumentItem): number[] {
  if (item.response.kind !== 'options') throw new Error('options only');
  return item.response.options.map((option) => scoredValue(item, option.value)).sort((a, b) => b - a);
}

/**
 * Answers every scored item of `itemIds` so that their scored values sum to `sum`, filling items in
 * order with the largest value that still fits. Other items of the instrument get their lowest
 * score unless `rest` says otherwise.
 */
export function answersSummingTo(instrumentId: string, sum: number, itemIds?: readonly string[], rest: Raw = {}): Raw {
  const definition: InstrumentDefinition = getInstrument(instrumentId);
  const targets = new Set(itemIds ?? definition.items.filter((item) => item.scored).map((item) => item.id));
  const answers: Raw = {};
  const chosen = definition.items.filter((item) => item.scored && targets.has(item.id));
  let remaining = sum - chosen.reduce((total, item) => total + Math.min(...scoredOptions(item)), 0);
  for (const item of definition.items) {
    if (!item.scored) continue;
    const minimum = Math.min(...scoredOptions(item));
    if (!targets.has(item.id)) {
      answers[item.id] = rest[item.id] !== undefined ? (rest[item.id] as number | null) : (rawFor(item, minimum) as number);
      continue;
    }
    const choice = scoredOptions(item).find((value) => value - minimum <= remaining) ?? minimum;
    answers[item.id] = rawFor(item, choice) as number;
    remaining -= choice - minimum;
  }
  if (Math.abs(remaining) > 1e-9) throw new Error(`${instrumentId}: cannot reach ${sum} (left ${remaining})`);
  return answers;
}

/** Every scored item at the same scored value. */
export function answersAll(instrumentId: string, scored: number): Raw {
  const answers: Raw = {};
  for (const item of getInstrument(instrumentId).items) if (item.scored) answers[item.id] = rawFor(item, scored) ?? null;
  return answers;
}
