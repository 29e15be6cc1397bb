import { invalidArgument } from './errors';
import { roundHalfUp } from './score';

/**
 * NHS Talking Therapies outcome definitions (facts.md B2): caseness, recovery, reliable improvement,
 * reliable deterioration and reliable recovery from the first and last PHQ-9 and anxiety scores.
 * The combination rules are unverified in the current manual, so they are options; the defaults
 * are those of facts.md §C.
 */

export type MeasureThresholds = {
  /** A score at or above this is a case. */
  readonly caseness: number;
  /** A change of at least this many points (inclusive) is reliable. */
  readonly reliableChange: number;
};

/**
 * `fall-and-no-rise` (R1, default): a reliable fall on at least one measure and a reliable rise on
 * neither. `any-fall`: a reliable fall on at least one measure.
 */
export type ImprovementRule = 'fall-and-no-rise' | 'any-fall';

/**
 * `any-rise` (R2, default): a reliable rise on at least one measure. `rise-and-no-fall`: a reliable
 * rise on one measure without a reliable fall on the other (the stricter variant in facts.md B2).
 */
export type DeteriorationRule = 'any-rise' | 'rise-and-no-fall';

export type TalkingTherapiesOptions = {
  readonly improvementRule?: ImprovementRule;
  readonly deteriorationRule?: DeteriorationRule;
  /** Thresholds by instrument id, added to or replacing the defaults (PHQ-9 and GAD-7). Needed for any other anxiety measure. */
  readonly thresholds?: Readonly<Record<string, MeasureThresholds>>;
  /** Attended treatment sessions needed for a finished course; default 2. */
  readonly minimumTreatmentSessions?: number;
};

export type TalkingTherapiesInput = {
  readonly depression: { readonly first: number; readonly last: number };
  readonly anxiety: { readonly instrumentId: string; readonly first: number; readonly last: number };
  readonly attendedTreatmentSessions: number;
  /** Whether the referral has ended. For an open episode the result is a provisional reading. */
  readonly ended: boolean;
};

export type TalkingTherapiesOutcome = {
  /** Ended after at least two attended treatment sessions; only finished courses count in outcome rates. */
  readonly finishedCourse: boolean;
  /** True when the episode is still open or did not finish a course: the other fields are a provisional reading. */
  readonly provisional: boolean;
  readonly casenessAtStart: boolean;
  readonly casenessAtEnd: boolean;
  /** Null when not at caseness at the start: such referrals are outside the recovery denominator. */
  readonly recovered: boolean | null;
  readonly reliableImprovement: boolean;
  readonly reliableDeterioration: boolean;
  /** Recovered and reliably improved; null when not at caseness at the start. */
  readonly reliableRecovery: boolean | null;
  /** Which published rates this referral counts towards. */
  readonly countsTowards: { readonly recoveryRate: boolean; readonly reliableImprovementRate: boolean };
};

export const DEFAULT_TALKING_THERAPIES_THRESHOLDS: Readonly<Record<string, MeasureThresholds>> = Object.freeze({
  // facts.md B2 [V src:nhs-dd-phq9]: PHQ-9 caseness 10 or more; [S src:inclinical-nct05134103; src:cbtwatch]: reliable change 6
  phq9: Object.freeze({ caseness: 10, reliableChange: 6 }),
  // facts.md B2 [S src:inclinical-nct05134103; src:cbtwatch]: GAD-7 caseness 8 or more, reliable change 4
  gad7: Object.freeze({ caseness: 8, reliableChange: 4 }),
});

// facts.md B2 [V src:fingertips-glossary]: a finished course is at least two attended treatment appointments
const DEFAULT_MINIMUM_TREATMENT_SESSIONS = 2;

function reliableFall(first: number, last: number, threshold: number): boolean {
  return first - last >= threshold - 1e-9;
}

function reliableRise(first: number, last: number, threshold: number): boolean {
  return last - first >= threshold - 1e-9;
}

/**
 * Classifies one referral. Caseness compares scores rounded half up (the engine's convention for
 * prorated totals); reliable change uses the exact difference, inclusive of the threshold.
 */
