import { z } from 'zod';
import type { InstrumentDefinition, InstrumentItem, LocalisedText } from './definition.schema';
import { localisedTextSchema } from './definition.schema';
import { invalidArgument, invalidContentPack, needsLicensedWording } from './errors';

/**
 * Licensed content packs: a JSON file a clinic provides under its own licence, supplying the
 * wording of a structure-only instrument (or further official translations of a shipped one).
 * Loading checks every item id, option value and language against the structure; rendering is a
 * pure function that returns a new definition with the wording applied.
 */

const languageTag = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/);

const contentPackSchema = z.object({
  format: z.literal('rapport-content-pack'),
  instrumentId: z.string().min(1),
  /** The clinic's licence for this wording: who granted it and how to find the agreement. */
  licence: z.object({
    holder: z.string().min(1),
    reference: z.string().min(1),
    statement: z.string().optional(),
  }),
  languages: z.array(languageTag).min(1),
  stem: localisedTextSchema.optional(),
  instructions: localisedTextSchema.optional(),
  items: z.record(
    z.string(),
    z.object({
      text: localisedTextSchema,
      /** Option labels keyed by option value, e.g. `{ "1": { "en": "Seldom" } }`. */
      options: z.record(z.string(), localisedTextSchema).optional(),
      anchors: z.object({ min: localisedTextSchema.optional(), max: localisedTextSchema.optional() }).optional(),
    }),
  ),
});

export type ContentPackInput = z.input<typeof contentPackSchema>;
export type ContentPack = Readonly<z.output<typeof contentPackSchema>>;

/** A definition ready to show: every item has text in every language of `languages`. */
export type RenderableInstrument = InstrumentDefinition & {
  readonly languages: readonly string[];
  readonly wordingSource: 'built-in' | 'content-pack';
  readonly contentPackLicence: ContentPack['licence'] | null;
};

function languagesOf(text: LocalisedText | undefined): string[] {
  return text ? Object.keys(text) : [];
}

function checkLanguages(issues: string[], where: string, text: LocalisedText | undefined, languages: readonly string[]): void {
  const present = languagesOf(text);
  for (const language of languages) if (!present.includes(language)) issues.push(`${where} has no text in ${language}`);
  for (const language of present) if (!languages.includes(language)) issues.push(`${where} has text in undeclared language ${language}`);
}

/**
 * Validates a content pack against the structure of `definition`. Throws `InstrumentError`
 * (`invalid_content_pack`) listing every mismatch, e.g. `content pack for wai_sr: unknown item wai_sr_13`.
 */
export function validateContentPack(input: unknown, definition: InstrumentDefinition): ContentPack {
  const parsed = contentPackSchema.safeParse(input);
  if (!parsed.success) {
    throw invalidContentPack(
      definition.id,
      parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)),
    );
  }
  const pack = parsed.data;
  if (pack.instrumentId !== definition.id) {
    throw invalidContentPack(definition.id, [`the pack is for ${pack.instrumentId}`]);
  }
  const issues: string[] = [];
  let firstItem: string | undefined;
  const itemIssue = (itemId: string, message: string): void => {
    firstItem ??= itemId;
    issues.push(message);
  };
  const itemsById = new Map(definition.items.map((item) => [item.id, item]));
  for (const itemId of Object.keys(pack.items)) if (!itemsById.has(itemId)) itemIssue(itemId, `unknown item ${itemId}`);
  for (const item of definition.items) {
    const wording = pack.items[item.id];
    if (!wording) {
      // A pack supplies complete wording for its languages, so every item must be there.
      itemIssue(item.id, `missing item ${item.id}`);
      continue;
    }
    const before = issues.length;
    checkLanguages(issues, `item ${item.id}`, wording.text, pack.languages);
    if (item.response.kind === 'options') {
      if (wording.anchors) issues.push(`item ${item.id} has options, not visual-analogue anchors`);
      const values = item.response.options.map((option) => String(option.value));
      for (const value of Object.keys(wording.options ?? {})) if (!values.includes(value)) issues.push(`item ${item.id}: unknown option value ${value}`);
      for (const option of item.response.options) {
        const label = wording.options?.[String(option.value)];
        if (label) checkLanguages(issues, `item ${item.id} option ${option.value}`, label, pack.languages);
        else {
          const shipped = languagesOf(option.label);
          const lacking = pack.languages.filter((language) => !shipped.includes(language));
          if (lacking.length > 0) issues.push(`item ${item.id}: no label for option ${option.value} in ${lacking.join(', ')}`);
        }
      }
    } else {
      if (wording.options) issues.push(`item ${item.id} is a visual-analogue line and has no options`);
      if (wording.anchors?.min) checkLanguages(issues, `item ${item.id} min anchor`, wording.anchors.min, pack.languages);
      if (wording.anchors?.max) checkLanguages(issues, `item ${item.id} max anchor`, wording.anchors.max, pack.languages);
    }
    if (issues.length > before) firstItem ??= item.id;
  }
  if (pack.stem) checkLanguages(issues, 'stem', pack.stem, pack.languages);
  else if (definition.stem) issues.push('the instrument has a stem, so the pack needs one');
  if (pack.instructions) checkLanguages(issues, 'instructions', pack.instructions, pack.languages);
  else if (definition.instructions) issues.push('the instrument has instructions, so the pack needs them');
  if (issues.length > 0) throw invalidContentPack(definition.id, issues, firstItem);
  return Object.freeze(pack);
}

