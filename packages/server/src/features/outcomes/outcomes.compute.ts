import { RULES_VERSION } from '@rapport/analysis';
import { classifyTalkingTherapiesOutcome, clinicalSignificance, pairedAnxietyMeasure, InstrumentError, SCORER_VERSION } from '@rapport/instruments';
import { talkingTherapiesProblem } from '../episodes/presenting-problem';
import type { EpisodeData } from '../alliance/episode-data';
import { symptomSeries } from '../alliance/alliance.analysis';


export type EpisodeOutcome = {
  provisional: boolean;
  episodeClosed: boolean;
  attendedTreatmentSessions: number;
  talkingTherapies: Record<string, unknown> | null;
  talkingTherapiesReason: string | null;
  clinicalSignificance: Record<string, unknown> | null;
  clinicalSignificanceReason: string | null;
  scorerVersion: string;
  rulesVersion: string;
};

/**
 * An episode's outcome (issue 5 item 5), pure: the NHS Talking Therapies classification from the
 * first and last PHQ-9 and the anxiety measure paired with the presenting problem (GAD-7 standing in
 * when the recommended one is not available, as the manual says), with the attended treatment
 * sessions; and the Jacobson–Truax category on CORE-10 (first → last). Each needs two scores of its
 * measures; otherwise it is null with the reason. Provisional while the episode is open or when it
 * did not finish a course (fewer than two attended treatment sessions, facts.md B2).
 */
export function episodeOutcomeOf(data: EpisodeData): EpisodeOutcome {
  const attendedTreatmentSessions = data.appointments.filter((a) => a.status === 'attended' && a.kind === 'treatment').length;
  const episodeClosed = data.endedOn !== null;
  const problem = talkingTherapiesProblem(data.presentingProblem);
  const pairing = pairedAnxietyMeasure(problem);
  const phq9 = symptomSeries(data, 'phq9');
  const anxiety = symptomSeries(data, pairing.instrumentId);

  let talkingTherapies: Record<string, unknown> | null = null;
  let talkingTherapiesReason: string | null = null;
  let finishedCourse = false;
  if (phq9.length < 2) talkingTherapiesReason = `needs at least two PHQ-9 scores (has ${phq9.length})`;
  else if (anxiety.length < 2) talkingTherapiesReason = `needs at least two ${pairing.instrumentId} scores (has ${anxiety.length})`;
  else {
    const input = {
      depression: { first: phq9[0]!.total, last: phq9[phq9.length - 1]!.total },
      anxiety: { instrumentId: pairing.instrumentId, first: anxiety[0]!.total, last: anxiety[anxiety.length - 1]!.total },
      attendedTreatmentSessions,
      ended: episodeClosed,
    };
    try {
      const result = classifyTalkingTherapiesOutcome(input);
      finishedCourse = result.finishedCourse;
      talkingTherapies = { ...result, inputs: input, pairing, firstResponseIds: { phq9: phq9[0]!.id, anxiety: anxiety[0]!.id }, lastResponseIds: { phq9: phq9[phq9.length - 1]!.id, anxiety: anxiety[anxiety.length - 1]!.id } };
    } catch (error) {
      if (!(error instanceof InstrumentError)) throw error;
      talkingTherapiesReason = error.message;
    }
  }

  let clinical: Record<string, unknown> | null = null;
  let clinicalReason: string | null = null;
  const core10 = symptomSeries(data, 'core10');
  if (core10.length < 2) clinicalReason = `needs at least two CORE-10 scores (has ${core10.length})`;
  else {
    const before = core10[0]!.total;
    const after = core10[core10.length - 1]!.total;
    const result = clinicalSignificance('core10', before, after);
    if (result.available) clinical = { instrumentId: 'core10', before, after, category: result.category, cutoff: result.cutoff, reliableChange: result.reliableChange };
    else clinicalReason = result.reason;
  }

  return {
    provisional: !episodeClosed || !finishedCourse,
    episodeClosed,
    attendedTreatmentSessions,
    talkingTherapies,
    talkingTherapiesReason,
    clinicalSignificance: clinical,
    clinicalSignificanceReason: clinicalReason,
    scorerVersion: SCORER_VERSION,
    rulesVersion: RULES_VERSION,
  };
}
