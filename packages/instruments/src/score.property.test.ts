import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rawFor } from './answers.fixtures';
import type { InstrumentItem } from './index';
import { getInstrument, listInstruments, loadContentPack, scoreResponse } from './index';

/** Property tests over every built-in instrument, 1,000 runs each. */

const RUNS = { numRuns: 1000 };
const ids = listInstruments().map((summary) => summary.id);

function rawValues(item: InstrumentItem): number[] {
  if (item.response.kind === 'options') return item.response.options.map((option) => option.value);
  const { min, max, step } = item.response;
  const count = Math.round((max - min) / step);
  return Array.from({ length: count + 1 }, (_, index) => Math.round((min + index * step) * 1e6) / 1e6);
}

function scored(item: InstrumentItem, raw: number): number {
  if (!item.reverse) return raw;
  const values = rawValues(item);
  return Math.min(...values) + Math.max(...values) - raw;
}

/** Any answer map of valid values, nulls and absent items for one instrument. */
function answersFor(instrumentId: string): fc.Arbitrary<Record<string, number | null>> {
  const model: Record<string, fc.Arbitrary<number | null>> = {};
  for (const item of getInstrument(instrumentId).items) {
    model[item.id] = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...rawValues(item)) }, { weight: 1, arbitrary: fc.constant(null) });
  }
  return fc.record(model, { requiredKeys: [] }) as fc.Arbitrary<Record<string, number | null>>;
}

const anyResponse = fc.constantFrom(...ids).chain((instrumentId) => answersFor(instrumentId).map((answers) => ({ instrumentId, answers })));

describe('scoring properties', () => {
  it('never throws on any map of valid values or nulls', () => {
    fc.assert(
      fc.property(anyResponse, ({ instrumentId, answers }) => {
        scoreResponse(instrumentId, answers);
      }),
      RUNS,
    );
  });

  it('keeps totals and subscale scores within their ranges', () => {
    fc.assert(
      fc.property(anyResponse, ({ instrumentId, answers }) => {
        const definition = getInstrument(instrumentId);
        const result = scoreResponse(instrumentId, answers);
        if (result.total !== null) {
          expect(result.total).toBeGreaterThanOrEqual(definition.range.min - 1e-9);
          expect(result.total).toBeLessThanOrEqual(definition.range.max + 1e-9);
          if (definition.bands.length > 0) expect(result.band).not.toBeNull();
        }
        for (const subscale of definition.scoring.subscales) {
          const score = result.subscales[subscale.id]?.score;
          if (score === null || score === undefined) continue;
          expect(score).toBeGreaterThanOrEqual(subscale.range.min);
          expect(score).toBeLessThanOrEqual(subscale.range.max);
        }
      }),
      RUNS,
    );
  });

  it('never lowers the total when one answer’s scored value rises (reverse items taken into account)', () => {
    const scenario = anyResponse.chain(({ instrumentId, answers }) => {
      const answeredScored = getInstrument(instrumentId).items.filter((item) => item.scored && typeof answers[item.id] === 'number');
      if (answeredScored.length === 0) return fc.constant(null);
      return fc.constantFrom(...answeredScored).chain((item) => {
        const current = scored(item, answers[item.id] as number);
        const higher = rawValues(item).map((raw) => scored(item, raw)).filter((value) => value > current);
        if (higher.length === 0) return fc.constant(null);
        return fc.constantFrom(...higher).map((value) => ({ instrumentId, answers, item, value }));
      });
    });
    fc.assert(
      fc.property(scenario, (case_) => {
        if (case_ === null) return;
        const { instrumentId, answers, item, value } = case_;
        const before = scoreResponse(instrumentId, answers);
        const after = scoreResponse(instrumentId, { ...answers, [item.id]: rawFor(item, value) ?? value });
        if (before.total === null) {
          expect(after.total).toBeNull();
          return;
        }
        expect(after.total).not.toBeNull();
        expect(after.total as number).toBeGreaterThanOrEqual(before.total);
      }),
      RUNS,
    );
  });

  it('sets a risk flag exactly when the risk condition holds, and risk-unanswered exactly when the item is unanswered', () => {
    const withRisk = ids.filter((id) => getInstrument(id).risk.length > 0);
    const responses = fc.constantFrom(...withRisk).chain((instrumentId) => answersFor(instrumentId).map((answers) => ({ instrumentId, answers })));
    fc.assert(
      fc.property(responses, ({ instrumentId, answers }) => {
        const definition = getInstrument(instrumentId);
        const result = scoreResponse(instrumentId, answers);
        for (const risk of definition.risk) {
          const item = definition.items.find((candidate) => candidate.id === risk.itemId) as InstrumentItem;
          const raw = answers[risk.itemId];
          const answered = typeof raw === 'number';
          const hit = answered && scored(item, raw) >= risk.threshold;
          expect(result.flags.some((flag) => flag.kind === 'risk' && flag.itemId === risk.itemId)).toBe(hit);
          expect(result.flags.some((flag) => flag.kind === 'risk-unanswered' && flag.itemId === risk.itemId)).toBe(!answered);
        }
      }),
      RUNS,
    );
  });

  it('applies bands to a prorated total exactly as to that total rounded half up', () => {
    const prorating = ids.filter((id) => getInstrument(id).scoring.missing.rule === 'prorate' && getInstrument(id).bands.length > 0);
    const responses = fc.constantFrom(...prorating).chain((instrumentId) => answersFor(instrumentId).map((answers) => ({ instrumentId, answers })));
    fc.assert(
      fc.property(responses, ({ instrumentId, answers }) => {
        const result = scoreResponse(instrumentId, answers);
        if (result.total === null) return;
        const rounded = Math.floor(result.total + 0.5);
        const band = getInstrument(instrumentId).bands.find((candidate) => rounded >= candidate.min && rounded <= candidate.max);
        expect(result.band?.id).toBe(band?.id);
      }),
      RUNS,
    );
  });

  it('names the unknown item in the error for any stray item id', () => {
    const stray = fc.tuple(anyResponse, fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/));
    fc.assert(
      fc.property(stray, ([{ instrumentId, answers }, key]) => {
        if (getInstrument(instrumentId).items.some((item) => item.id === key)) return;
        expect(() => scoreResponse(instrumentId, { ...answers, [key]: 0 })).toThrow(expect.objectContaining({ code: 'unknown_item', itemId: key }));
      }),
      RUNS,
    );
  });
});

describe('content pack properties', () => {
  it('refuses a pack with any wrong item id, naming that item', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/), (wrongId) => {
        if (/^wai_sr_([1-9]|1[0-2])$/.test(wrongId)) return;
        const items: Record<string, { text: Record<string, string> }> = {};
        for (let number = 1; number <= 12; number++) items[`wai_sr_${number}`] = { text: { en: `Wording ${number}` } };
        items[wrongId] = { text: { en: 'Stray' } };
        const pack = {
          format: 'rapport-content-pack',
          instrumentId: 'wai_sr',
          licence: { holder: 'Clinic', reference: 'ref' },
          languages: ['en'],
          items: Object.fromEntries(
            Object.entries(items).map(([id, wording]) => [
              id,
              { ...wording, options: id === wrongId ? undefined : { '1': { en: 'a' }, '2': { en: 'b' }, '3': { en: 'c' }, '4': { en: 'd' }, '5': { en: 'e' } } },
            ]),
          ),
        };
        expect(() => loadContentPack(pack)).toThrow(`content pack for wai_sr: unknown item ${wrongId}`);
      }),
      RUNS,
    );
  });
});
