import { z } from 'zod';
import { invalidDefinition } from './errors';

/**
 * The definition format: one questionnaire as data. Built-in instruments, a clinic's custom
 * instruments and (for wording only) licensed content packs all go through these schemas, so a
 * definition that loads is one the engine can score.
 */

const slug = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower-case letters, digits and underscores');
const languageTag = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as en or fr');

/** Text by language, e.g. `{ en: 'Feeling down', fr: 'Se sentir triste' }`. */
export const localisedTextSchema = z
  .record(languageTag, z.string().min(1))
  .refine((text) => Object.keys(text).length > 0, 'needs at least one language');

const optionSchema = z.object({
  /** Integer option values keep scoring exact; a scale needing fractions is a visual-analogue line. */
  value: z.number().int(),
  label: localisedTextSchema.optional(),
});

const optionsResponseSchema = z.object({
  kind: z.literal('options'),
  options: z.array(optionSchema).min(2),
});

const visualAnalogueResponseSchema = z.object({
  kind: z.literal('visual-analogue'),
  min: z.number().finite(),
  max: z.number().finite(),
  step: z.number().positive(),
  anchors: z.object({ min: localisedTextSchema.optional(), max: localisedTextSchema.optional() }).optional(),
});

const responseSchema = z.discriminatedUnion('kind', [optionsResponseSchema, visualAnalogueResponseSchema]);

const itemSchema = z.object({
  id: slug,
  /** Absent for structure-only instruments: the wording comes from a licensed content pack. */
  text: localisedTextSchema.optional(),
  response: responseSchema,
  /** Scored value = (lowest option value + highest option value) − raw value. */
  reverse: z.boolean().default(false),
  /** A required scored item that is unanswered counts as missing; an optional one (PHQ-15 item 4 for men) does not. */
  required: z.boolean().default(true),
  /** Unscored items (the PHQ-9 difficulty item) are collected but never enter a score or count as missing. */
  scored: z.boolean().default(true),
  note: z.string().optional(),
});

/** A severity band. Bounds are inclusive integers (facts.md "Shared conventions"). */
const bandSchema = z.object({
  id: slug,
  label: z.string().min(1),
  min: z.number().int(),
  max: z.number().int(),
});

const cutoffSchema = z.object({
  id: slug,
  label: z.string().min(1),
  operator: z.enum(['>=', '>', '<=', '<']),
  value: z.number().finite(),
  source: z.string().min(1),
});

const rangeSchema = z.object({ min: z.number().finite(), max: z.number().finite() });

const subscaleSchema = z.object({
  id: slug,
  label: z.string().min(1),
  items: z.array(slug).min(1),
  range: rangeSchema,
  bands: z.array(bandSchema).default([]),
});

/**
 * A rule that counts items at or above a threshold in groups, e.g. the PCL-5 DSM-5 provisional
 * diagnosis (≥1 B, ≥1 C, ≥2 D, ≥2 E symptoms rated 2 or more). Reported in `interpretations`.
 */
const itemCountRuleSchema = z.object({
  id: slug,
  label: z.string().min(1),
  combine: z.enum(['all', 'any']),
  groups: z
    .array(z.object({ items: z.array(slug).min(1), threshold: z.number().finite(), minCount: z.number().int().min(1) }))
    .min(1),
  source: z.string().min(1),
});

const missingRuleSchema = z.discriminatedUnion('rule', [
  /** Any missing required item makes the form unscorable. */
  z.object({ rule: z.literal('none'), source: z.string().min(1) }),
  /** Up to `maxMissing` missing items are replaced by the mean of the answered ones. */
  z.object({ rule: z.literal('prorate'), maxMissing: z.number().int().min(1), source: z.string().min(1) }),
]);

const scoringSchema = z.object({
  /** `sum` adds scored values; `mean` averages the answered ones (ARM-5). */
  method: z.enum(['sum', 'mean']),
  /** Applied to the total and to every subscale (DASS-21 ×2, WHO-5 ×4). */
  multiplier: z.number().positive().default(1),
  missing: missingRuleSchema,
  subscales: z.array(subscaleSchema).default([]),
  rules: z.array(itemCountRuleSchema).default([]),
});

const reliableChangeSchema = z.discriminatedUnion('method', [
  /** A published minimum change, inclusive (NHS Talking Therapies: PHQ-9 ≥ 6). */
  z.object({ method: z.literal('published'), threshold: z.number().positive(), source: z.string().min(1) }),
  /** Jacobson & Truax (1991): |RC| > 1.96 with S_diff = √2 · sd · √(1 − reliability). */
  z.object({
    method: z.literal('jacobson-truax'),
    sd: z.number().positive(),
    reliability: z.number().gt(0).lt(1),
    source: z.string().min(1),
  }),
]);

const normSchema = z.object({ mean: z.number().finite(), sd: z.number().positive() });

const clinicalSignificanceSchema = z.object({
  clinical: normSchema,
  functional: normSchema.optional(),
  source: z.string().min(1),
});

