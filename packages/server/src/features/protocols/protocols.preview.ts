import type { OrganisationSettings, ProtocolRule } from '../../db/schema';
import { planTriggers, type PlanAppointment } from '../assignments/assignments.plan';
import { nextSendTime } from '../assignments/quiet-hours';
import { resolveDays } from './protocols.queries';
import type { ProtocolDays } from './protocols.schema';

const DAY_MS = 86_400_000;

export type PreviewInput = {
  rules: readonly ProtocolRule[];
  reminderAfterDays: ProtocolDays;
  expiryDays: ProtocolDays;
  appointments: { startsAt: string; attended: boolean; kind: PlanAppointment['kind'] }[];
  episodeStart?: string;
  discharge?: string;
  timeZone: string;
};

/**
 * What a protocol would send for a sample schedule, in time order: the same planner the sweep uses
 * (every firing, no time window), then quiet hours in `timeZone`, then reminder and expiry. Each
 * sample appointment is 50 minutes with one clinician.
 */
export function previewProtocol(input: PreviewInput, settings: Pick<OrganisationSettings, 'quietHours' | 'reminderAfterDays' | 'linkExpiryDays'>) {
  const appointments: PlanAppointment[] = input.appointments.map((a, i) => ({
    id: String(i).padStart(3, '0'),
    startsAt: new Date(a.startsAt),
    durationMinutes: 50,
    status: a.attended ? 'attended' : 'scheduled',
    kind: a.kind,
    clinicianId: 'clinician',
  }));
  const first = Math.min(...appointments.map((a) => a.startsAt.getTime()));
  const episode = {
    id: 'sample',
    primaryClinicianId: 'clinician',
    openedAt: input.episodeStart ? new Date(input.episodeStart) : new Date(first),
    closedAt: input.discharge ? new Date(input.discharge) : null,
  };
  const reminderDays = resolveDays(input.reminderAfterDays, settings.reminderAfterDays);
  const expiryDays = resolveDays(input.expiryDays, settings.linkExpiryDays);
  return planTriggers({ id: null, rules: input.rules }, episode, appointments)
    .filter((t) => t.applies)
    .map((t) => {
      const inSession = t.channel === 'in_session';
      const sendAt = inSession ? null : nextSendTime(t.dueAt, input.timeZone, settings.quietHours);
      const expiresAt = sendAt && expiryDays ? new Date(sendAt.getTime() + expiryDays * DAY_MS) : null;
      let reminderAt = sendAt && reminderDays ? nextSendTime(new Date(sendAt.getTime() + reminderDays * DAY_MS), input.timeZone, settings.quietHours) : null;
      if (reminderAt && expiresAt && reminderAt >= expiresAt) reminderAt = null;
      return {
        ruleId: t.ruleId,
        instrumentIds: t.instrumentIds,
        respondent: t.respondent,
        channel: t.channel,
        appointmentIndex: t.appointmentId === null ? null : Number(t.appointmentId),
        trigger: t.trigger,
        dueAt: t.dueAt.toISOString(),
        sendAt: sendAt?.toISOString() ?? null,
        reminderAt: reminderAt?.toISOString() ?? null,
        expiresAt: expiresAt?.toISOString() ?? null,
      };
    })
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.ruleId.localeCompare(b.ruleId));
}
