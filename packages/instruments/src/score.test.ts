import { describe, expect, it, test } from 'vitest';
import { answersAll } from './answers.fixtures';
import { getInstrument, InstrumentError, scoreResponse } from './index';

function thrown(action: () => unknown): InstrumentError {
  try {
    action();
  } catch (error) {
    if (error instanceof InstrumentError) return error;
    throw error;
  }
  throw new Error('expected an InstrumentError');
}

describe('invalid answers', () => {
  test.each([
    ['phq9', 'phq9_3', 4],
    ['phq9', 'phq9_3', -1],
    ['phq9', 'phq9_3', 1.5],
    ['phq9', 'phq9_3', Number.NaN],
    ['phq9', 'phq9_3', '2'],
    ['phq9', 'phq9_difficulty', 4],
    ['audit', 'audit_9', 1],
    ['audit', 'audit_10', 3],
    ['k10', 'k10_1', 0],
    ['who5', 'who5_2', 6],
    ['dast10', 'dast10_3', 2],
    ['srs', 'srs_1', 10.5],
    ['srs', 'srs_1', 3.33],
  ])('%s rejects %s = %s with invalid_answer naming the item', (instrumentId, itemId, value) => {
    const answers: Record<string, unknown> = { ...answersAll(instrumentId, instrumentId === 'k10' ? 1 : 0), [itemId]: value };
    if (instrumentId === 'srs') Object.assign(answers, { srs_2: 5, srs_3: 5, srs_4: 5 });
    const error = thrown(() => scoreResponse(instrumentId, answers as Record<string, number>));
    expect(error.code).toBe('invalid_answer');
    expect(error.itemId).toBe(itemId);
    expect(error.instrumentId).toBe(instrumentId);
    expect(error.message).toContain(itemId);
  });

  it('rejects an unknown item id with unknown_item naming it, even beside a complete form', () => {
    const error = thrown(() => scoreResponse('phq9', { ...answersAll('phq9', 1), phq9_10: 1 }));
    expect(error).toMatchObject({ code: 'unknown_item', itemId: 'phq9_10' });
    expect(error.message).toBe('phq9: unknown item phq9_10');
  });

  it('rejects an item of another instrument', () => {
    expect(thrown(() => scoreResponse('phq2', { phq9_1: 0, phq9_2: 0, phq9_3: 0 }))).toMatchObject({ code: 'unknown_item', itemId: 'phq9_3' });
  });

  it('rejects an unknown instrument', () => {
    expect(thrown(() => scoreResponse('phq10', {}))).toMatchObject({ code: 'unknown_instrument', instrumentId: 'phq10' });
  });

  it('treats an explicitly undefined answer as unanswered rather than unknown', () => {
    const result = scoreResponse('phq9', { ...answersAll('phq9', 1), phq9_1: undefined });
    expect(result.missing).toEqual(['phq9_1']);
  });

  it('rejects answers that are not an object with invalid_argument', () => {
    expect(thrown(() => scoreResponse('phq9', null as unknown as Record<string, number>))).toMatchObject({ code: 'invalid_argument' });
  });

  it('scores an empty answer map as unscorable without throwing', () => {
    expect(scoreResponse('phq9', {})).toMatchObject({ total: null, complete: false });
  });
});

describe('risk flags', () => {
  it('flags PHQ-9 item 9 at 1 or more', () => {
    for (const value of [1, 2, 3]) {
      expect(scoreResponse('phq9', { ...answersAll('phq9', 0), phq9_9: value }).flags).toEqual([
        { kind: 'risk', itemId: 'phq9_9' },
      ]);
    }
  });

  it('does not flag PHQ-9 item 9 at 0, however high the total', () => {
    expect(scoreResponse('phq9', { ...answersAll('phq9', 3), phq9_9: 0 }).flags).toEqual([]);
  });

  it('flags an unanswered PHQ-9 item 9 as risk-unanswered, even when the total is prorated', () => {
    const result = scoreResponse('phq9', { ...answersAll('phq9', 1), phq9_9: null });
    expect(result.total).toBe(9);
    expect(result.flags).toEqual([{ kind: 'risk-unanswered', itemId: 'phq9_9' }]);
  });

  it('flags CORE-10 item 6 as a clinical-safety risk item the manual does not declare', () => {
    expect(scoreResponse('core10', { ...answersAll('core10', 0), core10_6: 1 }).flags).toEqual([{ kind: 'risk', itemId: 'core10_6' }]);
    expect(getInstrument('core10').risk).toEqual([expect.objectContaining({ itemId: 'core10_6', kind: 'suicide-plans', clinicalSafety: true })]);
    expect(getInstrument('phq9').risk).toEqual([expect.objectContaining({ itemId: 'phq9_9', clinicalSafety: false })]);
    expect(scoreResponse('core10', answersAll('core10', 0)).flags).toEqual([]);
  });

  it('flags EPDS item 10 on its scored value after reversal (raw 2 scores 1, raw 3 scores 0)', () => {
    const base = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`epds_${index + 1}`, 0]));
    expect(scoreResponse('epds', { ...base, epds_10: 2 }).flags).toEqual([expect.objectContaining({ kind: 'risk', itemId: 'epds_10' })]);
    expect(scoreResponse('epds', { ...base, epds_10: 3 }).flags).toEqual([]);
  });

  it('has no risk items in instruments without one', () => {
    expect(scoreResponse('gad7', { gad7_1: null }).flags).toEqual([]);
  });
});

describe('results', () => {
  it('returns results that cannot be changed by the caller', () => {
    const result = scoreResponse('phq9', answersAll('phq9', 0));
    expect(Object.isFrozen(result.flags)).toBe(true);
    expect(Object.isFrozen(result.missing)).toBe(true);
    expect(Object.isFrozen(result.subscales)).toBe(true);
  });

  it('does not carry one call’s answers into the next', () => {
    scoreResponse('phq9', answersAll('phq9', 3));
    expect(scoreResponse('phq9', { phq9_1: 1 })).toMatchObject({ total: null });
    expect(scoreResponse('phq9', answersAll('phq9', 0)).total).toBe(0);
  });
});
