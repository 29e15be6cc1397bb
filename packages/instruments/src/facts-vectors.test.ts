import { describe, expect, it, test } from 'vitest';
import { answersAll, answersSummingTo } from './answers.fixtures';
import { jacobsonTruaxCutoffs, standardErrorOfDifference } from './change';
import { classifyTalkingTherapiesOutcome, clinicalSignificance, getInstrument, reliableChange, scoreResponse } from './index';

/** Every test vector of facts.md §C, as written there. */

function phq9(values: readonly (number | null)[]) {
  return Object.fromEntries(values.map((value, index) => [`phq9_${index + 1}`, value]));
}

describe('facts.md §C scoring vectors', () => {
  it('S1: scores a PHQ-9 with one missing item as 11.25, moderate and a case', () => {
    const result = scoreResponse('phq9', phq9([2, 2, 1, null, 3, 1, 0, 1, 0]));
    expect(result).toMatchObject({ total: 11.25, prorated: true, complete: false, caseness: true, missing: ['phq9_4'] });
    expect(result.band?.id).toBe('moderate');
  });

  it('S2: refuses to score a PHQ-9 with three missing items', () => {
    const result = scoreResponse('phq9', phq9([1, 1, null, null, null, 0, 0, 0, 0]));
    expect(result).toMatchObject({ total: null, band: null, caseness: null, prorated: false, complete: false });
    expect(result.missing).toEqual(['phq9_3', 'phq9_4', 'phq9_5']);
  });

  it('S3: scores PHQ-9 item 9 alone as 1, minimal, with the item-9 risk flag', () => {
    const result = scoreResponse('phq9', phq9([0, 0, 0, 0, 0, 0, 0, 0, 1]));
    expect(result.total).toBe(1);
    expect(result.band?.id).toBe('minimal');
    expect(result.flags).toEqual([expect.objectContaining({ kind: 'risk', itemId: 'phq9_9' })]);
  });

  it('S4: scores a GAD-7 of all 3s as 21, severe', () => {
    const result = scoreResponse('gad7', answersAll('gad7', 3));
    expect(result.total).toBe(21);
    expect(result.band?.id).toBe('severe');
  });

  it('S5: scores a CORE-10 of all "Not at all" as 8 (items 2 and 3 reversed), below the cut-off of 11', () => {
    const answers = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`core10_${index + 1}`, 0]));
    const result = scoreResponse('core10', answers);
    expect(result.total).toBe(8);
    expect(result.caseness).toBe(false);
  });

  it('S6: prorates a CORE-10 with 9 answered items summing to 18 to a clinical score of 20', () => {
    const ids = Array.from({ length: 9 }, (_, index) => `core10_${index + 1}`);
    const answers = answersSummingTo('core10', 18, ids, { core10_10: null });
    const result = scoreResponse('core10', answers);
    expect(result).toMatchObject({ total: 20, prorated: true, missing: ['core10_10'] });
  });

  it('S7: doubles a DASS-21 depression raw sum of 8 to 16, moderate', () => {
    const depression = getInstrument('dass21').scoring.subscales.find((subscale) => subscale.id === 'depression');
    const answers = answersSummingTo('dass21', 8, depression?.items);
    const result = scoreResponse('dass21', answers);
    expect(result.subscales['depression']).toEqual({ score: 16, band: { id: 'moderate', label: 'Moderate' } });
  });

  it('S8: scores a K10 of all "Some of the time" (3) as 30, very high', () => {
    const result = scoreResponse('k10', answersAll('k10', 3));
    expect(result.total).toBe(30);
    expect(result.band?.id).toBe('very_high');
  });

  it('S9: multiplies a WHO-5 raw 12 by 4 to 48, at or below 50 and raw below 13', () => {
    const result = scoreResponse('who5', answersSummingTo('who5', 12));
    expect(result.total).toBe(48);
    expect(result.caseness).toBe(true);
    expect(result.interpretations).toContainEqual(expect.objectContaining({ id: 'raw_below_13', met: true }));
  });

  it('S10: scores DAST-10 "Yes" to items 1, 2 and 5 and "No" to the rest as 4, moderate (item 3 "No" scores 1)', () => {
    const answers = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`dast10_${index + 1}`, [1, 2, 5].includes(index + 1) ? 1 : 0]));
    const result = scoreResponse('dast10', answers);
    expect(result.total).toBe(4);
    expect(result.band?.id).toBe('moderate');
  });

  it('S11: scores AUDIT Q1–8 at 1, Q9 at 2 and Q10 at 0 as 10, zone II', () => {
    const answers = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`audit_${index + 1}`, index < 8 ? 1 : index === 8 ? 2 : 0]));
    const result = scoreResponse('audit', answers);
    expect(result.total).toBe(10);
    expect(result.band?.id).toBe('zone_2');
  });

  it('S12: scores a retired client’s WSAS (item 1 not applicable, items 2–5 at 4) as 20 under the NHS DD convention', () => {
    const result = scoreResponse('wsas', { wsas_1: null, wsas_2: 4, wsas_3: 4, wsas_4: 4, wsas_5: 4 });
    expect(result).toMatchObject({ total: 20, prorated: true });
    expect(result.band?.id).toBe('significant');
  });

  it('S13: classifies CORE-10 22 → 12 as reliable (RC −2.90) but improved, not recovered, against cut-off c 10.46', () => {
    const definition = getInstrument('core10');
    const rule = definition.reliableChange;
    if (rule?.method !== 'jacobson-truax') throw new Error('CORE-10 should use Jacobson–Truax');
    expect(rule.sd * Math.sqrt(1 - rule.reliability)).toBeCloseTo(2.435, 3);
    expect(standardErrorOfDifference(rule.sd, rule.reliability)).toBeCloseTo(3.444, 3);
    const cutoffs = jacobsonTruaxCutoffs(definition);
    expect(cutoffs?.a).toBeCloseTo(4.3, 6);
    expect(cutoffs?.b).toBeCloseTo(14.3, 6);
    expect(cutoffs?.c).toBeCloseTo(10.46, 6);

    const change = reliableChange('core10', 22, 12);
    expect(change).toMatchObject({ available: true, direction: 'improved', method: 'jacobson-truax' });
    if (!change.available) return;
    expect(change.index).toBeCloseTo(-2.9, 2);
    expect(change.threshold).toBeCloseTo(6.75, 2);

    const significance = clinicalSignificance('core10', 22, 12);
    expect(significance).toMatchObject({ available: true, category: 'improved', cutoff: { kind: 'c' } });
  });

  it('S14: scores the PCL-5 vector as 12, below the cut-off, yet meeting the DSM-5 provisional diagnosis', () => {
    const answers = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`pcl5_${index + 1}`, [1, 6, 8, 9, 15, 16].includes(index + 1) ? 2 : 0]));
    const result = scoreResponse('pcl5', answers);
    expect(result.total).toBe(12);
    expect(result.caseness).toBe(false);
    expect(result.interpretations).toContainEqual(expect.objectContaining({ id: 'dsm5_provisional_diagnosis', met: true }));
  });
});

