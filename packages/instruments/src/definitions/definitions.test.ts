import { describe, expect, it, test } from 'vitest';
import { answersAll, answersSummingTo, rawFor } from '../answers.fixtures';
import { bandFor, getInstrument, isCase, listInstruments, scoreResponse } from '../index';

/**
 * Every instrument at every band edge, both sides, and its missing-item rule. Expected bands are
 * written out by hand from facts.md, not read back from the definitions.
 */

function scoreAtTotal(instrumentId: string, total: number) {
  const multiplier = getInstrument(instrumentId).scoring.multiplier;
  return scoreResponse(instrumentId, answersSummingTo(instrumentId, total / multiplier));
}

const bandEdges: [instrumentId: string, total: number, bandId: string][] = [
  ['phq9', 0, 'minimal'], ['phq9', 4, 'minimal'], ['phq9', 5, 'mild'], ['phq9', 9, 'mild'], ['phq9', 10, 'moderate'],
  ['phq9', 14, 'moderate'], ['phq9', 15, 'moderately_severe'], ['phq9', 19, 'moderately_severe'], ['phq9', 20, 'severe'], ['phq9', 27, 'severe'],
  ['gad7', 0, 'minimal'], ['gad7', 4, 'minimal'], ['gad7', 5, 'mild'], ['gad7', 9, 'mild'], ['gad7', 10, 'moderate'],
  ['gad7', 14, 'moderate'], ['gad7', 15, 'severe'], ['gad7', 21, 'severe'],
  ['phq15', 0, 'minimal'], ['phq15', 4, 'minimal'], ['phq15', 5, 'low'], ['phq15', 9, 'low'], ['phq15', 10, 'medium'],
  ['phq15', 14, 'medium'], ['phq15', 15, 'high'], ['phq15', 30, 'high'],
  ['core10', 0, 'healthy'], ['core10', 5, 'healthy'], ['core10', 6, 'low_level'], ['core10', 10, 'low_level'], ['core10', 11, 'mild'],
  ['core10', 15, 'mild'], ['core10', 16, 'moderate'], ['core10', 20, 'moderate'], ['core10', 21, 'moderately_severe'],
  ['core10', 25, 'moderately_severe'], ['core10', 26, 'severe'], ['core10', 40, 'severe'],
  ['k10', 10, 'low'], ['k10', 15, 'low'], ['k10', 16, 'moderate'], ['k10', 21, 'moderate'], ['k10', 22, 'high'],
  ['k10', 29, 'high'], ['k10', 30, 'very_high'], ['k10', 50, 'very_high'],
  ['audit', 0, 'zone_1'], ['audit', 7, 'zone_1'], ['audit', 8, 'zone_2'], ['audit', 15, 'zone_2'], ['audit', 16, 'zone_3'],
  ['audit', 19, 'zone_3'], ['audit', 20, 'zone_4'], ['audit', 40, 'zone_4'],
  ['dast10', 0, 'none'], ['dast10', 1, 'low'], ['dast10', 2, 'low'], ['dast10', 3, 'moderate'], ['dast10', 5, 'moderate'],
  ['dast10', 6, 'substantial'], ['dast10', 8, 'substantial'], ['dast10', 9, 'severe'], ['dast10', 10, 'severe'],
  ['wsas', 0, 'subclinical'], ['wsas', 9, 'subclinical'], ['wsas', 10, 'significant'], ['wsas', 20, 'significant'],
  ['wsas', 21, 'moderately_severe'], ['wsas', 40, 'moderately_severe'],
  ['isi', 0, 'none'], ['isi', 7, 'none'], ['isi', 8, 'subthreshold'], ['isi', 14, 'subthreshold'], ['isi', 15, 'moderate'],
  ['isi', 21, 'moderate'], ['isi', 22, 'severe'], ['isi', 28, 'severe'],
  ['pss10', 0, 'low'], ['pss10', 13, 'low'], ['pss10', 14, 'moderate'], ['pss10', 26, 'moderate'], ['pss10', 27, 'high'], ['pss10', 40, 'high'],
];

