import { getInstrument, roundHalfUp } from '@rapport/instruments';
import { AnalysisError, EPSILON, requireFinite } from './errors';
import { leastSquares, percentile } from './statistics';

/**
 * "Not on track" (facts.md B3): is the client's score worse than the expected trajectory for clients
 * who started at a similar severity? Following Finch, Lambert & Schaalje (2001) [V src:synapse-finch2001]:
 * expected curves by intake severity on the log of the session number, with a tolerance band around
 * each curve. Fitted per band from the organisation's own finished episodes once there are enough,
 * and from a documented default before that. Sessions are numbered from 1 (the intake), so ln 1 = 0
 * and the intercept `a` is the expected intake score.
 */

/** Finished episodes a band needs before it gets its own curve. Rapport default (derived, not from a source). */
export const DEFAULT_MIN_EPISODES_PER_BAND = 30;
/**
 * The tolerance band is the 90th percentile of the residuals in the worse direction: about 10 % of the
 * reference sessions fall outside it, in line with PBH ALERT targeting about 10 % of cases
 * (facts.md B3 [S src:pbh-alert]). Lambert's exact percentiles were not retrieved (facts.md B3 [U]).
 */
export const DEFAULT_TOLERANCE_PERCENTILE = 0.9;
/** facts.md B3 [V src:synapse-finch2001]: mean estimates were set for sessions 1–20; later sessions are judged against session 20. */
export const DEFAULT_MAX_SESSION_NUMBER = 20;
/**
 * ASSUMPTION for the default curves: a typical course is 8 sessions (intake = session 1, last score at
 * session 8). facts.md gives start and end means but not the course length; 8 is our assumption, not
 * evidence. After session 8 the default curve stays at its end value.
 */
export const DEFAULT_COURSE_SESSIONS = 8;

/**
 * NHS Talking Therapies 2022-23 cases, start → end means (facts.md A1, A3 [S src:cbtwatch]): PHQ-9
 * 15.4 (SD 5.5) → 9.4 (SD 6.4); GAD-7 14.0 (SD 4.5) → 8.4 (SD 5.7). The defaults keep the same
 * proportional fall (PHQ-9 to 61 %, GAD-7 to 60 % of the start) for every intake band.
 */
export const DEFAULT_COURSE_MEANS = {
  phq9: { start: 15.4, end: 9.4 }, // facts.md A1 [S src:cbtwatch]
  gad7: { start: 14.0, end: 8.4 }, // facts.md A3 [S src:cbtwatch]
} as const;

export type DefaultTrajectoryInstrument = keyof typeof DEFAULT_COURSE_MEANS;

export type SeverityBand = { readonly id: string; readonly min: number; readonly max: number };

export type FinishedEpisode = {
  /** The score that places the episode in a severity band (normally the session-1 score). */
  readonly intakeScore: number;
  readonly scores: readonly { readonly sessionNumber: number; readonly score: number }[];
};

export type TrajectoryFit = {
  /** Expected score = a + b · ln(session). */
  readonly a: number;
  readonly b: number;
  /** Width of the band on the worse side, in score points. */
  readonly tolerance: number;
  /** Sessions after this are judged against this session's expectation. */
  readonly maxSessionNumber: number;
  readonly episodes: number;
  readonly points: number;
};

export type BandTrajectory = {
  readonly band: SeverityBand;
  /** null when the band has too few episodes (or too little spread in sessions) to fit. */
  readonly fit: TrajectoryFit | null;
  readonly episodes: number;
  readonly reason: string | null;
};

export type ExpectedTrajectories = {
  readonly instrumentId: string;
  readonly direction: 'higher-is-worse' | 'higher-is-better';
  readonly source: 'organisation' | 'default';
  readonly bands: readonly BandTrajectory[];
  /** How the tolerance was set, for the explanation on screen. */
  readonly tolerance: string;
};

export type TrajectoryOptions = {
  readonly instrumentId: string;
  /** Intake severity bands; default the instrument's published bands (e.g. PHQ-9 minimal … severe). */
  readonly bands?: readonly SeverityBand[];
  readonly minimumEpisodes?: number;
  readonly tolerancePercentile?: number;
  readonly maxSessionNumber?: number;
};

function bandsOf(instrumentId: string, bands: readonly SeverityBand[] | undefined): readonly SeverityBand[] {
  const chosen = bands ?? getInstrument(instrumentId).bands.map(({ id, min, max }) => ({ id, min, max }));
  if (chosen.length === 0) throw new AnalysisError('options.bands', `${instrumentId} has no severity bands; pass bands`);
  return chosen;
}

