import type { appointmentStatuses, ProtocolRule, ProtocolTrigger } from '../../db/schema';

/** The protocol as the planner needs it; `id` null for the built-in default. */
export type PlanProtocol = { id: string | null; rules: readonly ProtocolRule[] };

export type PlanEpisode = {
  id: string;
  primaryClinicianId: string;
  /** When the episode opened (intake is due then). */
  openedAt: Date;
  /** When it closed (discharge is due then), or null while open. */
  closedAt: Date | null;
};

export type PlanAppointment = {
  id: string;
  startsAt: Date;
  durationMinutes: number;
  status: (typeof appointmentStatuses)[number];
  kind: 'assessment' | 'treatment' | 'follow_up';
  clinicianId: string;
};

/** One firing of one rule: what is due, from whom, and when. */
export type TriggerInstance = {
  /** `<rule id>:appt:<appointment id>`, `<rule id>:intake:<episode id>` or `<rule id>:discharge:<episode id>`; unique per client. */
  dedupeKey: string;
  ruleId: string;
  trigger: ProtocolTrigger['kind'];
  instrumentIds: string[];
  respondent: 'client' | 'clinician';
  /** The clinician who answers a clinician questionnaire: the appointment's, else the episode's primary clinician. */
  respondentUserId: string | null;
  /** Client questionnaires go by link (email or SMS chosen when sent); clinicians answer in session. */
  channel: 'link' | 'in_session';
  appointmentId: string | null;
  dueAt: Date;
  /** False when the trigger no longer holds (its appointment was cancelled or missed). */
  applies: boolean;
};

/**
 * What the sweep does with a planned assignment:
 * - `ensure`: it should exist now; create it if missing, move it if still scheduled at another time;
 * - `move`: too early to create, but a scheduled one (its appointment moved) follows the new time;
 * - `cancel`: its appointment was cancelled or missed; a still-scheduled one is cancelled.
 */
export type PlannedAssignment = TriggerInstance & { action: 'ensure' | 'move' | 'cancel' };

/**
 * How far ahead and behind the sweep looks. Design 0001: a pre-session questionnaire is made once
 * its send time is within an hour; events (intake, an attended session, discharge) older than three
 * days are history, not work (three days rides out a long outage without flooding old episodes).
 */
export const PLAN_WINDOW = { createAheadMs: 60 * 60_000, lookbackMs: 3 * 86_400_000 } as const;

const endOf = (a: PlanAppointment) => new Date(a.startsAt.getTime() + a.durationMinutes * 60_000);

/** Every firing of every rule for an episode, regardless of the current time (the preview shows these). */
export function planTriggers(protocol: PlanProtocol, episode: PlanEpisode, appointments: readonly PlanAppointment[]): TriggerInstance[] {
  const ordered = [...appointments].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.id.localeCompare(b.id));
  const out: TriggerInstance[] = [];
  for (const rule of protocol.rules) {
    const make = (key: string, dueAt: Date, appointment: PlanAppointment | null, applies = true): TriggerInstance => ({
      dedupeKey: `${rule.id}:${key}`,
      ruleId: rule.id,
      trigger: rule.trigger.kind,
      instrumentIds: [...rule.instrumentIds],
      respondent: rule.respondent,
      respondentUserId: rule.respondent === 'clinician' ? (appointment?.clinicianId ?? episode.primaryClinicianId) : null,
      channel: rule.respondent === 'clinician' ? 'in_session' : 'link',
      appointmentId: appointment?.id ?? null,
      dueAt,
      applies,
    });
    const trigger = rule.trigger;
    switch (trigger.kind) {
      case 'intake':
        out.push(make(`intake:${episode.id}`, episode.openedAt, null));
        break;
      case 'discharge':
        if (episode.closedAt) out.push(make(`discharge:${episode.id}`, episode.closedAt, null));
        break;
      case 'before_each':
        for (const a of ordered) {
          const dueAt = new Date(a.startsAt.getTime() - trigger.hoursBefore * 3_600_000);
          out.push(make(`appt:${a.id}`, dueAt, a, a.status === 'scheduled' || a.status === 'attended'));
        }
        break;
      case 'after_each_attended':
        for (const a of ordered) {
          if (a.status === 'attended') out.push(make(`appt:${a.id}`, endOf(a), a));
          else if (a.status === 'cancelled' || a.status === 'did_not_attend') out.push(make(`appt:${a.id}`, endOf(a), a, false));
        }
        break;
      case 'every_nth': {
        let count = 0;
        for (const a of ordered) {
          if (a.status !== 'attended' || a.kind !== 'treatment') continue;
          count += 1;
          if (count % trigger.n === 0) out.push(make(`appt:${a.id}`, endOf(a), a));
        }
        break;
      }
    }
  }
  return out;
}

/**
 * The assignments a protocol asks for at `now`: pure, so the sweep's decisions are table-tested.
 * A pre-session questionnaire is made once its send time is within {@link PLAN_WINDOW}.createAheadMs
 * and only while its appointment is still ahead; a later one only follows a moved appointment.
 * Intake, after-session, every-nth and discharge questionnaires are made when their event happened
 * within {@link PLAN_WINDOW}.lookbackMs. Cancelled or missed appointments cancel theirs.
 */
export function planAssignments(
  protocol: PlanProtocol,
  episode: PlanEpisode,
  appointments: readonly PlanAppointment[],
  now: Date,
): PlannedAssignment[] {
  const t = now.getTime();
  const startsAt = new Map(appointments.map((a) => [a.id, a.startsAt.getTime()]));
  const planned: PlannedAssignment[] = [];
  for (const instance of planTriggers(protocol, episode, appointments)) {
    if (!instance.applies) {
      planned.push({ ...instance, action: 'cancel' });
      continue;
    }
    const due = instance.dueAt.getTime();
    if (instance.trigger === 'before_each') {
      if (startsAt.get(instance.appointmentId!)! <= t) continue;
      planned.push({ ...instance, action: due <= t + PLAN_WINDOW.createAheadMs ? 'ensure' : 'move' });
      continue;
    }
    if (due < t - PLAN_WINDOW.lookbackMs) continue;
    planned.push({ ...instance, action: due <= t + PLAN_WINDOW.createAheadMs ? 'ensure' : 'move' });
  }
  return planned;
}
