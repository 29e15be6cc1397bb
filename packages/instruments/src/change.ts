import type { InstrumentDefinition } from './definition.schema';
import { invalidArgument } from './errors';

export type ChangeDirection = 'improved' | 'deteriorated' | 'unchanged';

export type ReliableChangeResult =
  | {
      readonly available: true;
      /** after − before, in score points. */
      readonly change: number;
      readonly direction: ChangeDirection;
      /** The smallest change that counts as reliable, in score points (for Jacobson–Truax: 1.96 × S_diff). */
      readonly threshold: number;
      readonly method: 'published' | 'jacobson-truax';
      /** The Jacobson–Truax index RC = change ÷ S_diff; null for a published threshold. */
      readonly index: number | null;
    }
  | {
      readonly available: false;
      readonly change: number;
      readonly direction: null;
      readonly threshold: null;
      readonly reason: string;
    };

export type ClinicalSignificanceCategory = 'recovered' | 'improved' | 'unchanged' | 'deteriorated';

export type ClinicalSignificanceResult =
  | {
      readonly available: true;
      readonly category: ClinicalSignificanceCategory;
      /** The cut-off used: c when functional norms exist, else b, else a (facts.md B1). */
      readonly cutoff: { readonly kind: 'a' | 'b' | 'c'; readonly value: number };
      readonly reliableChange: ReliableChangeResult;
    }
  | { readonly available: false; readonly reason: string };

// facts.md B1 [V src:mdma-rci; src:clinsig-cs-jt-docs]: |RC| > 1.96 is reliable change at p < .05
const RELIABLE_INDEX = 1.96;
// Guards the inclusive published thresholds against floating-point noise in prorated totals.
const EPSILON = 1e-9;

function checkScore(definition: InstrumentDefinition, name: string, value: number): void {
  if (!Number.isFinite(value)) throw invalidArgument(definition.id, `${name} must be a finite number`);
}

function directionOf(definition: InstrumentDefinition, change: number): ChangeDirection {
  const better = definition.direction === 'higher-is-worse' ? change < 0 : change > 0;
  return better ? 'improved' : 'deteriorated';
}

/** S_diff = √(2·SE²), SE = sd·√(1 − r) (facts.md B1 [V src:suddengains-docs]). */
export function standardErrorOfDifference(sd: number, reliability: number): number {
  const standardError = sd * Math.sqrt(1 - reliability);
  return Math.sqrt(2 * standardError * standardError);
}

/**
 * Reliable change between two totals. A published threshold is inclusive (NHS Talking Therapies:
 * "6 or more"); the Jacobson–Truax index needs |RC| > 1.96. Without either, says it is not available.
 */
export function reliableChangeFor(definition: InstrumentDefinition, before: number, after: number): ReliableChangeResult {
  checkScore(definition, 'before', before);
  checkScore(definition, 'after', after);
  const change = after - before;
  const rule = definition.reliableChange;
  if (!rule) {
    return {
      available: false,
      change,
      direction: null,
      threshold: null,
      reason: `${definition.id} has no published reliable-change threshold and no norms to compute one`,
    };
  }
  if (rule.method === 'published') {
    const reliable = Math.abs(change) >= rule.threshold - EPSILON;
    return {
      available: true,
      change,
      direction: reliable ? directionOf(definition, change) : 'unchanged',
      threshold: rule.threshold,
      method: 'published',
      index: null,
    };
  }
  const sDiff = standardErrorOfDifference(rule.sd, rule.reliability);
  const index = change / sDiff;
  const reliable = Math.abs(index) > RELIABLE_INDEX;
  return {
    available: true,
    change,
    direction: reliable ? directionOf(definition, change) : 'unchanged',
    threshold: RELIABLE_INDEX * sDiff,
    method: 'jacobson-truax',
    index,
  };
}

/** Jacobson–Truax cut-offs a, b and c (facts.md B1 [V src:clinsig-code]); b and c need functional norms. */
export function jacobsonTruaxCutoffs(definition: InstrumentDefinition): { a: number; b: number | null; c: number | null } | null {
  const norms = definition.clinicalSignificance;
  if (!norms) return null;
  const healthierIsLower = definition.direction === 'higher-is-worse';
  const { mean: m1, sd: s1 } = norms.clinical;
  // facts.md B1 [V src:clinsig-code]: 2 SD (disp.mult defaults to 2)
  const a = healthierIsLower ? m1 - 2 * s1 : m1 + 2 * s1;
  if (!norms.functional) return { a, b: null, c: null };
  const { mean: m0, sd: s0 } = norms.functional;
  const b = healthierIsLower ? m0 + 2 * s0 : m0 - 2 * s0;
  const c = (s0 * m1 + s1 * m0) / (s0 + s1);
  return { a, b, c };
}

/**
 * Jacobson–Truax clinical significance: recovered (reliable improvement that crosses the cut-off
 * from the dysfunctional side), improved, unchanged or deteriorated. Only where the definition
 * carries clinical (and ideally functional) norms; elsewhere it says so rather than inventing them.
 */
export function clinicalSignificanceFor(definition: InstrumentDefinition, before: number, after: number): ClinicalSignificanceResult {
  const cutoffs = jacobsonTruaxCutoffs(definition);
  if (!cutoffs) {
    return { available: false, reason: `no clinical and functional norms for ${definition.id} in the fact sheet` };
  }
  const reliableChange = reliableChangeFor(definition, before, after);
  if (!reliableChange.available) return { available: false, reason: reliableChange.reason };
  // facts.md B1 [S src:jtrci-gist]: prefer c, then b, then a
  const cutoff =
    cutoffs.c !== null ? { kind: 'c' as const, value: cutoffs.c } : cutoffs.b !== null ? { kind: 'b' as const, value: cutoffs.b } : { kind: 'a' as const, value: cutoffs.a };
  const healthierIsLower = definition.direction === 'higher-is-worse';
  const functionalAfter = healthierIsLower ? after < cutoff.value : after > cutoff.value;
  const dysfunctionalBefore = healthierIsLower ? before >= cutoff.value : before <= cutoff.value;
  let category: ClinicalSignificanceCategory = 'unchanged';
  if (reliableChange.direction === 'deteriorated') category = 'deteriorated';
  else if (reliableChange.direction === 'improved') category = functionalAfter && dysfunctionalBefore ? 'recovered' : 'improved';
  return { available: true, category, cutoff, reliableChange };
}