function bandFor(bands: readonly SeverityBand[], intakeScore: number): SeverityBand | null {
  // Bands are inclusive integers (facts.md "Shared conventions"); a prorated intake is rounded half up as the instruments library does.
  const rounded = roundHalfUp(intakeScore);
  return bands.find((band) => rounded >= band.min && rounded <= band.max) ?? null;
}

/**
 * Fits, per intake severity band, score = a + b · ln(session) by least squares over every score of
 * the band's finished episodes (sessions 1…`maxSessionNumber`, default 20), with a tolerance of the
 * 90th percentile (configurable) of the residuals in the worse direction. A band with fewer than
 * `minimumEpisodes` episodes (default 30), or with scores at a single session number, gets `fit: null`
 * and a reason; `notOnTrack` then falls back to the default.
 */
export function fitExpectedTrajectories(finishedEpisodes: readonly FinishedEpisode[], options: TrajectoryOptions): ExpectedTrajectories {
  const definition = getInstrument(options.instrumentId);
  const bands = bandsOf(options.instrumentId, options.bands);
  const minimumEpisodes = options.minimumEpisodes ?? DEFAULT_MIN_EPISODES_PER_BAND;
  const tolerancePercentile = options.tolerancePercentile ?? DEFAULT_TOLERANCE_PERCENTILE;
  const maxSessionNumber = options.maxSessionNumber ?? DEFAULT_MAX_SESSION_NUMBER;
  if (!Number.isInteger(minimumEpisodes) || minimumEpisodes < 1) throw new AnalysisError('options.minimumEpisodes', 'must be a whole number, 1 or more');
  if (!(tolerancePercentile > 0 && tolerancePercentile < 1)) throw new AnalysisError('options.tolerancePercentile', 'must be between 0 and 1');
  if (!Number.isInteger(maxSessionNumber) || maxSessionNumber < 2) throw new AnalysisError('options.maxSessionNumber', 'must be a whole number, 2 or more');
  const worse = definition.direction === 'higher-is-worse' ? 1 : -1;

  const byBand = new Map<string, FinishedEpisode[]>(bands.map((band) => [band.id, []]));
  finishedEpisodes.forEach((episode, index) => {
    requireFinite(`finishedEpisodes[${index}].intakeScore`, episode.intakeScore);
    const band = bandFor(bands, episode.intakeScore);
    if (band) byBand.get(band.id)?.push(episode);
  });

  const fitted = bands.map((band): BandTrajectory => {
    const episodes = byBand.get(band.id) ?? [];
    if (episodes.length < minimumEpisodes) {
      return { band, fit: null, episodes: episodes.length, reason: `${episodes.length} finished episodes, ${minimumEpisodes} needed` };
    }
    const x: number[] = [];
    const y: number[] = [];
    let lastSession = 1;
    for (const episode of episodes) {
      for (const { sessionNumber, score } of episode.scores) {
        requireFinite('sessionNumber', sessionNumber);
        requireFinite('score', score);
        if (sessionNumber < 1 || sessionNumber > maxSessionNumber) continue;
        x.push(Math.log(sessionNumber));
        y.push(score);
        lastSession = Math.max(lastSession, sessionNumber);
      }
    }
    const line = leastSquares(x, y);
    if (!line) return { band, fit: null, episodes: episodes.length, reason: 'scores at a single session number: no curve can be fitted' };
    const residuals = x.map((value, i) => worse * ((y[i] as number) - (line.intercept + line.slope * value)));
    const tolerance = Math.max(0, percentile(residuals, tolerancePercentile) as number);
    return {
      band,
      fit: { a: line.intercept, b: line.slope, tolerance, maxSessionNumber: Math.floor(lastSession), episodes: episodes.length, points: x.length },
      episodes: episodes.length,
      reason: null,
    };
  });

  return {
    instrumentId: definition.id,
    direction: definition.direction,
    source: 'organisation',
    bands: fitted,
    tolerance: `${Math.round(tolerancePercentile * 100)}th percentile of the residuals in the worse direction`,
  };
}

/**
 * The documented default curves for PHQ-9 and GAD-7, used before the organisation has enough finished
 * episodes. A DEFAULT, NOT EVIDENCE: for each published band, a = the band's midpoint and the curve
 * falls on ln(session) to the NHS Talking Therapies end/start ratio (PHQ-9 9.4/15.4, GAD-7 8.4/14.0,
 * facts.md A1/A3 [S src:cbtwatch]) by session 8 (our assumption, `DEFAULT_COURSE_SESSIONS`), then
 * stays there. The tolerance is the instrument's reliable-change threshold (PHQ-9 6, GAD-7 4;
 * facts.md B2): the default flags a score reliably worse than expected.
 */
