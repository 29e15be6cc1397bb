import { z } from 'zod';
import { episodeEndReasons } from '../../db/schema';

/**
 * Presenting problems, as the NHS Talking Therapies table that pairs each with its anxiety measure
 * (facts.md B2, Clark et al. 2018 Table 2: depression, GAD, mixed anxiety/depression, no problem
 * descriptor, social anxiety, PTSD, agoraphobia, OCD, panic, health anxiety), plus `other`.
 * PHQ-9 is always the depression measure; this code chooses the anxiety one.
 */
export const presentingProblems = [
  'depression',
  'gad',
  'mixed',
  'none',
  'social_anxiety',
  'ptsd',
  'agoraphobia',
  'ocd',
  'panic',
  'health_anxiety',
  'other',
] as const;
export type PresentingProblem = (typeof presentingProblems)[number];

const isoDate = z.iso.date('Use the format YYYY-MM-DD.');

export const episodeListParams = z.strictObject({ clientId: z.uuid() });
export const episodeParams = z.strictObject({ clientId: z.uuid(), episodeId: z.uuid() });

export const episodeCreateBody = z.strictObject({
  programmeId: z.uuid().nullable().optional(),
  /** Defaults to the caller when the caller is a clinician. */
  primaryClinicianId: z.uuid().optional(),
  presentingProblem: z.enum(presentingProblems),
  startedOn: isoDate,
});

export const episodeUpdateBody = z.strictObject({
  programmeId: z.uuid().nullable().optional(),
  primaryClinicianId: z.uuid().optional(),
  presentingProblem: z.enum(presentingProblems).optional(),
  startedOn: isoDate.optional(),
});

export const episodeCloseBody = z.strictObject({
  endedOn: isoDate,
  endReason: z.enum(episodeEndReasons),
});

export const episodeView = z.object({
  id: z.uuid(),
  clientId: z.uuid(),
  programmeId: z.uuid().nullable(),
  primaryClinicianId: z.uuid(),
  presentingProblem: z.string().nullable(),
  startedOn: z.string(),
  endedOn: z.string().nullable(),
  endReason: z.enum(episodeEndReasons).nullable(),
  status: z.enum(['open', 'closed']),
  createdAt: z.string(),
});