describe('facts.md §C NHS Talking Therapies vectors', () => {
  test.each([
    { row: 1, phq: [15, 6], gad: [12, 5], caseStart: true, caseEnd: false, recovered: true, ri: true, rd: false, reliableRecovery: true },
    { row: 2, phq: [11, 8], gad: [9, 7], caseStart: true, caseEnd: false, recovered: true, ri: false, rd: false, reliableRecovery: false },
    { row: 3, phq: [20, 12], gad: [15, 10], caseStart: true, caseEnd: true, recovered: false, ri: true, rd: false, reliableRecovery: false },
    { row: 4, phq: [8, 9], gad: [6, 7], caseStart: false, caseEnd: false, recovered: null, ri: false, rd: false, reliableRecovery: null },
    { row: 5, phq: [10, 16], gad: [7, 7], caseStart: true, caseEnd: true, recovered: false, ri: false, rd: true, reliableRecovery: false },
    { row: 6, phq: [14, 8], gad: [8, 12], caseStart: true, caseEnd: true, recovered: false, ri: false, rd: true, reliableRecovery: false },
    { row: 7, phq: [10, 4], gad: [7, 3], caseStart: true, caseEnd: false, recovered: true, ri: true, rd: false, reliableRecovery: true },
    { row: 8, phq: [9, 9], gad: [8, 4], caseStart: true, caseEnd: false, recovered: true, ri: true, rd: false, reliableRecovery: true },
  ])('row $row: PHQ-9 $phq and GAD-7 $gad classify as in the fact sheet', ({ phq, gad, caseStart, caseEnd, recovered, ri, rd, reliableRecovery }) => {
    const outcome = classifyTalkingTherapiesOutcome({
      depression: { first: phq[0] as number, last: phq[1] as number },
      anxiety: { instrumentId: 'gad7', first: gad[0] as number, last: gad[1] as number },
      attendedTreatmentSessions: 2,
      ended: true,
    });
    expect(outcome).toMatchObject({
      finishedCourse: true,
      provisional: false,
      casenessAtStart: caseStart,
      casenessAtEnd: caseEnd,
      recovered,
      reliableImprovement: ri,
      reliableDeterioration: rd,
      reliableRecovery,
      countsTowards: { recoveryRate: caseStart, reliableImprovementRate: true },
    });
  });

  it('row 9: one attended treatment session is not a finished course and counts towards no outcome rate', () => {
    const outcome = classifyTalkingTherapiesOutcome({
      depression: { first: 16, last: 5 },
      anxiety: { instrumentId: 'gad7', first: 12, last: 4 },
      attendedTreatmentSessions: 1,
      ended: true,
    });
    expect(outcome).toMatchObject({ finishedCourse: false, provisional: true, countsTowards: { recoveryRate: false, reliableImprovementRate: false } });
  });
});