describe('band edges', () => {
  test.each(bandEdges)('%s scores %d in band %s', (instrumentId, total, bandId) => {
    const result = scoreAtTotal(instrumentId, total);
    expect(result.total).toBe(total);
    expect(result.band?.id).toBe(bandId);
    expect(bandFor(instrumentId, total)?.id).toBe(bandId);
  });

  // Doubled DASS-21 scores are even, so odd edges are checked through bandFor and the even neighbours through scoring.
  const dassEdges: [subscale: string, raw: number, bandId: string][] = [
    ['depression', 0, 'normal'], ['depression', 4, 'normal'], ['depression', 5, 'mild'], ['depression', 6, 'mild'], ['depression', 7, 'moderate'],
    ['depression', 10, 'moderate'], ['depression', 11, 'severe'], ['depression', 13, 'severe'], ['depression', 14, 'extremely_severe'], ['depression', 21, 'extremely_severe'],
    ['anxiety', 3, 'normal'], ['anxiety', 4, 'mild'], ['anxiety', 5, 'moderate'], ['anxiety', 7, 'moderate'], ['anxiety', 8, 'severe'],
    ['anxiety', 9, 'severe'], ['anxiety', 10, 'extremely_severe'],
    ['stress', 7, 'normal'], ['stress', 8, 'mild'], ['stress', 9, 'mild'], ['stress', 10, 'moderate'], ['stress', 12, 'moderate'],
    ['stress', 13, 'severe'], ['stress', 16, 'severe'], ['stress', 17, 'extremely_severe'],
  ];
  test.each(dassEdges)('DASS-21 %s raw %d doubles into band %s', (subscaleId, raw, bandId) => {
    const subscale = getInstrument('dass21').scoring.subscales.find((candidate) => candidate.id === subscaleId);
    const result = scoreResponse('dass21', answersSummingTo('dass21', raw, subscale?.items));
    expect(result.subscales[subscaleId]?.score).toBe(raw * 2);
    expect(result.subscales[subscaleId]?.band?.id).toBe(bandId);
  });

  test.each([
    ['depression', 9, 'normal'], ['depression', 10, 'mild'], ['depression', 13, 'mild'], ['depression', 14, 'moderate'], ['depression', 20, 'moderate'],
    ['depression', 21, 'severe'], ['depression', 27, 'severe'], ['depression', 28, 'extremely_severe'],
    ['anxiety', 7, 'normal'], ['anxiety', 8, 'mild'], ['anxiety', 9, 'mild'], ['anxiety', 10, 'moderate'], ['anxiety', 14, 'moderate'],
    ['anxiety', 15, 'severe'], ['anxiety', 19, 'severe'], ['anxiety', 20, 'extremely_severe'],
    ['stress', 14, 'normal'], ['stress', 15, 'mild'], ['stress', 18, 'mild'], ['stress', 19, 'moderate'], ['stress', 25, 'moderate'],
    ['stress', 26, 'severe'], ['stress', 33, 'severe'], ['stress', 34, 'extremely_severe'],
  ])('DASS-21 %s doubled score %d is in band %s', (subscaleId, score, bandId) => {
    expect(bandFor('dass21', score, subscaleId)?.id).toBe(bandId);
  });
});

