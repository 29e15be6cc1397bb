import type { ClinicalSignificanceResult, ReliableChangeResult } from './change';
import { clinicalSignificanceFor, reliableChangeFor } from './change';
import type { ContentPack, RenderableInstrument } from './content-pack';
import { applyContentPack, validateContentPack } from './content-pack';
import type { InstrumentDefinition, ParallelForm } from './definition.schema';
import { validateDefinition } from './definition.schema';
import { builtInDefinitions } from './definitions';
import { invalidContentPack, invalidDefinition, unknownInstrument } from './errors';
import type { Answers, BandResult, BandRounding, CompiledInstrument, ScoreOptions, ScoreResult } from './score';
import { compileInstrument, meetsCutoff, scoreCompiled, valueForBands } from './score';
import type { AnxietyMeasurePairing, PresentingProblem } from './talking-therapies';
import { pairedAnxietyMeasure } from './talking-therapies';

/** What `listInstruments()` returns for each instrument: enough to build a picker. */
export type InstrumentSummary = {
  readonly id: string;
  readonly version: string;
  readonly shortName: string;
  readonly name: string;
  readonly respondent: 'client' | 'clinician';
  readonly direction: 'higher-is-worse' | 'higher-is-better';
  readonly range: { readonly min: number; readonly max: number };
  readonly needsLicensedWording: boolean;
  readonly licenceStatus: InstrumentDefinition['licence']['status'];
  readonly validated: boolean;
  readonly parallelFormId: string | null;
};

export type RegistryOptions = {
  /** Default rounding of prorated totals before bands and cut-offs; `half-up` unless set. */
  readonly bandRounding?: BandRounding;
};

/**
 * A set of instruments, validated and compiled once. The package's top-level functions use the
 * registry of built-in instruments; a clinic with custom instruments builds its own with
 * `createRegistry([...builtInDefinitions, myDefinition])` and calls the same methods on it.
 */
export type InstrumentRegistry = {
  listInstruments(): readonly InstrumentSummary[];
  hasInstrument(instrumentId: string): boolean;
  getInstrument(instrumentId: string): InstrumentDefinition;
  scoreResponse(instrumentId: string, answers: Answers, options?: ScoreOptions): ScoreResult;
  reliableChange(instrumentId: string, before: number, after: number): ReliableChangeResult;
  clinicalSignificance(instrumentId: string, before: number, after: number): ClinicalSignificanceResult;
  /** Whether a total meets the caseness cut-off (prorated totals rounded per the registry's rounding); null without a cut-off. */
  isCase(instrumentId: string, total: number): boolean | null;
  /** The band containing a total (or a subscale score), for charts; null outside every band or without bands. */
  bandFor(instrumentId: string, total: number, subscaleId?: string): BandResult | null;
  /** The parallel form (client ↔ therapist) with its item-by-item mapping, or null. */
  getParallelForm(instrumentId: string): ParallelForm | null;
  /** Validates a licensed content pack against the instrument's structure. */
  loadContentPack(input: unknown): ContentPack;
  /** The instrument with wording applied; structure-only instruments throw `needs_licensed_wording` without a pack. */
  renderableInstrument(instrumentId: string, pack?: ContentPack): RenderableInstrument;
  pairedAnxietyMeasure(problem: PresentingProblem): AnxietyMeasurePairing;
};

function summarise(definition: InstrumentDefinition): InstrumentSummary {
  return Object.freeze({
    id: definition.id,
    version: definition.version,
    shortName: definition.names.short,
    name: definition.names.full,
    respondent: definition.respondent,
    direction: definition.direction,
    range: definition.range,
    needsLicensedWording: definition.needsLicensedWording,
    licenceStatus: definition.licence.status,
    validated: definition.validation.status === 'validated',
    parallelFormId: definition.parallelForm?.instrumentId ?? null,
  });
}