const riskItemSchema = z.object({
  itemId: slug,
  /** Flag when the item's scored value (after any reversal) is at least this. */
  threshold: z.number().finite(),
  kind: z.enum(['suicidal-ideation', 'suicide-plans', 'self-harm']),
  /**
   * True when the manual does not declare the item a risk item and Rapport flags it for clinical
   * safety (CORE-10 item 6). Shown as such so nobody mistakes it for a scoring rule.
   */
  clinicalSafety: z.boolean().default(false),
  source: z.string().min(1),
});

const loincSchema = z.object({
  panel: z.string().optional(),
  total: z.string().optional(),
  items: z.record(slug, z.string()).default({}),
  /** Answer codes keyed by option value, for items that share one answer list. */
  answers: z.record(z.string(), z.string()).default({}),
  source: z.string().min(1),
});

const licenceSchema = z.object({
  status: z.enum([
    'public-domain',
    'cc-by-4.0',
    'cc-by-nd-4.0',
    'free-with-attribution',
    'non-commercial',
    'licence-required',
    'unresolved',
    'clinic-owned',
  ]),
  /** Whether Rapport may ship the wording. False means the wording must come from a licensed content pack. */
  mayShipWording: z.boolean(),
  statement: z.string().optional(),
  attribution: z.string().optional(),
  copyright: z.string().optional(),
  source: z.string().min(1),
});

const parallelFormSchema = z.object({
  instrumentId: slug,
  /** This form's item id → the parallel form's item id, item by item. */
  items: z.record(slug, slug),
  note: z.string().optional(),
});

export const definitionSchema = z
  .object({
    id: slug,
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a semantic version such as 1.0.0'),
    names: z.object({ short: z.string().min(1), full: z.string().min(1) }),
    construct: z.string().min(1),
    respondent: z.enum(['client', 'clinician']),
    timeFrame: z.string().min(1),
    stem: localisedTextSchema.optional(),
    instructions: localisedTextSchema.optional(),
    items: z.array(itemSchema).min(1),
    scoring: scoringSchema,
    range: rangeSchema,
    direction: z.enum(['higher-is-worse', 'higher-is-better']),
    bands: z.array(bandSchema).default([]),
    caseness: cutoffSchema.optional(),
    cutoffs: z.array(cutoffSchema).default([]),
    reliableChange: reliableChangeSchema.optional(),
    clinicalSignificance: clinicalSignificanceSchema.optional(),
    risk: z.array(riskItemSchema).default([]),
    loinc: loincSchema.optional(),
    licence: licenceSchema,
    citation: z.string().min(1),
    parallelForm: parallelFormSchema.optional(),
    /** `not-validated` instruments carry a warning that every screen must show, and may have no cut-offs. */
    validation: z.discriminatedUnion('status', [
      z.object({ status: z.literal('validated') }),
      z.object({ status: z.literal('not-validated'), warning: localisedTextSchema }),
    ]),
    /** Conventions chosen where the sources are silent or unverified, and other caveats. */
    notes: z.array(z.string()).default([]),
  })
  .superRefine((definition, context) => {
    for (const issue of checkConsistency(definition)) context.addIssue({ code: 'custom', message: issue });
  });

export type InstrumentDefinitionInput = z.input<typeof definitionSchema>;
type ParsedDefinition = z.output<typeof definitionSchema>;

/** A validated, frozen definition. `needsLicensedWording` is true when any item has no text. */
export type InstrumentDefinition = ParsedDefinition & { readonly needsLicensedWording: boolean };
export type InstrumentItem = ParsedDefinition['items'][number];
export type ItemResponse = InstrumentItem['response'];
export type Band = ParsedDefinition['bands'][number];
export type Cutoff = NonNullable<ParsedDefinition['caseness']>;
export type Subscale = ParsedDefinition['scoring']['subscales'][number];
export type ItemCountRule = ParsedDefinition['scoring']['rules'][number];
export type RiskItem = ParsedDefinition['risk'][number];
export type Licence = ParsedDefinition['licence'];
export type ParallelForm = NonNullable<ParsedDefinition['parallelForm']>;
export type LocalisedText = Record<string, string>;

/** Lowest and highest value an item can score, after reversal (reversal maps the range onto itself). */
export function itemValueRange(item: InstrumentItem): { min: number; max: number } {
  if (item.response.kind === 'visual-analogue') return { min: item.response.min, max: item.response.max };
  let min = Infinity;
  let max = -Infinity;
  for (const option of item.response.options) {
    if (option.value < min) min = option.value;
    if (option.value > max) max = option.value;
  }
  return { min, max };
}

function checkBands(bands: readonly { id: string; min: number; max: number }[], range: { min: number; max: number }, where: string): string[] {
  const issues: string[] = [];
  if (bands.length === 0) return issues;
  const first = bands[0];
  const last = bands[bands.length - 1];
  if (first && first.min !== Math.ceil(range.min)) issues.push(`${where}: first band must start at the range minimum ${range.min}`);
  if (last && last.max !== Math.floor(range.max)) issues.push(`${where}: last band must end at the range maximum ${range.max}`);
  for (let index = 0; index < bands.length; index++) {
    const band = bands[index];
    const next = bands[index + 1];
    if (!band) continue;
    if (band.min > band.max) issues.push(`${where}: band ${band.id} has min above max`);
    if (next && next.min !== band.max + 1) issues.push(`${where}: band ${next.id} must start right after band ${band.id}`);
  }
  return issues;
}

