/**
 * @rapport/instruments: validated psychotherapy measures as data, and the engine that scores them.
 * Pure TypeScript, no I/O. Everything here is bound to the registry of built-in instruments; for a
 * clinic's own instruments build a registry with `createRegistry` and call the same methods on it.
 */
import type { ContentPack } from './content-pack';
import { builtInRegistry } from './registry';
import type { Answers, ScoreOptions } from './score';
import type { PresentingProblem } from './talking-therapies';

/**
 * The version of the scoring rules. The server stores it with every score, so a stored score can be
 * traced to the rules that produced it. Bump it whenever a change could alter any score, band, flag
 * or outcome classification.
 */
export const SCORER_VERSION = '1.0.0';

/** Summaries of every built-in instrument, in a stable order. */
export function listInstruments() {
  return builtInRegistry.listInstruments();
}

/** The validated, frozen definition. Throws `InstrumentError` `unknown_instrument` for an unknown id. */
export function getInstrument(instrumentId: string) {
  return builtInRegistry.getInstrument(instrumentId);
}

/** Whether a built-in instrument has this id. */
export function hasInstrument(instrumentId: string) {
  return builtInRegistry.hasInstrument(instrumentId);
}

/** A built-in instrument's short name (`PHQ-9`), or the id itself for any other (a clinic's own instrument). */
export function instrumentShortName(instrumentId: string): string {
  return hasInstrument(instrumentId) ? getInstrument(instrumentId).names.short : instrumentId;
}

/**
 * Scores one response: `answers` maps item id → raw option value (or visual-analogue position) or
 * null. Applies the instrument's missing-item rule, reverse scoring, multiplier, subscales, bands,
 * caseness, risk flags and rules. Throws `InstrumentError` naming the item for an invalid value or an
 * unknown item id.
 */
export function scoreResponse(instrumentId: string, answers: Answers, options?: ScoreOptions) {
  return builtInRegistry.scoreResponse(instrumentId, answers, options);
}

/** Reliable change between two totals: the published threshold (inclusive) or Jacobson–Truax (|RC| > 1.96). */
export function reliableChange(instrumentId: string, before: number, after: number) {
  return builtInRegistry.reliableChange(instrumentId, before, after);
}

/** Jacobson–Truax category where the fact sheet gives the norms (CORE-10); otherwise `{ available: false, reason }`. */
export function clinicalSignificance(instrumentId: string, before: number, after: number) {
  return builtInRegistry.clinicalSignificance(instrumentId, before, after);
}

/** Whether a total meets the instrument's caseness cut-off (non-integer totals rounded half up); null without one. */
export function isCase(instrumentId: string, total: number) {
  return builtInRegistry.isCase(instrumentId, total);
}

/** The band for a total, or for a subscale score when `subscaleId` is given; for charts. */
export function bandFor(instrumentId: string, total: number, subscaleId?: string) {
  return builtInRegistry.bandFor(instrumentId, total, subscaleId);
}

/** The client ↔ therapist parallel form and its item mapping, or null. */
export function getParallelForm(instrumentId: string) {
  return builtInRegistry.getParallelForm(instrumentId);
}

/** Validates a licensed content pack (parsed JSON) against its instrument; errors name the item. */
export function loadContentPack(input: unknown) {
  return builtInRegistry.loadContentPack(input);
}

/** The instrument with wording applied, ready to render; throws `needs_licensed_wording` when it has none. */
export function renderableInstrument(instrumentId: string, pack?: ContentPack) {
  return builtInRegistry.renderableInstrument(instrumentId, pack);
}

/** The anxiety measure that pairs with PHQ-9 for a presenting problem (GAD-7 when the recommended one is not available). */
export function pairedAnxietyMeasure(problem: PresentingProblem) {
  return builtInRegistry.pairedAnxietyMeasure(problem);
}

/** Validates a clinic's own instrument definition; returns it frozen. Add it to a registry to score it. */
export { validateDefinition as defineInstrument, validateDefinition } from './definition.schema';
export { createRegistry, builtInRegistry } from './registry';
export { builtInDefinitions } from './definitions';
export { classifyTalkingTherapiesOutcome, DEFAULT_TALKING_THERAPIES_THRESHOLDS } from './talking-therapies';
export { localiseInstrument } from './content-pack';
export { InstrumentError } from './errors';
export { roundHalfUp } from './score';
export { standardErrorOfDifference } from './change';

export type {
  Band,
  Cutoff,
  InstrumentDefinition,
  InstrumentDefinitionInput,
  InstrumentItem,
  ItemCountRule,
  ItemResponse,
  Licence,
  LocalisedText,
  ParallelForm,
  RiskItem,
  Subscale,
} from './definition.schema';
export type { InstrumentErrorCode } from './errors';
export type { Answers, BandResult, BandRounding, Interpretation, ScoreFlag, ScoreOptions, ScoreResult, SubscaleResult } from './score';
export type { ChangeDirection, ClinicalSignificanceCategory, ClinicalSignificanceResult, ReliableChangeResult } from './change';
export type { ContentPack, ContentPackInput, LocalisedInstrument, RenderableInstrument } from './content-pack';
export type { InstrumentRegistry, InstrumentSummary, RegistryOptions } from './registry';
export type {
  AnxietyMeasurePairing,
  DeteriorationRule,
  ImprovementRule,
  MeasureThresholds,
  PresentingProblem,
  TalkingTherapiesInput,
  TalkingTherapiesOptions,
  TalkingTherapiesOutcome,
} from './talking-therapies';
