import { describe, expect, it } from 'vitest';
import { lowAlliance, midRankPercentile } from './low-alliance';

/** 30 organisation ratings 11…40 at one session number: one rating per point. */
const organisation = Array.from({ length: 30 }, (_, i) => 11 + i);

describe('lowAlliance: published cut-off (SRS < 36, facts.md A19/B4)', () => {
  it.each([
    [35.9, true],
    [35, true],
    [36, false],
    [36.1, false],
  ])('SRS %f is low: %s', (score, low) => {
    const result = lowAlliance(score, { instrumentId: 'srs', sessionNumber: 5 });
    expect(result).toMatchObject({ low, rule: low ? 'published_cutoff' : 'none', ruleApplied: 'published_cutoff', threshold: 36, operator: '<' });
  });

  it('prefers the published cut-off to a clinic threshold and says so', () => {
    const result = lowAlliance(37, { instrumentId: 'srs', sessionNumber: 5, clinicThreshold: 38, organisationScores: organisation });
    expect(result.rule).toBe('none');
    expect(result.ruleApplied).toBe('published_cutoff');
    expect(result.notes).toEqual(['clinic threshold not used: the instrument has a published cut-off']);
  });
});

describe('lowAlliance: clinic threshold (validated instruments without a cut-off)', () => {
  it.each([
    [35.99, true],
    [36, false],
  ])('WAI-SR %f against a clinic threshold of 36 is low: %s', (score, low) => {
    const result = lowAlliance(score, { instrumentId: 'wai_sr', sessionNumber: 4, clinicThreshold: 36 });
    expect(result).toMatchObject({ low, rule: low ? 'clinic_threshold' : 'none', ruleApplied: 'clinic_threshold', threshold: 36, operator: '<' });
  });

  it('never applies a clinic threshold to the Rapport alliance check, which is not validated', () => {
    const result = lowAlliance(5, { instrumentId: 'rapport_alliance', sessionNumber: 2, clinicThreshold: 30 });
    expect(result).toMatchObject({ low: false, rule: 'none', ruleApplied: 'none' });
    expect(result.notes[0]).toMatch(/not validated, so only relative rules/);
  });
});

describe('lowAlliance: the organisation lowest 10 %', () => {
  it.each([
    // with 30 distinct ratings 11…40, mid-rank of 13 = 2.5/30 = 0.083; of 14 = 3.5/30 = 0.117
    [13, true],
    [14, false],
    [5, true],
    [40, false],
  ])('Rapport check %d among 30 ratings 11–40 is low: %s', (score, low) => {
    const result = lowAlliance(score, { instrumentId: 'rapport_alliance', sessionNumber: 6, organisationScores: organisation });
    expect(result).toMatchObject({ low, rule: low ? 'org_lowest_decile' : 'none', ruleApplied: 'org_lowest_decile', organisationRatings: 30 });
  });

  it.each([
    [29, 'none'],
    [30, 'org_lowest_decile'],
  ])('needs the configured minimum of ratings (default 30): with %d ratings it applies %s', (count, applied) => {
    const result = lowAlliance(0, { instrumentId: 'rapport_alliance', sessionNumber: 6, organisationScores: organisation.slice(0, count) });
    expect(result.ruleApplied).toBe(applied);
  });

  it('honours a configured minimum', () => {
    expect(lowAlliance(0, { instrumentId: 'wai_sr', sessionNumber: 6, organisationScores: [30, 40, 50], minimumOrganisationRatings: 3 }).rule).toBe('org_lowest_decile');
  });

  it('never calls a ceiling shared by many ratings the lowest 10 %', () => {
    const ceiling = [...Array.from({ length: 27 }, () => 40), 20, 25, 30];
    expect(lowAlliance(40, { instrumentId: 'rapport_alliance', sessionNumber: 2, organisationScores: ceiling }).low).toBe(false);
  });

  it('gives tied ratings the middle of their ranks', () => {
    expect(midRankPercentile(2, [1, 2, 2, 3])).toBe(0.5);
    expect(midRankPercentile(0, [1, 2])).toBe(0);
    expect(midRankPercentile(1, [])).toBeNull();
  });
});

describe('lowAlliance: early dropout signal (facts.md B4, Anderson 2019)', () => {
  it.each([
    [1, 30, true],
    [3, 30, true],
    [4, 30, false],
    [2, 36, false],
  ])('in session %d an SRS of %d is an early dropout signal: %s', (sessionNumber, score, expected) => {
    expect(lowAlliance(score, { instrumentId: 'srs', sessionNumber }).earlyDropoutSignal).toBe(expected);
  });

  it.each([[0], [1.5]])('refuses session number %f', (sessionNumber) => {
    expect(() => lowAlliance(30, { instrumentId: 'srs', sessionNumber })).toThrow(/sessionNumber/);
  });
});
