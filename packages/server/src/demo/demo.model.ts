import { getInstrument, type InstrumentDefinition } from '@rapport/instruments';
import type { Random } from '../lib/random';
import { BLIND_WINDOW_DAYS } from '../features/alliance/blind';

/**
 * The one seeded model behind the demo clinic's past and the synthetic-cohort check
 * (bench/synthetic-cohort.ts): one episode of care, week by week, from a handful of latent traits.
 * It is a caricature built so every rule of issue 5 has something to find, NOT a model of real
 * clients; numbers computed on it check the implementation, never clinical validity.
 *
 * - Symptoms start at a severity (share of the range) and improve (65 %), stall (20 %) or worsen (15 %).
 * - The client's alliance has a level; a low early alliance raises missed sessions and dropout.
 * - A quarter of clients have a rupture between sessions 4 and 8; 60 % of those repair within a
 *   session or two, the rest stay low (more missed sessions, more dropout).
 * - The therapist rates the alliance with their own bias (Dr Reyes above the client, the trainee below).
 * - Each week: attended, did not attend, or cancelled by the client; after each attended treatment
 *   session the client may drop out with a hazard that grows with the factors above (facts.md B5's
 *   direction of effects), else the course ends as planned (completed) or, rarely, referred on.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** How long after seeding a demo blind session stays hidden at least (the blind window must not close under a viewer). */
const BLIND_HOLD_MS = 2 * HOUR;
/** When the demo client of a blind session rated it: the earliest time a client rates in this model. */
export const blindClientRatedAt = (startsAt: Date): Date => new Date(startsAt.getTime() + 2 * HOUR);

/**
 * Whether a client's session that started at `startsAt` can be the demo's blind session at `now`:
 * the client has rated it (see {@link blindClientRatedAt}) and its therapist's rating, due when the
 * session ends, stays owed within the blind window ({@link BLIND_WINDOW_DAYS}) for at least two more
 * hours. Demo clients come weekly at a fixed hour, so at any hour of the day some clinician's session
 * of today or of last week's same day fits.
 */
export function fitsDemoBlindSession(startsAt: Date, now: Date): boolean {
  const age = now.getTime() - startsAt.getTime();
  return blindClientRatedAt(startsAt) < now && age < BLIND_WINDOW_DAYS * DAY - BLIND_HOLD_MS;
}

export type TherapistStyle = { userId: string; bias: number; trainee: boolean };

