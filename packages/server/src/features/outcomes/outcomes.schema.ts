import { z } from 'zod';

export const outcomeParams = z.strictObject({ clientId: z.uuid(), episodeId: z.uuid() });

const evidence = z.record(z.string(), z.unknown());

export const outcomeView = z.object({
  clientId: z.uuid(),
  episodeId: z.uuid(),
  /** True while the episode is open or did not finish a course: a provisional reading. */
  provisional: z.boolean(),
  episodeClosed: z.boolean(),
  attendedTreatmentSessions: z.number(),
  talkingTherapies: evidence.nullable(),
  talkingTherapiesReason: z.string().nullable(),
  clinicalSignificance: evidence.nullable(),
  clinicalSignificanceReason: z.string().nullable(),
  scorerVersion: z.string(),
  rulesVersion: z.string(),
  computedAt: z.string(),
});

export const scoreValidityView = z.object({
  status: z.enum(['ready', 'insufficient_data']),
  closedEpisodes: z.number(),
  minimumClosedEpisodes: z.number(),
  /** How many more closed episodes are needed before the report is computed (0 when ready). */
  moreNeeded: z.number(),
  report: evidence.nullable(),
  note: z.string(),
});