export function defaultTrajectories(instrumentId: DefaultTrajectoryInstrument): ExpectedTrajectories {
  if (!Object.hasOwn(DEFAULT_COURSE_MEANS, instrumentId)) throw new AnalysisError('instrumentId', `no default trajectory for ${String(instrumentId)}; only phq9 and gad7`);
  const means = DEFAULT_COURSE_MEANS[instrumentId];
  const definition = getInstrument(instrumentId);
  const rule = definition.reliableChange;
  if (rule?.method !== 'published') throw new AnalysisError('instrumentId', `${instrumentId} has no published reliable-change threshold`);
  const ratio = means.end / means.start;
  const bands = bandsOf(instrumentId, undefined).map((band): BandTrajectory => {
    const a = (band.min + band.max) / 2;
    const b = (a * (ratio - 1)) / Math.log(DEFAULT_COURSE_SESSIONS);
    return { band, fit: { a, b, tolerance: rule.threshold, maxSessionNumber: DEFAULT_COURSE_SESSIONS, episodes: 0, points: 0 }, episodes: 0, reason: null };
  });
  return {
    instrumentId,
    direction: definition.direction,
    source: 'default',
    bands,
    tolerance: `the reliable-change threshold (${rule.threshold} points), a default, not evidence`,
  };
}

export type OnTrackStatus = 'on_track' | 'not_on_track' | 'no_trajectory';

export type NotOnTrackResult = {
  readonly status: OnTrackStatus;
  /** null when no trajectory covers the client's intake band. */
  readonly onTrack: boolean | null;
  readonly expected: number | null;
  /** The band's worse edge when higher is worse (score above it is not on track); null otherwise. */
  readonly upperBound: number | null;
  /** The band's worse edge when higher is better (score below it is not on track); null otherwise. */
  readonly lowerBound: number | null;
  readonly tolerance: number | null;
  readonly source: 'organisation' | 'default' | null;
  readonly band: SeverityBand | null;
  readonly score: number;
  readonly sessionNumber: number;
  /** The session whose expectation was used: `sessionNumber` capped at the curve's last session. */
  readonly evaluatedAtSession: number | null;
};

/**
 * Whether `score` at `sessionNumber` is within the tolerance band of the expected curve for the
 * client's intake band. The organisation's fit is used when it exists for that band, else the default.
 * At the band's edge counts as on track; only a score beyond it in the worse direction is not.
 */
export function notOnTrack(
  score: number,
  sessionNumber: number,
  intakeScore: number,
  trajectories: { readonly organisation?: ExpectedTrajectories | null; readonly default?: ExpectedTrajectories | null },
): NotOnTrackResult {
  requireFinite('score', score);
  requireFinite('intakeScore', intakeScore);
  if (!Number.isInteger(sessionNumber) || sessionNumber < 1) throw new AnalysisError('sessionNumber', 'must be a whole number, 1 or more');
  const { organisation, default: fallback } = trajectories;
  if (organisation && fallback && organisation.instrumentId !== fallback.instrumentId) {
    throw new AnalysisError('trajectories', `organisation curves are for ${organisation.instrumentId}, default curves for ${fallback.instrumentId}`);
  }
  const none: NotOnTrackResult = {
    status: 'no_trajectory',
    onTrack: null,
    expected: null,
    upperBound: null,
    lowerBound: null,
    tolerance: null,
    source: null,
    band: null,
    score,
    sessionNumber,
    evaluatedAtSession: null,
  };
  for (const candidate of [organisation, fallback]) {
    if (!candidate) continue;
    const band = bandFor(
      candidate.bands.map((entry) => entry.band),
      intakeScore,
    );
    const fit = band ? candidate.bands.find((entry) => entry.band.id === band.id)?.fit : null;
    if (!band || !fit) continue;
    const evaluatedAtSession = Math.min(sessionNumber, fit.maxSessionNumber);
    const expected = fit.a + fit.b * Math.log(evaluatedAtSession);
    const higherIsWorse = candidate.direction === 'higher-is-worse';
    const upperBound = higherIsWorse ? expected + fit.tolerance : null;
    const lowerBound = higherIsWorse ? null : expected - fit.tolerance;
    const onTrack = higherIsWorse ? score <= (upperBound as number) + EPSILON : score >= (lowerBound as number) - EPSILON;
    return {
      status: onTrack ? 'on_track' : 'not_on_track',
      onTrack,
      expected,
      upperBound,
      lowerBound,
      tolerance: fit.tolerance,
      source: candidate.source,
      band,
      score,
      sessionNumber,
      evaluatedAtSession,
    };
  }
  return none;
}