function checkParallelForms(compiled: ReadonlyMap<string, CompiledInstrument>): void {
  for (const { definition } of compiled.values()) {
    const form = definition.parallelForm;
    if (!form) continue;
    const other = compiled.get(form.instrumentId)?.definition;
    const issues: string[] = [];
    if (!other) issues.push(`parallel form ${form.instrumentId} is not in the registry`);
    else {
      if (other.respondent === definition.respondent) issues.push(`parallel form ${other.id} has the same respondent`);
      const back = other.parallelForm;
      if (back?.instrumentId !== definition.id) issues.push(`parallel form ${other.id} does not point back`);
      const otherItems = new Set(other.items.map((item) => item.id));
      for (const [mine, theirs] of Object.entries(form.items)) {
        if (!otherItems.has(theirs)) issues.push(`parallel item ${theirs} is not an item of ${other.id}`);
        if (back && back.items[theirs] !== mine) issues.push(`parallel mapping ${mine} ↔ ${theirs} is not symmetric`);
      }
    }
    if (issues.length > 0) throw invalidDefinition(definition.id, issues);
  }
}

/** Validates and compiles definitions into a registry. Throws `invalid_definition` on any problem, including duplicate ids. */
export function createRegistry(definitions: readonly unknown[], registryOptions: RegistryOptions = {}): InstrumentRegistry {
  const compiled = new Map<string, CompiledInstrument>();
  for (const input of definitions) {
    const definition = validateDefinition(input);
    if (compiled.has(definition.id)) throw invalidDefinition(definition.id, ['duplicate instrument id']);
    compiled.set(definition.id, compileInstrument(definition));
  }
  checkParallelForms(compiled);
  const summaries = Object.freeze([...compiled.values()].map(({ definition }) => summarise(definition)));
  const ids = [...compiled.keys()];
  const defaultRounding = registryOptions.bandRounding ?? 'half-up';
  const defaultScoreOptions: ScoreOptions = Object.freeze({ bandRounding: defaultRounding });

  const find = (instrumentId: string): CompiledInstrument => {
    const found = compiled.get(instrumentId);
    if (!found) throw unknownInstrument(instrumentId);
    return found;
  };

  return Object.freeze({
    listInstruments: () => summaries,
    hasInstrument: (instrumentId: string) => compiled.has(instrumentId),
    getInstrument: (instrumentId: string) => find(instrumentId).definition,
    scoreResponse: (instrumentId: string, answers: Answers, options?: ScoreOptions) =>
      scoreCompiled(find(instrumentId), answers, options ?? defaultScoreOptions),
    reliableChange: (instrumentId: string, before: number, after: number) => reliableChangeFor(find(instrumentId).definition, before, after),
    clinicalSignificance: (instrumentId: string, before: number, after: number) =>
      clinicalSignificanceFor(find(instrumentId).definition, before, after),
    isCase: (instrumentId: string, total: number) => {
      const instrument = find(instrumentId);
      const caseness = instrument.definition.caseness;
      return caseness ? meetsCutoff(caseness, valueForBands(instrument, total, defaultRounding)) : null;
    },
    bandFor: (instrumentId: string, total: number, subscaleId?: string) => {
      const instrument = find(instrumentId);
      const bands =
        subscaleId === undefined
          ? instrument.definition.bands
          : (instrument.definition.scoring.subscales.find((subscale) => subscale.id === subscaleId)?.bands ?? []);
      const value = valueForBands(instrument, total, defaultRounding);
      const band = bands.find((candidate) => value >= candidate.min && value < candidate.max + 1);
      return band ? { id: band.id, label: band.label } : null;
    },
    getParallelForm: (instrumentId: string) => find(instrumentId).definition.parallelForm ?? null,
    loadContentPack: (input: unknown) => {
      const instrumentId = typeof input === 'object' && input !== null ? (input as { instrumentId?: unknown }).instrumentId : undefined;
      if (typeof instrumentId !== 'string') throw invalidContentPack('(unknown instrument)', ['instrumentId is required']);
      return validateContentPack(input, find(instrumentId).definition);
    },
    renderableInstrument: (instrumentId: string, pack?: ContentPack) => applyContentPack(find(instrumentId).definition, pack),
    pairedAnxietyMeasure: (problem: PresentingProblem) => pairedAnxietyMeasure(problem, ids),
  });
}

/** The registry of built-in instruments, validated and compiled when the package loads. */
export const builtInRegistry: InstrumentRegistry = createRegistry(builtInDefinitions);