export type ModelResponse = { instrumentId: string; answers: Record<string, number>; appointmentIndex: number; submittedAt: Date; respondentUserId: string | null };
export type ModelAppointment = { startsAt: Date; status: 'attended' | 'did_not_attend' | 'cancelled' | 'scheduled'; cancelledBy: 'client' | null; kind: 'assessment' | 'treatment' };
export type ModelEpisode = {
  appointments: ModelAppointment[];
  responses: ModelResponse[];
  endedOn: string | null;
  endReason: 'completed' | 'dropped_out' | 'referred_on' | null;
  traits: { course: 'improve' | 'stall' | 'worsen'; earlyLowAlliance: boolean; rupture: 'none' | 'repaired' | 'unrepaired' };
};

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * Raw answers for one form from a latent level in [0, 1] (the share of each item's range): each
 * scored item a binomial draw around it, reversed items mirrored; risk items stay at their lowest
 * unless listed in `endorse`.
 */
export function answersFor(definition: InstrumentDefinition, level: number, rnd: Random, endorse: Record<string, number> = {}): Record<string, number> {
  const p = Math.min(0.97, Math.max(0.02, level));
  const risk = new Set(definition.risk.map((r) => r.itemId));
  const answers: Record<string, number> = {};
  for (const item of definition.items) {
    if (item.response.kind !== 'options') continue;
    const values = item.response.options.map((o) => o.value).sort((a, b) => a - b);
    const low = values[0]!;
    const high = values[values.length - 1]!;
    if (endorse[item.id] !== undefined) {
      answers[item.id] = endorse[item.id]!;
      continue;
    }
    if (risk.has(item.id)) {
      answers[item.id] = item.reverse ? high : low;
      continue;
    }
    let steps = 0;
    for (let i = 0; i < high - low; i++) if (rnd.next() < p) steps++;
    answers[item.id] = item.reverse ? high - steps : low + steps;
  }
  return answers;
}

/**
 * One past episode from `start`, simulated until it ends (it always ends before `now`, or the
 * simulation stops there and the episode stays open).
 */
export function simulateEpisode(rnd: Random, options: { start: Date; now: Date; therapist: TherapistStyle }): ModelEpisode {
  const phq9 = getInstrument('phq9');
  const gad7 = getInstrument('gad7');
  const core10 = getInstrument('core10');
  const allianceClient = getInstrument('rapport_alliance');
  const allianceTherapist = getInstrument('rapport_alliance_therapist');
  const { start, now, therapist } = options;

  const severity = clamp01(rnd.normal(0.55, 0.15));
  const anxiety = clamp01(severity + rnd.normal(0, 0.1));
  const u = rnd.next();
  const course = u < 0.65 ? 'improve' : u < 0.85 ? 'stall' : 'worsen';
  const perSession = course === 'improve' ? rnd.normal(0.035, 0.012) : course === 'stall' ? rnd.normal(0.005, 0.005) : -rnd.normal(0.035, 0.01);
  const alliance = clamp01(rnd.normal(therapist.trainee ? 0.66 : 0.7, 0.1));
  const earlyLowAlliance = alliance < 0.58;
  const ruptureAt = rnd.chance(0.25) ? rnd.int(4, 8) : null;
  const repairs = ruptureAt !== null && rnd.chance(0.6);
  const planned = rnd.int(6, 14);

  const appointments: ModelAppointment[] = [];
  const responses: ModelResponse[] = [];
  let attendedTreatment = 0;
  let missed = 0;
  let endReason: ModelEpisode['endReason'] = null;
  let endedAt: Date | null = null;

  for (let week = 0; week < 40; week++) {
    const startsAt = new Date(start.getTime() + week * 7 * DAY);
    if (startsAt.getTime() >= now.getTime()) break;
    const kind = week === 0 ? 'assessment' : 'treatment';
    const session = attendedTreatment + (kind === 'treatment' ? 1 : 0);
    const ruptured = ruptureAt !== null && session >= ruptureAt && (!repairs || session <= ruptureAt + (session % 2));
    const dna = week > 0 && rnd.chance(0.05 + (earlyLowAlliance ? 0.08 : 0) + (ruptured ? 0.1 : 0));
    const cancelled = !dna && week > 0 && rnd.chance(0.03);
    const status = dna ? 'did_not_attend' : cancelled ? 'cancelled' : 'attended';
    const index = appointments.push({ startsAt, status, cancelledBy: cancelled ? 'client' : null, kind }) - 1;
    if (dna) missed++;
    if (status !== 'attended') continue;

    const before = new Date(startsAt.getTime() - DAY + rnd.int(0, 8) * HOUR);
    const symptom = (base: number, by = 1) => clamp01(base - perSession * session * by + rnd.normal(0, 0.05));
    if (kind === 'assessment') {
      responses.push({ instrumentId: 'phq9', answers: answersFor(phq9, severity, rnd), appointmentIndex: index, submittedAt: before, respondentUserId: null });
      responses.push({ instrumentId: 'gad7', answers: answersFor(gad7, anxiety, rnd), appointmentIndex: index, submittedAt: before, respondentUserId: null });
      responses.push({ instrumentId: 'core10', answers: answersFor(core10, severity * 0.85, rnd), appointmentIndex: index, submittedAt: before, respondentUserId: null });
    } else {
      attendedTreatment++;
      if (rnd.chance(earlyLowAlliance ? 0.75 : 0.9)) {
        responses.push({ instrumentId: 'phq9', answers: answersFor(phq9, symptom(severity), rnd), appointmentIndex: index, submittedAt: before, respondentUserId: null });
        responses.push({ instrumentId: 'gad7', answers: answersFor(gad7, symptom(anxiety, 0.8), rnd), appointmentIndex: index, submittedAt: before, respondentUserId: null });
      }
    }
    const after = new Date(startsAt.getTime() + 2 * HOUR + rnd.int(0, 20) * HOUR);
    if (after.getTime() >= now.getTime()) break;
    const bond = clamp01(alliance + session * 0.01 - (ruptured ? 0.25 : 0) + rnd.normal(0, 0.04));
    if (rnd.chance(0.85)) responses.push({ instrumentId: 'rapport_alliance', answers: answersFor(allianceClient, bond, rnd), appointmentIndex: index, submittedAt: after, respondentUserId: null });
    if (rnd.chance(0.95)) {
      // The therapist barely notices a rupture: their rating follows the usual level, not the drop.
      const seen = clamp01(alliance + session * 0.01 - (ruptured ? 0.08 : 0) + therapist.bias + rnd.normal(0, 0.05));
      responses.push({ instrumentId: 'rapport_alliance_therapist', answers: answersFor(allianceTherapist, seen, rnd), appointmentIndex: index, submittedAt: new Date(after.getTime() - HOUR), respondentUserId: therapist.userId });
    }
    if (kind === 'assessment') continue;

    const hazard = 0.006 + (earlyLowAlliance ? 0.06 : 0) + (missed > 0 ? 0.04 : 0) + (course === 'worsen' ? 0.04 : 0) + (ruptured && !repairs ? 0.1 : 0) + (therapist.trainee ? 0.02 : 0);
    if (rnd.chance(hazard)) {
      for (let k = 1; k <= rnd.int(1, 2); k++) {
        const later = new Date(startsAt.getTime() + k * 7 * DAY);
        if (later.getTime() < now.getTime()) appointments.push({ startsAt: later, status: 'did_not_attend', cancelledBy: null, kind: 'treatment' });
      }
      endReason = 'dropped_out';
      endedAt = new Date(startsAt.getTime() + 28 * DAY);
      break;
    }
    if (attendedTreatment >= planned) {
      responses.push({ instrumentId: 'core10', answers: answersFor(core10, symptom(severity) * 0.85, rnd), appointmentIndex: index, submittedAt: before, respondentUserId: null });
      endReason = rnd.chance(0.05) ? 'referred_on' : 'completed';
      endedAt = new Date(startsAt.getTime() + DAY);
      break;
    }
  }
  const ended = endedAt !== null && endedAt.getTime() < now.getTime();
  return {
    appointments,
    responses,
    endedOn: ended ? endedAt!.toISOString().slice(0, 10) : null,
    endReason: ended ? endReason : null,
    traits: { course, earlyLowAlliance, rupture: ruptureAt === null ? 'none' : repairs ? 'repaired' : 'unrepaired' },
  };
}