describe('caseness cut-offs', () => {
  test.each([
    ['phq9', 9, false], ['phq9', 10, true],
    ['phq2', 2, false], ['phq2', 3, true],
    ['gad7', 7, false], ['gad7', 8, true],
    ['gad2', 2, false], ['gad2', 3, true],
    ['core10', 10, false], ['core10', 11, true],
    ['k6', 12, false], ['k6', 13, true],
    ['pcl5', 32, false], ['pcl5', 33, true],
    ['audit', 7, false], ['audit', 8, true],
    ['epds', 9, false], ['epds', 10, true],
    ['who5', 52, false], ['who5', 48, true],
  ])('%s at %d is a case: %s', (instrumentId, total, expected) => {
    expect(scoreAtTotal(instrumentId, total).caseness).toBe(expected);
    expect(isCase(instrumentId, total)).toBe(expected);
  });

  test.each([
    ['who5', 50, true], ['who5', 51, false],
    ['srs', 35.9, true], ['srs', 36, false],
    ['ors', 24.9, true], ['ors', 25, false],
  ])('isCase(%s, %d) is %s at the exact edge', (instrumentId, total, expected) => {
    expect(isCase(instrumentId, total)).toBe(expected);
  });

  test.each([
    ['gad7', 'gad_screen', 9, false], ['gad7', 'gad_screen', 10, true],
    ['core10', 'likely_depression', 13, false], ['core10', 'likely_depression', 14, true],
    ['epds', 'likely_depression', 12, false], ['epds', 'likely_depression', 13, true],
    ['who5', 'likely_depression', 32, false], ['who5', 'likely_depression', 28, true],
  ])('%s cut-off %s at %d is met: %s', (instrumentId, cutoffId, total, expected) => {
    expect(scoreAtTotal(instrumentId, total).interpretations).toContainEqual(expect.objectContaining({ id: cutoffId, met: expected }));
  });

  it('gives the instruments without a validated cut-off no caseness', () => {
    for (const id of ['auditc', 'wai_sr', 'wai_sr_t', 'arm5', 'arm5_t', 'rapport_alliance', 'rapport_alliance_therapist', 'dass21']) {
      expect(isCase(id, 20)).toBeNull();
    }
  });
});

describe('visual-analogue instruments', () => {
  it('sums SRS lines exactly and flags a 35.9 total as low alliance', () => {
    const result = scoreResponse('srs', { srs_1: 9.9, srs_2: 9.9, srs_3: 9.9, srs_4: 6.2 });
    expect(result.total).toBe(35.9);
    expect(result.caseness).toBe(true);
  });

  it('does not flag an SRS of exactly 36', () => {
    expect(scoreResponse('srs', { srs_1: 9, srs_2: 9, srs_3: 9, srs_4: 9 }).caseness).toBe(false);
  });

  it('puts an ORS of 24.9 in the clinical range and 25 outside it', () => {
    expect(scoreResponse('ors', { ors_1: 6.2, ors_2: 6.2, ors_3: 6.2, ors_4: 6.3 }).caseness).toBe(true);
    expect(scoreResponse('ors', { ors_1: 6.2, ors_2: 6.3, ors_3: 6.2, ors_4: 6.3 }).caseness).toBe(false);
  });

  it('rejects a line position between steps of 0.1 or outside 0–10, naming the item', () => {
    expect(() => scoreResponse('srs', { srs_1: 3.33, srs_2: 5, srs_3: 5, srs_4: 5 })).toThrow(/srs_1/);
    expect(() => scoreResponse('ors', { ors_1: 5, ors_2: 10.1, ors_3: 5, ors_4: 5 })).toThrow(/ors_2/);
  });
});

