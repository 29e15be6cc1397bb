import type { EpisodeOutcomeRow } from './outcomes.queries';

/** A stored episode outcome as sent out. */
export function presentOutcome(row: EpisodeOutcomeRow) {
  return {
    clientId: row.clientId,
    episodeId: row.episodeId,
    provisional: row.provisional,
    episodeClosed: row.episodeClosed,
    attendedTreatmentSessions: row.attendedTreatmentSessions,
    talkingTherapies: row.talkingTherapies,
    talkingTherapiesReason: row.talkingTherapiesReason,
    clinicalSignificance: row.clinicalSignificance,
    clinicalSignificanceReason: row.clinicalSignificanceReason,
    scorerVersion: row.scorerVersion,
    rulesVersion: row.rulesVersion,
    computedAt: row.computedAt.toISOString(),
  };
}
