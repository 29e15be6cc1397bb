import { auc, notOnTrack, reliableDeterioration, sensitivitySpecificity, RULES_VERSION, type ExpectedTrajectories } from '@rapport/analysis';
import type { EpisodeData } from '../alliance/episode-data';
import { defaultTrajectoriesFor, dropoutRiskOf, symptomSeries, type OrganisationAllianceScores } from '../alliance/alliance.analysis';

/** Closed episodes an organisation needs before its own validity report is computed (issue 5 "How good it must be"). */
export const MIN_CLOSED_EPISODES = 50;
/** The dropout score is judged as the episode stood after this many attended appointments. */
export const DROPOUT_SCORE_AT_SESSION = 3;
/** The not-on-track alert is judged on PHQ-9 scores 2…4 (the early-warning window) … */
export const EARLY_WINDOW_LAST_SCORE = 4;
/** … against reliable deterioration at the episode's last PHQ-9 score, in episodes with at least this many scores (so the outcome comes later). */
export const MIN_PHQ9_SCORES = 5;

export type ScoreValidityContext = {
  organisationScores: OrganisationAllianceScores;
  organisationTrajectories: ReadonlyMap<string, ExpectedTrajectories | null>;
};

/**
 * How well the scores predicted what happened in closed episodes (issue 5): the dropout points score
 * at session 3 against actual dropout (end reason `dropped_out`; episodes with at least three
 * attended appointments) as an AUC, plus sensitivity and specificity of its `high` level; and the
 * not-on-track alert on PHQ-9 scores 2–4 against reliable deterioration at the last PHQ-9 score
 * (episodes with at least five PHQ-9 scores). The curves are those the alert engine would use (the
 * organisation's fit where it has one, fitted in-sample, else the documented default).
 */
export function scoreValidity(closedEpisodes: readonly EpisodeData[], context: ScoreValidityContext) {
  const dropoutScores: number[] = [];
  const dropoutHigh: boolean[] = [];
  const droppedOut: boolean[] = [];
  const flagged: boolean[] = [];
  const deteriorated: boolean[] = [];
  for (const episode of closedEpisodes) {
    const attended = episode.appointments.filter((a) => a.status === 'attended').length;
    if (attended >= DROPOUT_SCORE_AT_SESSION) {
      const { result } = dropoutRiskOf(episode, { ...context, isHidden: () => false, upToAttended: DROPOUT_SCORE_AT_SESSION, now: new Date(`${episode.endedOn}T00:00:00Z`) });
      dropoutScores.push(result.score);
      dropoutHigh.push(result.level === 'high');
      droppedOut.push(episode.endReason === 'dropped_out');
    }
    const phq9 = symptomSeries(episode, 'phq9');
    if (phq9.length >= MIN_PHQ9_SCORES) {
      const intake = phq9[0]!.total;
      const curves = { organisation: context.organisationTrajectories.get('phq9') ?? null, default: defaultTrajectoriesFor('phq9') };
      flagged.push(phq9.slice(1, EARLY_WINDOW_LAST_SCORE).some((r, i) => notOnTrack(r.total, i + 2, intake, curves).status === 'not_on_track'));
      deteriorated.push(reliableDeterioration('phq9', intake, phq9[phq9.length - 1]!.total).status === 'deteriorated');
    }
  }
  const dropoutAuc = auc(dropoutScores, droppedOut);
  const high = sensitivitySpecificity(dropoutHigh, droppedOut);
  const notOnTrackResult = sensitivitySpecificity(flagged, deteriorated);
  return {
    closedEpisodes: closedEpisodes.length,
    dropout: {
      episodes: dropoutScores.length,
      droppedOut: dropoutAuc.positives,
      auc: dropoutAuc.auc,
      highLevel: { sensitivity: high.sensitivity, specificity: high.specificity, positivePredictiveValue: high.positivePredictiveValue },
      definition: `dropout points score as the episode stood after its ${DROPOUT_SCORE_AT_SESSION}rd attended appointment, against end reason dropped_out; episodes with at least ${DROPOUT_SCORE_AT_SESSION} attended appointments`,
    },
    notOnTrack: {
      episodes: flagged.length,
      deteriorated: deteriorated.filter(Boolean).length,
      flagged: flagged.filter(Boolean).length,
      sensitivity: notOnTrackResult.sensitivity,
      specificity: notOnTrackResult.specificity,
      positivePredictiveValue: notOnTrackResult.positivePredictiveValue,
      definition: `not on track (PHQ-9) at any of scores 2–${EARLY_WINDOW_LAST_SCORE}, against reliable deterioration (PHQ-9, 6 points) at the last score; episodes with at least ${MIN_PHQ9_SCORES} PHQ-9 scores`,
      curves: context.organisationTrajectories.get('phq9')?.bands.some((b) => b.fit) ? 'organisation fit (in-sample) where a band has enough episodes, else the documented default' : 'the documented default',
    },
    rulesVersion: RULES_VERSION,
  };
}