describe('missing-item rules', () => {
  // The number of missing scored items each instrument's rule tolerates (facts.md, or the convention in the definition).
  const tolerated: [instrumentId: string, maxMissing: number][] = [
    ['phq9', 2], ['gad7', 2], ['core10', 1], ['wsas', 1],
    ['phq2', 0], ['gad2', 0], ['phq15', 0], ['pcl5', 0], ['k10', 0], ['k6', 0], ['audit', 0], ['auditc', 0], ['dast10', 0],
    ['dass21', 0], ['who5', 0], ['isi', 0], ['pss10', 0], ['epds', 0], ['wai_sr', 0], ['wai_sr_t', 0], ['arm5', 0], ['arm5_t', 0],
    ['srs', 0], ['ors', 0], ['rapport_alliance', 0], ['rapport_alliance_therapist', 0],
  ];

  it('covers every built-in instrument', () => {
    expect(tolerated.map(([id]) => id).sort()).toEqual(listInstruments().map((summary) => summary.id).sort());
  });

  function answersWithMissing(instrumentId: string, count: number) {
    const definition = getInstrument(instrumentId);
    const answers: Record<string, number | null> = {};
    let left = count;
    for (const item of [...definition.items].reverse()) {
      if (!item.scored) continue;
      if (left > 0 && item.required) {
        answers[item.id] = null;
        left--;
      } else {
        answers[item.id] = item.response.kind === 'options' ? (item.response.options[1]?.value ?? 0) : item.response.min + 1;
      }
    }
    return answers;
  }

  test.each(tolerated)('%s scores with %d missing items and refuses one more', (instrumentId, maxMissing) => {
    const within = scoreResponse(instrumentId, answersWithMissing(instrumentId, maxMissing));
    expect(within.total).not.toBeNull();
    expect(within.prorated).toBe(maxMissing > 0);
    expect(within.missing).toHaveLength(maxMissing);
    const beyond = scoreResponse(instrumentId, answersWithMissing(instrumentId, maxMissing + 1));
    expect(beyond).toMatchObject({ total: null, band: null, caseness: null, complete: false, prorated: false });
    expect(beyond.missing).toHaveLength(maxMissing + 1);
  });

  it('prorates a PHQ-9 with two missing items by mean substitution (21 × 9 ÷ 7 = 27)', () => {
    const result = scoreResponse('phq9', { ...answersAll('phq9', 3), phq9_2: null, phq9_5: null });
    expect(result.total).toBe(27);
  });

  it('keeps a prorated total exact and applies bands to it rounded half up (4.5 → 5, mild)', () => {
    const answers = { ...answersSummingTo('phq9', 4), phq9_9: null };
    const result = scoreResponse('phq9', answers);
    expect(result.total).toBe(4.5);
    expect(result.band?.id).toBe('mild');
  });

  it('can apply bands to the exact prorated value instead (4.5 stays minimal)', () => {
    const answers = { ...answersSummingTo('phq9', 4), phq9_9: null };
    expect(scoreResponse('phq9', answers, { bandRounding: 'none' }).band?.id).toBe('minimal');
  });

  it('scores a PHQ-15 without the women-only item 4 on the 0–28 scale, complete and not prorated', () => {
    const answers: Record<string, number | null> = { ...answersAll('phq15', 2), phq15_4: null };
    const result = scoreResponse('phq15', answers);
    expect(result).toMatchObject({ total: 28, complete: true, prorated: false, missing: [] });
  });

  it('never counts the unscored PHQ-9 difficulty item as missing or in the total', () => {
    const withoutDifficulty = scoreResponse('phq9', answersAll('phq9', 1));
    expect(withoutDifficulty).toMatchObject({ total: 9, complete: true, missing: [] });
    const withDifficulty = scoreResponse('phq9', { ...answersAll('phq9', 1), phq9_difficulty: 3 });
    expect(withDifficulty.total).toBe(9);
  });

  it('leaves a subscale unscored when one of its items is missing', () => {
    const answers = { ...answersAll('pcl5', 1), pcl5_6: null };
    const result = scoreResponse('pcl5', answers);
    expect(result.total).toBeNull();
    expect(result.subscales['avoidance']).toEqual({ score: null, band: null });
    expect(result.subscales['intrusion']?.score).toBe(5);
  });
});

