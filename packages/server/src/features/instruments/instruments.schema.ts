import { z } from 'zod';

export const instrumentIdParams = z.strictObject({ instrumentId: z.string().min(1).max(100) });

/**
 * Answers keyed by item id. Values are checked by the instruments library, not here, so that any
 * wrong value (out of range, a string, a boolean) is the same 400 `invalid_answer` naming the item.
 */
export const scoreBody = z.strictObject({
  answers: z.record(z.string().min(1).max(100), z.unknown()),
});

/** A content pack or custom definition is JSON the instruments library validates in full. */
export const documentBody = z.record(z.string(), z.unknown());

const source = z.enum(['built-in', 'content-pack', 'custom']);

export const instrumentSummaryView = z.object({
  id: z.string(),
  version: z.string(),
  shortName: z.string(),
  name: z.string(),
  respondent: z.enum(['client', 'clinician']),
  itemCount: z.number().int(),
  direction: z.enum(['higher-is-worse', 'higher-is-better']),
  range: z.object({ min: z.number(), max: z.number() }),
  licenceStatus: z.string(),
  validated: z.boolean(),
  parallelFormId: z.string().nullable(),
  /** Whether the wording can be shown: shipped with Rapport, from the organisation's content pack, or its own. */
  wordingAvailable: z.boolean(),
  source,
});

const uploadSummary = z.object({ instrumentId: z.string(), version: z.number().int(), uploadedAt: z.string() });

export const catalogueView = z.object({
  items: z.array(instrumentSummaryView),
  /** The signed-in staff member's organisation: its current content packs and custom instruments; null when anonymous. */
  organisation: z.object({ contentPacks: z.array(uploadSummary), customInstruments: z.array(uploadSummary) }).nullable(),
});

export const instrumentView = z.object({
  id: z.string(),
  version: z.string(),
  source,
  orgVersion: z.number().int().nullable(),
  wordingAvailable: z.boolean(),
  languages: z.array(z.string()),
  /** The definition: with its wording when it may be shown, the structure alone otherwise. */
  definition: z.record(z.string(), z.unknown()),
});

export const scoreView = z.object({
  instrumentId: z.string(),
  instrumentVersion: z.string(),
  scorerVersion: z.string(),
  complete: z.boolean(),
  total: z.number().nullable(),
  prorated: z.boolean(),
  band: z.object({ id: z.string(), label: z.string() }).nullable(),
  caseness: z.boolean().nullable(),
  subscales: z.record(z.string(), z.object({ score: z.number().nullable(), band: z.object({ id: z.string(), label: z.string() }).nullable() })),
  flags: z.array(z.record(z.string(), z.unknown())),
  missing: z.array(z.string()),
  interpretations: z.array(z.object({ id: z.string(), label: z.string(), met: z.boolean().nullable() })),
});

export const orgInstrumentView = z.object({
  id: z.uuid(),
  instrumentId: z.string(),
  version: z.number().int(),
  /** The latest version: the one in use. */
  current: z.boolean(),
  uploadedAt: z.string(),
  uploadedBy: z.uuid().nullable(),
  uploadedByName: z.string().nullable(),
});

export const contentPackView = orgInstrumentView.extend({
  languages: z.array(z.string()),
  licence: z.object({ holder: z.string(), reference: z.string(), statement: z.string().optional() }),
  /** What the pack unlocks: the built-in instrument, and whether it supplies wording Rapport cannot ship (rather than extra languages). */
  unlocks: z.object({ instrumentId: z.string(), shortName: z.string(), suppliesWording: z.boolean() }),
});

export const customInstrumentView = orgInstrumentView.extend({
  definitionVersion: z.string(),
  shortName: z.string(),
  name: z.string(),
  respondent: z.enum(['client', 'clinician']),
  itemCount: z.number().int(),
});
