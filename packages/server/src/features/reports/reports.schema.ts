import { z } from 'zod';

const isoDate = z.iso.date('Use the format YYYY-MM-DD.');

export const outcomeReportQuery = z
  .strictObject({
    from: isoDate,
    to: isoDate,
    programmeId: z.uuid().optional(),
    /** A therapist; a clinician may only ask for themselves (and gets their own caseload by default). */
    clinicianId: z.uuid().optional(),
  })
  .refine((q) => q.from <= q.to, { message: 'The period must not end before it starts.', path: ['to'] });

export const clientReportParams = z.strictObject({ clientId: z.uuid() });

const rate = z.object({ numerator: z.number().int(), denominator: z.number().int(), rate: z.number().nullable() });
const change = z.object({
  instrumentId: z.string(),
  n: z.number().int(),
  meanFirst: z.number().nullable(),
  meanLast: z.number().nullable(),
  meanChange: z.number().nullable(),
  sdFirst: z.number().nullable(),
  effectSize: z.number().nullable(),
});
const group = z.object({ therapistId: z.uuid().nullable(), name: z.string().nullable(), pooled: z.boolean(), therapists: z.number().int() });
/** `reasonCode` says why unnamed therapists are not shown (reports.report.ts `poolNote`); `reason` in words. */
const pool = z.object({ pooledTherapists: z.number().int(), shown: z.boolean(), reasonCode: z.enum(['pool_too_small', 'therapist_not_consented']).nullable(), reason: z.string().nullable() });

export const outcomeReportView = z.object({
  scope: z.object({ from: z.string(), to: z.string(), programmeId: z.uuid().nullable(), clinicianId: z.uuid().nullable() }),
  talkingTherapies: z.object({
    endedEpisodes: z.number().int(),
    finishedCourses: z.number().int(),
    finishedWithoutPairedScores: z.number().int(),
    finishedWithPairedScores: z.number().int(),
    notAtCaseness: z.number().int(),
    recovery: rate,
    reliableImprovement: rate,
    reliableRecovery: rate,
    reliableDeterioration: rate,
    dropout: rate,
  }),
  jacobsonTruax: z.object({ available: z.boolean(), categories: z.array(z.object({ category: z.string(), count: z.number().int() })) }),
  change: z.array(change),
  changeByTherapist: z.array(group.extend(change.shape)),
  changeByTherapistPool: pool,
  adherence: z.object({ sent: z.number().int(), completed: z.number().int(), expired: z.number().int(), completion: rate, sessionsRated: rate }),
  alertAcknowledgement: z.object({ raised: z.number().int(), acknowledged: z.number().int(), medianHours: z.number().nullable(), p90Hours: z.number().nullable() }),
  discussedWithClient: z.object({ available: z.boolean(), share: rate }),
  allianceByTherapist: z.array(
    group.extend({ clientForm: z.string(), sessions: z.number().int(), meanClientAlliance: z.number().nullable(), pairedSessions: z.number().int(), meanGap: z.number().nullable() }),
  ),
  alliancePool: pool,
});