export function classifyTalkingTherapiesOutcome(input: TalkingTherapiesInput, options: TalkingTherapiesOptions = {}): TalkingTherapiesOutcome {
  const thresholds = { ...DEFAULT_TALKING_THERAPIES_THRESHOLDS, ...options.thresholds };
  const depression = thresholds['phq9'];
  const anxiety = thresholds[input.anxiety.instrumentId];
  if (!depression) throw invalidArgument('phq9', 'no thresholds for PHQ-9');
  if (!anxiety) {
    throw invalidArgument(
      input.anxiety.instrumentId,
      'no NHS Talking Therapies thresholds for this anxiety measure; pass them in options.thresholds (the ADSM thresholds in facts.md B2 are unverified)',
    );
  }
  for (const [name, value] of [
    ['depression.first', input.depression.first],
    ['depression.last', input.depression.last],
    ['anxiety.first', input.anxiety.first],
    ['anxiety.last', input.anxiety.last],
    ['attendedTreatmentSessions', input.attendedTreatmentSessions],
  ] as const) {
    if (!Number.isFinite(value)) throw invalidArgument('talking_therapies', `${name} must be a finite number`);
  }
  const { depression: d, anxiety: a } = input;
  const isCase = (depressionScore: number, anxietyScore: number): boolean =>
    roundHalfUp(depressionScore) >= depression.caseness || roundHalfUp(anxietyScore) >= anxiety.caseness;
  const casenessAtStart = isCase(d.first, a.first);
  const casenessAtEnd = isCase(d.last, a.last);

  const depressionFall = reliableFall(d.first, d.last, depression.reliableChange);
  const anxietyFall = reliableFall(a.first, a.last, anxiety.reliableChange);
  const depressionRise = reliableRise(d.first, d.last, depression.reliableChange);
  const anxietyRise = reliableRise(a.first, a.last, anxiety.reliableChange);

  const reliableImprovement =
    (options.improvementRule ?? 'fall-and-no-rise') === 'fall-and-no-rise'
      ? (depressionFall || anxietyFall) && !depressionRise && !anxietyRise
      : depressionFall || anxietyFall;
  const reliableDeterioration =
    (options.deteriorationRule ?? 'any-rise') === 'any-rise'
      ? depressionRise || anxietyRise
      : (depressionRise && !anxietyFall) || (anxietyRise && !depressionFall);

  const recovered = casenessAtStart ? !casenessAtEnd : null;
  const finishedCourse = input.ended && input.attendedTreatmentSessions >= (options.minimumTreatmentSessions ?? DEFAULT_MINIMUM_TREATMENT_SESSIONS);
  return {
    finishedCourse,
    provisional: !finishedCourse,
    casenessAtStart,
    casenessAtEnd,
    recovered,
    reliableImprovement,
    reliableDeterioration,
    reliableRecovery: recovered === null ? null : recovered && reliableImprovement,
    countsTowards: { recoveryRate: finishedCourse && casenessAtStart, reliableImprovementRate: finishedCourse },
  };
}

/** Presenting problems in the NHS Talking Therapies anxiety-measure table (facts.md B2 [V src:pmc5942544-t2]). */
export type PresentingProblem =
  | 'depression'
  | 'generalised-anxiety'
  | 'mixed-anxiety-depression'
  | 'no-problem-descriptor'
  | 'social-anxiety'
  | 'ptsd'
  | 'agoraphobia'
  | 'ocd'
  | 'panic'
  | 'health-anxiety';

// facts.md B2 [V src:pmc5942544-t2]: the anxiety measure paired with PHQ-9, by presenting problem
const RECOMMENDED_ANXIETY_MEASURE: Readonly<Record<PresentingProblem, { id: string; name: string }>> = Object.freeze({
  depression: { id: 'gad7', name: 'GAD-7' },
  'generalised-anxiety': { id: 'gad7', name: 'GAD-7' },
  'mixed-anxiety-depression': { id: 'gad7', name: 'GAD-7' },
  'no-problem-descriptor': { id: 'gad7', name: 'GAD-7' },
  'social-anxiety': { id: 'spin', name: 'SPIN' },
  ptsd: { id: 'ies_r', name: 'IES-R' },
  agoraphobia: { id: 'mi', name: 'MI' },
  ocd: { id: 'oci', name: 'OCI' },
  panic: { id: 'pdss', name: 'PDSS' },
  'health-anxiety': { id: 'hai', name: 'HAI' },
});

export type AnxietyMeasurePairing = {
  /** The measure the NHS Talking Therapies table recommends. */
  readonly recommended: { readonly id: string; readonly name: string };
  /** The measure to use: the recommended one if available, else GAD-7. */
  readonly instrumentId: string;
  /** True when GAD-7 stands in because the recommended measure is not available. */
  readonly fallback: boolean;
};

/**
 * Which anxiety measure pairs with PHQ-9 for a presenting problem. "When the [recommended ADSM] is
 * missing, the recovery calculation is based on the combination of PHQ-9 and GAD-7" (facts.md B2
 * [V src:pmc5942544-t2]), so GAD-7 is the fallback when the recommended one is not in `available`.
 */
export function pairedAnxietyMeasure(problem: PresentingProblem, available: readonly string[]): AnxietyMeasurePairing {
  const recommended = RECOMMENDED_ANXIETY_MEASURE[problem];
  if (!recommended) throw invalidArgument('talking_therapies', `unknown presenting problem ${String(problem)}`);
  const isAvailable = available.includes(recommended.id);
  return { recommended, instrumentId: isAvailable ? recommended.id : 'gad7', fallback: !isAvailable };
}
