import type { Band, Cutoff, InstrumentDefinition, InstrumentItem } from './definition.schema';
import { itemValueRange } from './definition.schema';
import { invalidAnswer, invalidArgument, unknownItem } from './errors';

/** An answer map: item id → raw option value (or visual-analogue position), or null when unanswered. */
export type Answers = Readonly<Record<string, number | null | undefined>>;

export type BandResult = { readonly id: string; readonly label: string };

/**
 * A risk item at or above its threshold, or left unanswered. What kind of risk it is, and whether it
 * is a clinical-safety item the manual does not declare, is in the definition's `risk` list.
 */
export type ScoreFlag = { readonly kind: 'risk' | 'risk-unanswered'; readonly itemId: string };

export type SubscaleResult = { readonly score: number | null; readonly band: BandResult | null };

/** The outcome of a rule such as the PCL-5 provisional diagnosis; `met` is null when missing items leave it open. */
export type Interpretation = { readonly id: string; readonly label: string; readonly met: boolean | null };

/**
 * How a prorated (non-integer) total of an integer-scored instrument meets bands and cut-offs.
 * `half-up` (default): 11.25 → 11, 11.5 → 12. `none`: the exact value, against contiguous bands.
 */
export type BandRounding = 'half-up' | 'none';

export type ScoreOptions = { readonly bandRounding?: BandRounding };

export type ScoreResult = {
  readonly instrumentId: string;
  /** Every required scored item answered. */
  readonly complete: boolean;
  /** Null when the manual's missing-item rule says the form cannot be scored. Prorated totals keep their exact value. */
  readonly total: number | null;
  /** Whether the missing-item rule replaced missing items (the total is then an estimate). */
  readonly prorated: boolean;
  readonly band: BandResult | null;
  /** Whether the total meets the instrument's caseness cut-off; null when there is no total or no cut-off. */
  readonly caseness: boolean | null;
  readonly subscales: Readonly<Record<string, SubscaleResult>>;
  readonly flags: readonly ScoreFlag[];
  /** Unanswered required scored items. Unscored and optional items never appear here. */
  readonly missing: readonly string[];
  readonly interpretations: readonly Interpretation[];
};

const EMPTY_LIST: readonly never[] = Object.freeze([]);
const EMPTY_SUBSCALES: Readonly<Record<string, SubscaleResult>> = Object.freeze({});

type CompiledItem = {
  readonly id: string;
  readonly scored: boolean;
  readonly required: boolean;
  /** Options: scored value by (raw − lowest raw value); NaN where the raw value is not an option. */
  readonly lookup: Float64Array | null;
  readonly lowestRaw: number;
  readonly vas: { readonly min: number; readonly max: number; readonly step: number; readonly reverse: boolean } | null;
};

type CompiledBands = { readonly mins: Float64Array; readonly results: readonly BandResult[] };

type CompiledSubscale = { readonly id: string; readonly positions: Int32Array; readonly bands: CompiledBands | null };

type CompiledRisk = {
  readonly position: number;
  readonly threshold: number;
  /** Frozen one-flag lists, so the common case of a single flag allocates nothing. */
  readonly hit: readonly ScoreFlag[];
  readonly unanswered: readonly ScoreFlag[];
};

type CompiledRule = {
  readonly id: string;
  readonly label: string;
  readonly all: boolean;
  readonly groups: readonly { readonly positions: Int32Array; readonly threshold: number; readonly minCount: number }[];
};

/** A definition turned into flat lookup structures once, so that scoring allocates little per call. */
export type CompiledInstrument = {
  readonly definition: InstrumentDefinition;
  readonly items: readonly CompiledItem[];
  readonly positionById: ReadonlyMap<string, number>;
  /** Item ids in definition order, for the hot loop. */
  readonly ids: readonly string[];
  readonly mean: boolean;
  readonly multiplier: number;
  readonly maxMissing: number;
  /** Whether every scored value is an integer, so a non-integer total can only come from prorating. */
  readonly integerValued: boolean;
  readonly hasVisualAnalogue: boolean;
  readonly bands: CompiledBands | null;
  readonly caseness: Cutoff | null;
  /** Further published cut-offs, reported in `interpretations`. */
  readonly cutoffs: readonly Cutoff[];
  readonly subscales: readonly CompiledSubscale[];
  readonly risks: readonly CompiledRisk[];
  readonly rules: readonly CompiledRule[];
  /** Scratch space for one call's scored values; scoring is synchronous, so one buffer per instrument is safe. */
  readonly values: Float64Array;
};

function compileBands(bands: readonly Band[]): CompiledBands | null {
  if (bands.length === 0) return null;
  return {
    mins: Float64Array.from(bands.map((band) => band.min)),
    results: bands.map((band) => Object.freeze({ id: band.id, label: band.label })),
  };
}