describe('reverse scoring', () => {
  it('reverses CORE-10 items 2 and 3: "Most or all of the time" scores 0', () => {
    const answers = { ...answersAll('core10', 0), core10_2: 4, core10_3: 4 };
    expect(scoreResponse('core10', answers).total).toBe(0);
  });

  it('reverses DAST-10 item 3: "Yes, always able to stop" scores 0', () => {
    const answers = { ...answersAll('dast10', 0), dast10_3: 1 };
    expect(answers.dast10_3).toBe(1);
    expect(scoreResponse('dast10', answers).total).toBe(0);
  });

  it('reverses PSS-10 items 4, 5, 7 and 8: all raw 0 scores 16', () => {
    const answers = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`pss10_${index + 1}`, 0]));
    expect(scoreResponse('pss10', answers).total).toBe(16);
  });

  it('reverses EPDS items 3 and 5–10: all raw 0 scores 21', () => {
    const answers = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`epds_${index + 1}`, 0]));
    expect(scoreResponse('epds', answers).total).toBe(21);
  });

  it('reverses ARM-5 item 3 and averages: raw 7 throughout scores (4 × 7 + 1) ÷ 5 = 5.8', () => {
    const answers = Object.fromEntries(Array.from({ length: 5 }, (_, index) => [`arm5_${index + 1}`, 7]));
    expect(scoreResponse('arm5', answers).total).toBe(5.8);
  });

  it('finds the raw answer for a reversed score', () => {
    const item = getInstrument('core10').items.find((candidate) => candidate.id === 'core10_2');
    if (!item) throw new Error('core10_2 missing');
    expect(rawFor(item, 4)).toBe(0);
  });
});

describe('subscales', () => {
  it('scores WAI-SR task, goal and bond subscales from their items', () => {
    const answers = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`wai_sr_${index + 1}`, [1, 2, 10, 12].includes(index + 1) ? 5 : 1]));
    const result = scoreResponse('wai_sr', answers);
    expect(result.total).toBe(28);
    expect(result.subscales).toEqual({ task: { score: 20, band: null }, goal: { score: 4, band: null }, bond: { score: 4, band: null } });
  });

  it('scores the AUDIT consumption subscale (questions 1–3)', () => {
    const answers = { ...answersAll('audit', 0), audit_1: 4, audit_2: 4, audit_3: 4 };
    expect(scoreResponse('audit', answers).subscales['consumption']?.score).toBe(12);
  });
});

describe('item-count rules', () => {
  it('does not meet the PCL-5 DSM-5 rule with only one cluster-E symptom', () => {
    const answers = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`pcl5_${index + 1}`, [1, 6, 8, 9, 15].includes(index + 1) ? 4 : 1]));
    expect(scoreResponse('pcl5', answers).interpretations).toContainEqual(expect.objectContaining({ id: 'dsm5_provisional_diagnosis', met: false }));
  });

  it('leaves the PCL-5 DSM-5 rule open when a missing item could still complete it', () => {
    const answers = { ...Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`pcl5_${index + 1}`, [1, 6, 8, 9, 15].includes(index + 1) ? 2 : 0])), pcl5_16: null };
    expect(scoreResponse('pcl5', answers).interpretations).toContainEqual(expect.objectContaining({ id: 'dsm5_provisional_diagnosis', met: null }));
  });

  it('flags three PHQ-15 symptoms "bothered a lot" as a possible somatoform disorder', () => {
    const answers = { ...answersAll('phq15', 0), phq15_1: 2, phq15_2: 2, phq15_3: 2 };
    expect(scoreResponse('phq15', answers).interpretations).toContainEqual(expect.objectContaining({ id: 'somatoform_screen', met: true }));
  });

  test.each([
    ['audit_4', 2, true], ['audit_6', 1, false], ['audit_9', 4, true], ['audit_10', 2, false],
  ])('AUDIT %s at %d calls for the next level of intervention: %s', (itemId, value, expected) => {
    const answers = { ...answersAll('audit', 0), [itemId]: value };
    expect(scoreResponse('audit', answers).interpretations).toContainEqual(expect.objectContaining({ id: 'next_level_of_intervention', met: expected }));
  });
});