function mergeText(base: LocalisedText | undefined, extra: LocalisedText | undefined): LocalisedText | undefined {
  if (!extra) return base;
  return { ...base, ...extra };
}

function applyToItem(item: InstrumentItem, pack: ContentPack): InstrumentItem {
  const wording = pack.items[item.id];
  if (!wording) return item;
  const text = mergeText(item.text, wording.text);
  if (item.response.kind === 'options') {
    const options = item.response.options.map((option) => {
      const label = mergeText(option.label, wording.options?.[String(option.value)]);
      return label ? { value: option.value, label } : { value: option.value };
    });
    return { ...item, ...(text ? { text } : {}), response: { kind: 'options', options } };
  }
  const anchors = { ...item.response.anchors };
  const min = mergeText(anchors.min, wording.anchors?.min);
  const max = mergeText(anchors.max, wording.anchors?.max);
  return {
    ...item,
    ...(text ? { text } : {}),
    response: { ...item.response, anchors: { ...(min ? { min } : {}), ...(max ? { max } : {}) } },
  };
}

function shippedLanguages(definition: InstrumentDefinition): string[] {
  const first = definition.items.find((item) => item.text);
  return languagesOf(first?.text);
}

/**
 * The definition with its wording, ready to render. A structure-only instrument needs a pack and
 * throws `needs_licensed_wording` without one. Pure: the registry's definition is not changed.
 */
export function applyContentPack(definition: InstrumentDefinition, pack?: ContentPack): RenderableInstrument {
  if (!pack) {
    if (definition.needsLicensedWording) throw needsLicensedWording(definition.id);
    return Object.freeze({ ...definition, languages: shippedLanguages(definition), wordingSource: 'built-in', contentPackLicence: null });
  }
  if (pack.instrumentId !== definition.id) throw invalidArgument(definition.id, `the content pack is for ${pack.instrumentId}`);
  const stem = mergeText(definition.stem, pack.stem);
  const instructions = mergeText(definition.instructions, pack.instructions);
  const languages = [...new Set([...(definition.needsLicensedWording ? [] : shippedLanguages(definition)), ...pack.languages])];
  return Object.freeze({
    ...definition,
    ...(stem ? { stem } : {}),
    ...(instructions ? { instructions } : {}),
    items: definition.items.map((item) => applyToItem(item, pack)),
    needsLicensedWording: false,
    languages,
    wordingSource: 'content-pack' as const,
    contentPackLicence: pack.licence,
  });
}

/** One language's strings, flattened for a form. */
export type LocalisedInstrument = {
  readonly id: string;
  readonly version: string;
  readonly language: string;
  readonly title: string;
  readonly stem: string | null;
  readonly instructions: string | null;
  /** Shown on every screen for a not-validated instrument. */
  readonly warning: string | null;
  readonly attribution: string | null;
  readonly items: readonly {
    readonly id: string;
    readonly text: string;
    readonly required: boolean;
    readonly response:
      | { readonly kind: 'options'; readonly options: readonly { readonly value: number; readonly label: string }[] }
      | { readonly kind: 'visual-analogue'; readonly min: number; readonly max: number; readonly step: number; readonly minLabel: string | null; readonly maxLabel: string | null };
  }[];
};

/** Flattens a renderable instrument to one language. Throws `invalid_argument` if the language is not available. */
export function localiseInstrument(instrument: RenderableInstrument, language: string): LocalisedInstrument {
  if (!instrument.languages.includes(language)) {
    throw invalidArgument(instrument.id, `no wording in ${language}; available: ${instrument.languages.join(', ')}`);
  }
  const pick = (text: LocalisedText | undefined): string | null => text?.[language] ?? null;
  return {
    id: instrument.id,
    version: instrument.version,
    language,
    title: instrument.names.full,
    stem: pick(instrument.stem),
    instructions: pick(instrument.instructions),
    warning: instrument.validation.status === 'not-validated' ? pick(instrument.validation.warning) : null,
    attribution: instrument.licence.attribution ?? null,
    items: instrument.items.map((item) => ({
      id: item.id,
      text: pick(item.text) ?? '',
      required: item.required,
      response:
        item.response.kind === 'options'
          ? { kind: 'options' as const, options: item.response.options.map((option) => ({ value: option.value, label: pick(option.label) ?? String(option.value) })) }
          : {
              kind: 'visual-analogue' as const,
              min: item.response.min,
              max: item.response.max,
              step: item.response.step,
              minLabel: pick(item.response.anchors?.min),
              maxLabel: pick(item.response.anchors?.max),
            },
    })),
  };
}