function compileItem(item: InstrumentItem): CompiledItem {
  if (item.response.kind === 'visual-analogue') {
    const { min, max, step } = item.response;
    return { id: item.id, scored: item.scored, required: item.required, lookup: null, lowestRaw: min, vas: { min, max, step, reverse: item.reverse } };
  }
  const { min, max } = itemValueRange(item);
  const lookup = new Float64Array(max - min + 1).fill(Number.NaN);
  for (const option of item.response.options) {
    lookup[option.value - min] = item.reverse ? min + max - option.value : option.value;
  }
  return { id: item.id, scored: item.scored, required: item.required, lookup, lowestRaw: min, vas: null };
}

/** Builds the lookup structures for one validated definition. */
export function compileInstrument(definition: InstrumentDefinition): CompiledInstrument {
  const items = definition.items.map(compileItem);
  const positionById = new Map(definition.items.map((item, index) => [item.id, index]));
  const position = (id: string): number => {
    const found = positionById.get(id);
    if (found === undefined) throw new Error(`${definition.id}: unknown item ${id}`);
    return found;
  };
  const integerValued =
    Number.isInteger(definition.scoring.multiplier) &&
    definition.scoring.method === 'sum' &&
    definition.items.every((item) => !item.scored || item.response.kind === 'options');
  return {
    definition,
    items,
    positionById,
    ids: definition.items.map((item) => item.id),
    mean: definition.scoring.method === 'mean',
    multiplier: definition.scoring.multiplier,
    maxMissing: definition.scoring.missing.rule === 'prorate' ? definition.scoring.missing.maxMissing : 0,
    integerValued,
    hasVisualAnalogue: definition.items.some((item) => item.response.kind === 'visual-analogue'),
    bands: compileBands(definition.bands),
    caseness: definition.caseness ?? null,
    cutoffs: definition.cutoffs,
    subscales: definition.scoring.subscales.map((subscale) => ({
      id: subscale.id,
      positions: Int32Array.from(subscale.items.map(position)),
      bands: compileBands(subscale.bands),
    })),
    risks: definition.risk.map((risk) => {
      return {
        position: position(risk.itemId),
        threshold: risk.threshold,
        hit: Object.freeze([Object.freeze({ kind: 'risk' as const, itemId: risk.itemId })]),
        unanswered: Object.freeze([Object.freeze({ kind: 'risk-unanswered' as const, itemId: risk.itemId })]),
      };
    }),
    rules: definition.scoring.rules.map((rule) => ({
      id: rule.id,
      label: rule.label,
      all: rule.combine === 'all',
      groups: rule.groups.map((group) => ({
        positions: Int32Array.from(group.items.map(position)),
        threshold: group.threshold,
        minCount: group.minCount,
      })),
    })),
    values: new Float64Array(items.length),
  };
}

/** Rounds half up (11.5 → 12, 11.25 → 11), the convention for bands and cut-offs on prorated totals. */
export function roundHalfUp(value: number): number {
  return Math.floor(value + 0.5);
}

/** The band containing `value`: the last band whose minimum is at or below it (bands are contiguous). */
function findBand(bands: CompiledBands | null, value: number): BandResult | null {
  if (bands === null) return null;
  const { mins, results } = bands;
  if (value < (mins[0] ?? 0)) return null;
  let index = 0;
  while (index + 1 < mins.length && (mins[index + 1] ?? Infinity) <= value) index++;
  return results[index] ?? null;
}

/** Whether a value meets a cut-off such as `>= 10` or `< 36`. */
export function meetsCutoff(cutoff: Cutoff, value: number): boolean {
  switch (cutoff.operator) {
    case '>=':
      return value >= cutoff.value;
    case '>':
      return value > cutoff.value;
    case '<=':
      return value <= cutoff.value;
    case '<':
      return value < cutoff.value;
  }
}

function scoreVisualAnalogue(vas: NonNullable<CompiledItem['vas']>, raw: number): number {
  if (!(raw >= vas.min && raw <= vas.max)) return Number.NaN;
  const steps = (raw - vas.min) / vas.step;
  if (Math.abs(steps - Math.round(steps)) > 1e-6) return Number.NaN;
  return vas.reverse ? vas.min + vas.max - raw : raw;
}

