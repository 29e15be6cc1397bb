import { AnalysisError, requireFinite } from './errors';

/**
 * A transparent points score for dropout risk from the factors in facts.md B5 ("Suggested transparent
 * rule set", derived; validate locally). No validated points-based dropout score exists (facts.md B5
 * [U]), so every default below is DERIVED FROM THE LITERATURE'S DIRECTION OF EFFECT, NOT VALIDATED:
 * the clinic can change points and cut points, and the admin report compares the score with actual
 * dropout once there are enough closed episodes.
 */

export type DropoutFactorId =
  | 'early_low_alliance'
  | 'unrepaired_rupture'
  | 'symptoms_off_track'
  | 'missed_appointments'
  | 'missed_questionnaires'
  | 'trainee_therapist'
  | 'younger_age';

export type DropoutRiskLevel = 'low' | 'medium' | 'high';

export type DropoutPoints = Readonly<Record<DropoutFactorId, number>>;

/** Default points. Each line says where the factor comes from; the weights themselves are ours. */
export const DEFAULT_DROPOUT_POINTS: DropoutPoints = {
  early_low_alliance: 3, // facts.md B4/B5 [V src:sharf2010] weaker alliance ↔ dropout d = .55; [V src:anderson2019] sessions 1–3; the best-supported factor, so the largest weight
  unrepaired_rupture: 2, // facts.md B4 [S src:spr-bulletin]: unresolved ruptures ↔ more premature termination (effect size not retrieved)
  symptoms_off_track: 2, // facts.md B5 item 2, B3 [S src:pbh-alert]: early worsening flagged cases less likely to return
  missed_appointments: 1, // per cancelled or missed appointment, capped (below); facts.md B5 item 4 [V src:clark2018-europepmc]
  missed_questionnaires: 1, // missed or stopped questionnaires (issue 5 item 2); no effect size in facts.md
  trainee_therapist: 1, // facts.md B5 [V src:swift2012]: trainee clinicians a moderator of dropout
  younger_age: 1, // facts.md B5 [V src:swift2012]: younger clients at higher risk
};

/** At most this many missed or cancelled appointments count (3 × 1 point), so one factor cannot outweigh the alliance. Rapport default. */
export const DEFAULT_MISSED_APPOINTMENTS_CAP = 3;
/** "Younger" means under 25. facts.md B5 [V src:swift2012] names younger age without a cut-off; 25 is our assumption. */
export const DEFAULT_YOUNGER_THAN_AGE = 25;
/**
 * Cut points: medium at 3 or more points (e.g. an early low alliance alone), high at 5 or more (e.g.
 * an early low alliance with an unrepaired rupture). Rapport defaults, derived, not validated.
 */
export const DEFAULT_DROPOUT_CUT_POINTS = { medium: 3, high: 5 } as const;

export type DropoutFactors = {
  /** Low alliance in sessions 1–3 (`lowAlliance(...).earlyDropoutSignal`). */
  readonly earlyLowAlliance?: boolean;
  /** A rupture not repaired within its window (`hasUnrepairedRupture`). */
  readonly unrepairedRupture?: boolean;
  /** Not on track (`notOnTrack`); counted once with `reliableDeterioration`. */
  readonly notOnTrack?: boolean;
  /** Reliable deterioration (`reliableDeterioration`); counted once with `notOnTrack`. */
  readonly reliableDeterioration?: boolean;
  /** Cancelled or missed appointments in the episode. */
  readonly missedAppointments?: number;
  /** Questionnaires missed in a row, or check-ins stopped. */
  readonly missedQuestionnaires?: boolean;
  readonly traineeTherapist?: boolean;
  /** The client's age in years, when known. */
  readonly age?: number | null;
};

export type DropoutRiskOptions = {
  readonly points?: Partial<DropoutPoints>;
  readonly cutPoints?: { readonly medium: number; readonly high: number };
  readonly missedAppointmentsCap?: number;
  readonly youngerThanAge?: number;
};

export type DropoutContribution = { readonly factor: DropoutFactorId; readonly points: number; readonly detail: string };

export type DropoutRiskResult = {
  readonly score: number;
  readonly level: DropoutRiskLevel;
  /** Every contributing factor with its points, in a fixed order; factors that do not apply are absent. */
  readonly contributions: readonly DropoutContribution[];
  readonly cutPoints: { readonly medium: number; readonly high: number };
  readonly points: DropoutPoints;
};

/**
 * Adds the points of every factor present and gives a level: `high` at or above `cutPoints.high`,
 * `medium` at or above `cutPoints.medium`, else `low`. Not-on-track and reliable deterioration are one
 * factor (facts.md B5 item 2), counted once. Throws `AnalysisError` for a negative count or cut points
 * out of order.
 */
export function dropoutRisk(factors: DropoutFactors, options: DropoutRiskOptions = {}): DropoutRiskResult {
  const points: DropoutPoints = { ...DEFAULT_DROPOUT_POINTS, ...options.points };
  const cutPoints = options.cutPoints ?? DEFAULT_DROPOUT_CUT_POINTS;
  const cap = options.missedAppointmentsCap ?? DEFAULT_MISSED_APPOINTMENTS_CAP;
  const youngerThan = options.youngerThanAge ?? DEFAULT_YOUNGER_THAN_AGE;
  for (const [factor, value] of Object.entries(points)) requireFinite(`options.points.${factor}`, value);
  if (!(cutPoints.medium <= cutPoints.high)) throw new AnalysisError('options.cutPoints', 'medium must not exceed high');
  const missed = factors.missedAppointments ?? 0;
  if (!Number.isInteger(missed) || missed < 0) throw new AnalysisError('factors.missedAppointments', 'must be a whole number, 0 or more');

  const contributions: DropoutContribution[] = [];
  const add = (factor: DropoutFactorId, count: number, detail: string) => {
    if (count > 0 && points[factor] !== 0) contributions.push({ factor, points: points[factor] * count, detail });
  };
  if (factors.earlyLowAlliance) add('early_low_alliance', 1, 'low alliance in sessions 1–3');
  if (factors.unrepairedRupture) add('unrepaired_rupture', 1, 'a rupture not repaired within three sessions');
  if (factors.notOnTrack || factors.reliableDeterioration) {
    const which = [factors.notOnTrack ? 'not on track' : null, factors.reliableDeterioration ? 'reliable deterioration' : null].filter(Boolean).join(' and ');
    add('symptoms_off_track', 1, which);
  }
  const counted = Math.min(missed, cap);
  add('missed_appointments', counted, missed > cap ? `${missed} cancelled or missed appointments (${cap} counted)` : `${missed} cancelled or missed appointment${missed === 1 ? '' : 's'}`);
  if (factors.missedQuestionnaires) add('missed_questionnaires', 1, 'questionnaires missed or stopped');
  if (factors.traineeTherapist) add('trainee_therapist', 1, 'seen by a trainee therapist');
  if (factors.age !== undefined && factors.age !== null) {
    requireFinite('factors.age', factors.age);
    if (factors.age < youngerThan) add('younger_age', 1, `aged ${factors.age}, under ${youngerThan}`);
  }

  const score = contributions.reduce((sum, contribution) => sum + contribution.points, 0);
  const level: DropoutRiskLevel = score >= cutPoints.high ? 'high' : score >= cutPoints.medium ? 'medium' : 'low';
  return { score, level, contributions, cutPoints, points };
}
