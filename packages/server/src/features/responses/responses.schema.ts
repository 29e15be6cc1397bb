import { z } from 'zod';

/** Request and response shapes of a client's completed responses with their item answers (issue 6). */

export const responseListParams = z.strictObject({ clientId: z.uuid() });

export const responseListQuery = z.strictObject({
  /** Only this instrument's responses (`phq9`, or a clinic's own instrument id). */
  instrumentId: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'must be an instrument id such as phq9')
    .max(64)
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().max(400).optional(),
});

const localised = z.record(z.string(), z.string());

export const responseItemView = z.object({
  itemId: z.string(),
  /** Position in the questionnaire, 1-based: all that is shown where the wording is licensed and the clinic has no pack. */
  number: z.number().int(),
  /** The item's wording by language, or null where the licence does not let Rapport show it. */
  text: localised.nullable(),
  value: z.number().nullable(),
  /** The chosen option's label by language (null for a visual-analogue line, an unanswered item or unlicensed wording). */
  answerLabel: localised.nullable(),
  scored: z.boolean(),
  /** The definition's risk rule for this item, or null when it is not a risk item. */
  risk: z.object({ kind: z.string(), threshold: z.number(), clinicalSafety: z.boolean() }).nullable(),
  /** The risk item was endorsed at or above its threshold (as flagged when the response was scored). */
  endorsed: z.boolean(),
  /** The risk item was left unanswered (flagged: it needs asking about). */
  riskUnanswered: z.boolean(),
});

export const responseView = z.object({
  id: z.uuid(),
  instrument: z.object({ id: z.string(), version: z.string(), shortName: z.string(), name: z.string() }),
  respondent: z.enum(['client', 'clinician']),
  respondentUserId: z.uuid().nullable(),
  respondentName: z.string().nullable(),
  completedAt: z.string(),
  episodeId: z.uuid().nullable(),
  appointment: z.object({ id: z.uuid(), startsAt: z.string() }).nullable(),
  /** This response corrects an earlier one (only the latest version of a corrected response is listed). */
  supersedesId: z.uuid().nullable(),
  scores: z.object({
    total: z.number().nullable(),
    band: z.object({ id: z.string(), label: z.string() }).nullable(),
    prorated: z.boolean().nullable(),
    complete: z.boolean().nullable(),
    subscales: z.array(z.object({ id: z.string(), label: z.string(), score: z.number().nullable(), band: z.object({ id: z.string(), label: z.string() }).nullable() })),
  }),
  items: z.array(responseItemView),
  flags: z.object({
    riskEndorsed: z.boolean(),
    riskUnanswered: z.boolean(),
    items: z.array(z.object({ kind: z.string(), itemId: z.string().nullable(), riskKind: z.string().nullable() })),
  }),
  discussion: z.object({ discussedBy: z.uuid(), discussedByName: z.string().nullable(), discussedAt: z.string(), note: z.string().nullable() }).nullable(),
});

export const responseListView = z.object({ items: z.array(responseView), nextCursor: z.string().nullable() });