function snap(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/** The value bands and cut-offs see: prorated totals of integer-scored instruments are rounded half up by default. */
export function valueForBands(compiled: CompiledInstrument, total: number, rounding: BandRounding): number {
  return rounding === 'half-up' && compiled.integerValued ? roundHalfUp(total) : total;
}

/**
 * Scores one response against a compiled instrument. Throws `InstrumentError` (`invalid_answer` or
 * `unknown_item`, naming the item) for an answer that is not one of the item's values or an item
 * the instrument does not have; a null or absent answer is simply unanswered.
 */
export function scoreCompiled(compiled: CompiledInstrument, answers: Answers, options?: ScoreOptions): ScoreResult {
  const { items, ids, values, definition } = compiled;
  const instrumentId = definition.id;
  if (typeof answers !== 'object' || answers === null) throw invalidArgument(instrumentId, 'answers must be an object keyed by item id');
  let present = 0;
  let sum = 0;
  let answered = 0;
  let missingCount = 0;
  let missing: string[] | null = null;
  for (let index = 0; index < items.length; index++) {
    const item = items[index] as CompiledItem;
    const raw = answers[ids[index] as string];
    if (raw === undefined || raw === null) {
      if (raw === null) present++;
      values[index] = Number.NaN;
      if (item.scored && item.required) {
        missingCount++;
        (missing ??= []).push(item.id);
      }
      continue;
    }
    present++;
    let value = Number.NaN;
    if (typeof raw === 'number') {
      if (item.lookup !== null) {
        const scored = item.lookup[raw - item.lowestRaw];
        if (scored !== undefined) value = scored;
      } else if (item.vas !== null) {
        value = scoreVisualAnalogue(item.vas, raw);
      }
    }
    if (value !== value) throw invalidAnswer(instrumentId, item.id, raw);
    values[index] = value;
    if (item.scored) {
      sum += value;
      answered++;
    }
  }
  // Every answer key must be an item: a count mismatch means a key the loop above did not visit.
  if (Object.keys(answers).length !== present) {
    for (const key of Object.keys(answers)) {
      if (!compiled.positionById.has(key)) throw unknownItem(instrumentId, key);
    }
  }

  let total: number | null = null;
  let prorated = false;
  if (answered > 0 && missingCount <= compiled.maxMissing) {
    if (compiled.mean) total = (sum / answered) * compiled.multiplier;
    else if (missingCount > 0) {
      total = ((sum * (answered + missingCount)) / answered) * compiled.multiplier;
      prorated = true;
    } else total = sum * compiled.multiplier;
    if (missingCount > 0) prorated = true;
    if (compiled.hasVisualAnalogue || prorated || compiled.mean) total = snap(total);
  }

  const rounding = options?.bandRounding ?? 'half-up';
  let band: BandResult | null = null;
  let caseness: boolean | null = null;
  let forBands: number | null = null;
  if (total !== null) {
    forBands = prorated ? valueForBands(compiled, total, rounding) : total;
    band = findBand(compiled.bands, forBands);
    if (compiled.caseness !== null) caseness = meetsCutoff(compiled.caseness, forBands);
  }

  let flags: readonly ScoreFlag[] = EMPTY_LIST;
  for (const risk of compiled.risks) {
    const value = values[risk.position] as number;
    const raised = value !== value ? risk.unanswered : value >= risk.threshold ? risk.hit : null;
    if (raised !== null) flags = flags.length === 0 ? raised : Object.freeze([...flags, ...raised]);
  }

  return {
    instrumentId,
    complete: missingCount === 0,
    total,
    prorated,
    band,
    caseness,
    subscales: compiled.subscales.length === 0 ? EMPTY_SUBSCALES : scoreSubscales(compiled),
    flags,
    missing: missing ?? EMPTY_LIST,
    interpretations: compiled.rules.length === 0 && compiled.cutoffs.length === 0 ? EMPTY_LIST : interpret(compiled, forBands),
  };
}

/** Subscales are never prorated: a subscale with any unanswered item has no score. */
function scoreSubscales(compiled: CompiledInstrument): Record<string, SubscaleResult> {
  const result: Record<string, SubscaleResult> = {};
  for (const subscale of compiled.subscales) {
    let sum = 0;
    let complete = true;
    for (const position of subscale.positions) {
      const value = compiled.values[position] as number;
      if (value !== value) {
        if ((compiled.items[position] as CompiledItem).required) complete = false;
      } else sum += value;
    }
    let score: number | null = null;
    if (complete) {
      score = (compiled.mean ? sum / subscale.positions.length : sum) * compiled.multiplier;
      if (compiled.hasVisualAnalogue || compiled.mean) score = snap(score);
    }
    result[subscale.id] = { score, band: score === null ? null : findBand(subscale.bands, score) };
  }
  return result;
}

/** Further cut-offs (met is null without a total), then item-count rules such as the PCL-5 DSM-5 rule. */
function interpret(compiled: CompiledInstrument, forBands: number | null): Interpretation[] {
  const cutoffs = compiled.cutoffs.map((cutoff) => ({
    id: cutoff.id,
    label: cutoff.label,
    met: forBands === null ? null : meetsCutoff(cutoff, forBands),
  }));
  const rules = compiled.rules.map((rule) => {
    let anyMet = false;
    let undecided = false;
    let failed = false;
    for (const group of rule.groups) {
      let count = 0;
      let unanswered = 0;
      for (const position of group.positions) {
        const value = compiled.values[position] as number;
        if (value !== value) unanswered++;
        else if (value >= group.threshold) count++;
      }
      if (count >= group.minCount) anyMet = true;
      else if (count + unanswered >= group.minCount) undecided = true;
      else failed = true;
    }
    const met: boolean | null = rule.all ? (failed ? false : undecided ? null : true) : anyMet ? true : undecided ? null : false;
    return { id: rule.id, label: rule.label, met };
  });
  return [...cutoffs, ...rules];
}