function checkConsistency(definition: ParsedDefinition): string[] {
  const issues: string[] = [];
  const itemsById = new Map<string, InstrumentItem>();
  for (const item of definition.items) {
    if (itemsById.has(item.id)) issues.push(`duplicate item ${item.id}`);
    itemsById.set(item.id, item);
    if (item.response.kind === 'options') {
      const values = item.response.options.map((option) => option.value);
      if (new Set(values).size !== values.length) issues.push(`item ${item.id} has duplicate option values`);
      if (Math.max(...values) - Math.min(...values) > 1000) issues.push(`item ${item.id}: option values may span at most 1000`);
    } else {
      const { min, max, step } = item.response;
      if (min >= max) issues.push(`item ${item.id}: visual-analogue min must be below max`);
      const steps = (max - min) / step;
      if (Math.abs(steps - Math.round(steps)) > 1e-9) issues.push(`item ${item.id}: the range must be a whole number of steps`);
    }
  }
  const scored = definition.items.filter((item) => item.scored);
  if (scored.length === 0) issues.push('needs at least one scored item');

  const knownScored = (id: string, where: string): void => {
    const item = itemsById.get(id);
    if (!item) issues.push(`${where} refers to unknown item ${id}`);
    else if (!item.scored) issues.push(`${where} refers to unscored item ${id}`);
  };

  // The declared range must be the range the items can produce, so a typo in either shows up here.
  const computed = computeRange(scored, definition.scoring.method, definition.scoring.multiplier);
  if (scored.length > 0 && (!closeTo(computed.min, definition.range.min) || !closeTo(computed.max, definition.range.max))) {
    issues.push(`range ${definition.range.min}–${definition.range.max} does not match the items (${computed.min}–${computed.max})`);
  }
  issues.push(...checkBands(definition.bands, definition.range, 'bands'));

  for (const subscale of definition.scoring.subscales) {
    for (const id of subscale.items) knownScored(id, `subscale ${subscale.id}`);
    const items = subscale.items.map((id) => itemsById.get(id)).filter((item): item is InstrumentItem => item !== undefined);
    const subRange = computeRange(items, definition.scoring.method, definition.scoring.multiplier);
    if (!closeTo(subRange.min, subscale.range.min) || !closeTo(subRange.max, subscale.range.max)) {
      issues.push(`subscale ${subscale.id}: range ${subscale.range.min}–${subscale.range.max} does not match its items (${subRange.min}–${subRange.max})`);
    }
    issues.push(...checkBands(subscale.bands, subscale.range, `subscale ${subscale.id}`));
  }
  for (const rule of definition.scoring.rules) for (const group of rule.groups) for (const id of group.items) knownScored(id, `rule ${rule.id}`);
  for (const risk of definition.risk) if (!itemsById.has(risk.itemId)) issues.push(`risk item ${risk.itemId} is not an item`);
  if (definition.loinc) for (const id of Object.keys(definition.loinc.items)) if (!itemsById.has(id)) issues.push(`LOINC code for unknown item ${id}`);
  if (definition.parallelForm) {
    for (const id of Object.keys(definition.parallelForm.items)) if (!itemsById.has(id)) issues.push(`parallel form maps unknown item ${id}`);
  }

  const hasWording = definition.items.some((item) => item.text !== undefined);
  if (!definition.licence.mayShipWording && hasWording) {
    issues.push('the licence does not allow shipping the wording, so no item may carry text');
  }
  if (definition.validation.status === 'not-validated' && (definition.caseness || definition.cutoffs.length > 0)) {
    issues.push('a not-validated instrument may not declare cut-offs');
  }
  return issues;
}

function computeRange(items: readonly InstrumentItem[], method: 'sum' | 'mean', multiplier: number): { min: number; max: number } {
  let min = 0;
  let max = 0;
  for (const item of items) {
    const range = itemValueRange(item);
    min += range.min;
    max += range.max;
  }
  if (method === 'mean' && items.length > 0) {
    min /= items.length;
    max /= items.length;
  }
  return { min: min * multiplier, max: max * multiplier };
}

function closeTo(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Validates a definition (built-in or a clinic's own) and returns it frozen, with defaults filled
 * in. Throws `InstrumentError` with code `invalid_definition` listing every problem found.
 */
export function validateDefinition(input: unknown): InstrumentDefinition {
  const result = definitionSchema.safeParse(input);
  const id = typeof input === 'object' && input !== null && typeof (input as { id?: unknown }).id === 'string' ? (input as { id: string }).id : '(no id)';
  if (!result.success) {
    throw invalidDefinition(
      id,
      result.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)),
    );
  }
  const needsWording = result.data.items.some((item) => item.text === undefined);
  return deepFreeze({ ...result.data, needsLicensedWording: needsWording });
}
