import { describe, expect, it } from 'vitest';
import { defaultTrajectories, fitExpectedTrajectories, notOnTrack } from './trajectory';
import type { FinishedEpisode } from './trajectory';

const OFFSETS = [-2, -1, 0, 1, 2];

/** `count` episodes on score = a + b·ln(session) for sessions 1…10, each shifted by a residual from OFFSETS (mean zero per session). */
function buildEpisodes(count: number, intakeScore: number, a: number, b: number): FinishedEpisode[] {
  return Array.from({ length: count }, (_, k) => ({
    intakeScore,
    scores: Array.from({ length: 10 }, (_, i) => ({ sessionNumber: i + 1, score: a + b * Math.log(i + 1) + (OFFSETS[k % OFFSETS.length] as number) })),
  }));
}

describe('defaultTrajectories', () => {
  const phq9 = defaultTrajectories('phq9');

  it('is labelled a default and covers every PHQ-9 band', () => {
    expect(phq9.source).toBe('default');
    expect(phq9.bands.map((entry) => entry.band.id)).toEqual(['minimal', 'mild', 'moderate', 'moderately_severe', 'severe']);
    expect(phq9.tolerance).toMatch(/default, not evidence/);
  });

  it.each([
    ['phq9', 'moderate', 12, 9.4 / 15.4, 6],
    ['gad7', 'moderate', 12, 8.4 / 14.0, 4],
  ] as const)('%s %s band starts at its midpoint and falls to the NHS Talking Therapies end/start ratio by session 8', (instrumentId, bandId, midpoint, ratio, tolerance) => {
    const fit = defaultTrajectories(instrumentId).bands.find((entry) => entry.band.id === bandId)?.fit;
    expect(fit?.a).toBe(midpoint);
    expect((fit?.a ?? 0) + (fit?.b ?? 0) * Math.log(8)).toBeCloseTo(midpoint * ratio, 10);
    expect(fit?.tolerance).toBe(tolerance);
  });
});

describe('defaultTrajectories refusals', () => {
  it.each([['core10'], ['toString']])('has no default for %s', (instrumentId) => {
    expect(() => defaultTrajectories(instrumentId as 'phq9')).toThrow(/only phq9 and gad7/);
  });
});

describe('notOnTrack with the default curves', () => {
  const trajectories = { default: defaultTrajectories('phq9') };

  it.each([
    // moderate band: expected 12 at session 1, tolerance 6 → bound 18
    [18, true],
    [18.01, false],
  ])('a PHQ-9 of %f at session 1 after an intake of 12 is on track: %s', (score, onTrack) => {
    const result = notOnTrack(score, 1, 12, trajectories);
    expect(result).toMatchObject({ onTrack, status: onTrack ? 'on_track' : 'not_on_track', expected: 12, upperBound: 18, lowerBound: null, source: 'default' });
    expect(result.band?.id).toBe('moderate');
  });

  it('judges sessions after the default course against session 8', () => {
    const result = notOnTrack(10, 12, 12, trajectories);
    expect(result.evaluatedAtSession).toBe(8);
    expect(result.expected).toBeCloseTo(12 * (9.4 / 15.4), 10);
  });

  it('places a prorated intake in its band rounded half up', () => {
    expect(notOnTrack(10, 2, 19.5, trajectories).band?.id).toBe('severe');
    expect(notOnTrack(10, 2, 19.49, trajectories).band?.id).toBe('moderately_severe');
  });

  it('says when no curve covers the client', () => {
    expect(notOnTrack(10, 2, 12, {})).toMatchObject({ status: 'no_trajectory', onTrack: null, source: null });
  });

  it('refuses curves for two different instruments', () => {
    expect(() => notOnTrack(10, 2, 12, { organisation: defaultTrajectories('gad7'), default: defaultTrajectories('phq9') })).toThrow(/trajectories/);
  });
});

describe('fitExpectedTrajectories', () => {
  const episodes = [...buildEpisodes(30, 22, 24, -5), ...buildEpisodes(10, 12, 13, -2)];
  const organisation = fitExpectedTrajectories(episodes, { instrumentId: 'phq9' });
  const severe = organisation.bands.find((entry) => entry.band.id === 'severe');

  it('recovers a + b·ln(session) by least squares in a band with enough episodes', () => {
    expect(severe?.fit?.a).toBeCloseTo(24, 10);
    expect(severe?.fit?.b).toBeCloseTo(-5, 10);
    expect(severe?.fit).toMatchObject({ episodes: 30, points: 300, maxSessionNumber: 10 });
  });

  it('sets the tolerance at the 90th percentile of residuals in the worse direction', () => {
    expect(severe?.fit?.tolerance).toBeCloseTo(2, 10);
    expect(organisation.tolerance).toBe('90th percentile of the residuals in the worse direction');
  });

  it.each([
    [29, null],
    [30, 'fitted'],
  ])('needs the minimum number of episodes per band (default 30): with %d it is %s', (count, expected) => {
    const fit = fitExpectedTrajectories(buildEpisodes(count, 22, 24, -5), { instrumentId: 'phq9' }).bands.find((entry) => entry.band.id === 'severe');
    expect(fit?.fit === null ? null : 'fitted').toBe(expected);
    if (count === 29) expect(fit?.reason).toBe('29 finished episodes, 30 needed');
  });

  it('returns null for a band whose scores are all at one session number', () => {
    const single = Array.from({ length: 3 }, () => ({ intakeScore: 22, scores: [{ sessionNumber: 1, score: 22 }] }));
    expect(fitExpectedTrajectories(single, { instrumentId: 'phq9', minimumEpisodes: 3 }).bands.find((entry) => entry.band.id === 'severe')?.reason).toMatch(/single session/);
  });

  it.each([
    // severe band at session 4: expected 24 − 5 ln 4, tolerance 2
    [0, 'on_track'],
    [2, 'on_track'],
    [2.01, 'not_on_track'],
  ])('uses the organisation curve where it exists: %f points above expected is %s', (above, status) => {
    const expected = 24 - 5 * Math.log(4);
    const result = notOnTrack(expected + above, 4, 22, { organisation, default: defaultTrajectories('phq9') });
    expect(result.status).toBe(status);
    expect(result.source).toBe('organisation');
    expect(result.expected).toBeCloseTo(expected, 10);
  });

  it('falls back to the default for a band without enough episodes, and says so', () => {
    expect(notOnTrack(10, 4, 12, { organisation, default: defaultTrajectories('phq9') }).source).toBe('default');
  });

  it('puts the band below the curve for an instrument where higher is better', () => {
    const wellBeing = Array.from({ length: 5 }, (_, k) => ({
      intakeScore: 30,
      scores: [1, 2, 3, 4].map((sessionNumber) => ({ sessionNumber, score: 30 + 10 * Math.log(sessionNumber) + (OFFSETS[k] as number) * 2 })),
    }));
    const fitted = fitExpectedTrajectories(wellBeing, { instrumentId: 'who5', bands: [{ id: 'low', min: 0, max: 50 }], minimumEpisodes: 5 });
    const fit = fitted.bands[0]?.fit;
    expect(fit?.tolerance).toBeCloseTo(4, 10);
    const expected = 30 + 10 * Math.log(3);
    expect(notOnTrack(expected - 4, 3, 30, { organisation: fitted })).toMatchObject({ status: 'on_track', upperBound: null });
    expect(notOnTrack(expected - 4.01, 3, 30, { organisation: fitted }).status).toBe('not_on_track');
    expect(notOnTrack(expected - 4, 3, 30, { organisation: fitted }).lowerBound).toBeCloseTo(expected - 4, 10);
  });
});
