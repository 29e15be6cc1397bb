import type { EpisodeRow } from './episodes.queries';

/** The only shape of an episode of care sent out. */
export function presentEpisode(e: EpisodeRow) {
  return {
    id: e.id,
    clientId: e.clientId,
    programmeId: e.programmeId,
    primaryClinicianId: e.primaryClinicianId,
    presentingProblem: e.presentingProblem,
    startedOn: e.startedOn,
    endedOn: e.endedOn,
    endReason: e.endReason,
    status: e.endedOn === null ? ('open' as const) : ('closed' as const),
    createdAt: e.createdAt.toISOString(),
  };
}
