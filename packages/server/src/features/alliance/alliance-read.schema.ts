import { z } from 'zod';

/**
 * Request and response shapes of the alliance read side (issue 5 item 7). The nested evidence
 * objects come straight from `@rapport/analysis` (documented there), so they are passed through.
 */

export const clientParams = z.strictObject({ clientId: z.uuid() });
export const userParams = z.strictObject({ userId: z.uuid() });

export const episodeQuery = z.strictObject({ episodeId: z.uuid().optional() });
export const trajectoryQuery = z.strictObject({
  instrumentId: z.string().min(1).max(64).default('phq9'),
  episodeId: z.uuid().optional(),
});

const evidence = z.record(z.string(), z.unknown());

export const allianceView = z.object({
  clientId: z.uuid(),
  /** Sessions this caller still has to rate: the client's score of each is hidden until they do (blind rating). */
  ratingsOwed: z.array(z.object({ appointmentId: z.uuid(), blindUntil: z.string() })),
  episodes: z.array(
    z.object({
      episodeId: z.uuid(),
      startedOn: z.string(),
      endedOn: z.string().nullable(),
      measures: z.array(
        z.object({
          clientInstrumentId: z.string(),
          therapistInstrumentId: z.string(),
          range: z.object({ min: z.number(), max: z.number() }),
          sessions: z.array(evidence),
          ruptures: z.array(evidence),
          gapTrend: evidence,
        }),
      ),
    }),
  ),
  rulesVersion: z.string(),
});

export const trajectoryView = z.object({
  clientId: z.uuid(),
  episodeId: z.uuid(),
  instrumentId: z.string(),
  range: z.object({ min: z.number(), max: z.number() }),
  direction: z.string(),
  bands: z.array(evidence),
  caseness: z.object({ operator: z.string(), value: z.number() }).nullable(),
  points: z.array(evidence),
  /** The expected curve with its tolerance band; `source` says whether the organisation's fit or the documented default was used. */
  expectedBand: evidence.nullable(),
  rulesVersion: z.string(),
});

export const dropoutRiskView = z.object({
  clientId: z.uuid(),
  episodeId: z.uuid(),
  score: z.number(),
  level: z.enum(['low', 'medium', 'high']),
  cutPoints: evidence,
  contributions: z.array(z.object({ factor: z.string(), points: z.number(), detail: z.string() })),
  factors: evidence,
  points: evidence,
  /** Always: the weights are derived from the literature's direction of effect, not validated (facts.md B5). */
  note: z.string(),
  rulesVersion: z.string(),
});

const calibrationStats = z.object({
  n: z.number(),
  meanGap: z.number().nullable(),
  sdGap: z.number().nullable(),
  confidenceInterval: z.object({ lower: z.number(), upper: z.number(), level: z.number() }).nullable(),
  therapistAboveCount: z.number(),
  therapistAboveShare: z.number().nullable(),
  correlation: z.number().nullable(),
});

const calibrationReportView = z.object({
  thresholdPercent: z.number(),
  overall: calibrationStats,
  byMonth: z.array(calibrationStats.extend({ month: z.string() })),
});

export const calibrationView = z.object({
  userId: z.uuid(),
  report: calibrationReportView,
  /** The organisation's pooled figures, only when at least `minTherapists` therapists contribute; never names anyone. */
  organisation: calibrationReportView.extend({ therapists: z.number() }).nullable(),
  minTherapists: z.number(),
  rulesVersion: z.string(),
});
