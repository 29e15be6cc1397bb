import type { InstrumentDefinition, InstrumentItem, RenderableInstrument } from '@rapport/instruments';
import type { Coding, Questionnaire, QuestionnaireItem, QuestionnaireItemAnswerOption } from 'fhir/r4';
import {
  LOINC,
  MAX_VALUE_EXTENSION,
  MIN_VALUE_EXTENSION,
  ORDINAL_VALUE_EXTENSION,
  fhirIdOf,
  instrumentSystem,
  pickText,
  questionnaireUrl,
} from './codes';

export type QuestionnaireOptions = {
  /** Language of the item text (default English; falls back to English, then the first language). */
  language?: string;
};

/** The linkId of the display item holding the instrument's stem; `-` never occurs in an item id. */
export const STEM_LINK_ID = 'rapport-stem';

/**
 * The answer coding of option `value` of `item`: the LOINC answer code where the instrument has a
 * LOINC code for the item and one for the value (PHQ-9 `LA6568-5`), else the instrument's own code
 * system with the value as the code.
 */
export function answerCoding(definition: InstrumentDefinition, item: InstrumentItem, value: number): Coding {
  const loincAnswer = definition.loinc?.items[item.id] ? definition.loinc.answers[String(value)] : undefined;
  return loincAnswer ? { system: LOINC, code: loincAnswer } : { system: instrumentSystem(definition.id), code: String(value) };
}

/**
 * The FHIR R4 Questionnaire of an instrument, generated from its definition: LOINC codes on the
 * questionnaire and its items where known, one `answerOption` per option (coded as
 * {@link answerCoding}, with the score as the `ordinalValue` extension), the licence in `copyright`.
 * Item text comes from `renderable` (built-in wording or the clinic's content pack); with
 * `renderable` null (licensed wording missing) the items carry codes but no text, so the server
 * only publishes instruments it can render.
 */
export function toQuestionnaire(definition: InstrumentDefinition, renderable: RenderableInstrument | null, options: QuestionnaireOptions = {}): Questionnaire {
  const language = options.language ?? 'en';
  const source = renderable ?? definition;
  const items: QuestionnaireItem[] = [];
  const stem = pickText(source.stem, language);
  if (stem) items.push({ linkId: STEM_LINK_ID, type: 'display', text: stem });
  for (const item of source.items) items.push(questionnaireItem(definition, item, language));
  const loinc = definition.loinc;
  return {
    resourceType: 'Questionnaire',
    id: fhirIdOf(definition.id),
    url: questionnaireUrl(definition.id),
    version: definition.version,
    name: computableName(definition.names.short),
    title: definition.names.full,
    status: 'active',
    subjectType: ['Patient'],
    ...(renderable ? { language: renderable.languages.includes(language) ? language : (renderable.languages[0] ?? 'en') } : {}),
    description: `${definition.construct}. Time frame: ${definition.timeFrame}.${definition.validation.status === 'not-validated' ? ` ${pickText(definition.validation.warning, language) ?? ''}` : ''}`.trim(),
    copyright: copyrightOf(definition, renderable),
    ...(loinc?.panel ? { code: [{ system: LOINC, code: loinc.panel, display: definition.names.full }] } : {}),
    item: items,
  };
}

function questionnaireItem(definition: InstrumentDefinition, item: InstrumentItem, language: string): QuestionnaireItem {
  const loincCode = definition.loinc?.items[item.id];
  const text = pickText(item.text, language);
  // Required only where the form cannot be scored without it: prorating instruments accept gaps.
  const required = item.scored && item.required && definition.scoring.missing.rule === 'none';
  const base: QuestionnaireItem = {
    linkId: item.id,
    ...(loincCode ? { code: [{ system: LOINC, code: loincCode }] } : {}),
    ...(text ? { text } : {}),
    type: 'choice',
    required,
  };
  if (item.response.kind === 'visual-analogue') {
    const { min, max, step } = item.response;
    const integer = [min, max, step].every(Number.isInteger);
    return {
      ...base,
      type: integer ? 'integer' : 'decimal',
      extension: [
        integer ? { url: MIN_VALUE_EXTENSION, valueInteger: min } : { url: MIN_VALUE_EXTENSION, valueDecimal: min },
        integer ? { url: MAX_VALUE_EXTENSION, valueInteger: max } : { url: MAX_VALUE_EXTENSION, valueDecimal: max },
      ],
    };
  }
  const answerOption = item.response.options.map((option): QuestionnaireItemAnswerOption => {
    const display = pickText(option.label, language);
    return {
      valueCoding: { ...answerCoding(definition, item, option.value), ...(display ? { display } : {}) },
      extension: [{ url: ORDINAL_VALUE_EXTENSION, valueDecimal: option.value }],
    };
  });
  return { ...base, answerOption };
}

/** `PHQ-9` → `PHQ9`: Questionnaire.name must be usable as a computer name (starts with a capital). */
function computableName(short: string): string {
  const words = short.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1));
  const name = words.join('');
  return /^[A-Z]/.test(name) ? name : `Q${name}`;
}

/** The licence as the definition states it, plus the clinic's content-pack licence when wording came from one. */
function copyrightOf(definition: InstrumentDefinition, renderable: RenderableInstrument | null): string {
  const licence = definition.licence;
  const parts = [licence.copyright, licence.statement, licence.attribution].filter((p): p is string => !!p);
  if (parts.length === 0) parts.push(`Licence: ${licence.status}.`);
  const pack = renderable?.contentPackLicence;
  if (pack) parts.push(`Wording used under licence from ${pack.holder} (${pack.reference}).${pack.statement ? ` ${pack.statement}` : ''}`);
  parts.push(`Citation: ${definition.citation}`);
  return parts.join('\n\n');
}
