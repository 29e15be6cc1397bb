import { describe, expect, it } from 'vitest';
import { BUILT_IN_PROTOCOL } from '../protocols/built-in-protocol';
import { PLAN_WINDOW, planAssignments, planTriggers, type PlanAppointment, type PlanEpisode } from './assignments.plan';

const H = 3_600_000;
const D = 24 * H;
const now = new Date('2026-03-02T09:00:00Z');
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
const protocol = { id: null, rules: BUILT_IN_PROTOCOL.rules };
const episode: PlanEpisode = { id: 'ep', primaryClinicianId: 'primary', openedAt: at(-30 * D), closedAt: null };
const appt = (id: string, startOffset: number, status: PlanAppointment['status'] = 'scheduled', kind: PlanAppointment['kind'] = 'treatment'): PlanAppointment => ({
  id,
  startsAt: at(startOffset),
  durationMinutes: 50,
  status,
  kind,
  clinicianId: 'seen-by',
});
const summary = (a: ReturnType<typeof planAssignments>[number]) => `${a.action} ${a.dedupeKey} @${(a.dueAt.getTime() - now.getTime()) / H}h`;

describe('planAssignments with the built-in protocol', () => {
  it.each<[string, PlanAppointment[], Partial<PlanEpisode>, string[]]>([
    ['nothing for an old episode with no appointments', [], {}, []],
    ['a pre-session bundle once its send time is within the hour', [appt('a', 24.5 * H)], {}, ['ensure phq9-gad7-before:appt:a @0.5h']],
    ['only a move for a session further ahead', [appt('a', 48 * H)], {}, ['move phq9-gad7-before:appt:a @24h']],
    ['a late-booked session still gets its bundle at once', [appt('a', 3 * H)], {}, ['ensure phq9-gad7-before:appt:a @-21h']],
    ['nothing before a session that has started', [appt('a', -10 * 60_000)], {}, []],
    ['a cancelled session cancels its bundle', [appt('a', 10 * H, 'cancelled')], {}, ['cancel phq9-gad7-before:appt:a @-14h', 'cancel alliance-client-after:appt:a @10.833333333333334h', 'cancel alliance-clinician-after:appt:a @10.833333333333334h']],
    [
      'an attended session asks the client and its clinician for the alliance check at its end',
      [appt('a', -2 * H, 'attended')],
      {},
      ['ensure alliance-client-after:appt:a @-1.1666666666666667h', 'ensure alliance-clinician-after:appt:a @-1.1666666666666667h'],
    ],
    ['an attended session older than the look-back is history', [appt('a', -4 * D, 'attended')], {}, []],
    ['intake when the episode opens', [], { openedAt: at(-H) }, ['ensure core10-intake:intake:ep @-1h']],
    ['discharge when it closes', [], { closedAt: at(-2 * H) }, ['ensure core10-discharge:discharge:ep @-2h']],
  ])('%s', (_name, appointments, episodeChanges, expected) => {
    expect(planAssignments(protocol, { ...episode, ...episodeChanges }, appointments, now).map(summary)).toEqual(expected);
  });

  it('gives clinician questionnaires to the appointment clinician, in session; client ones go by link', () => {
    const [client, clinician] = planAssignments(protocol, episode, [appt('a', -H, 'attended')], now);
    expect(client).toMatchObject({ respondent: 'client', respondentUserId: null, channel: 'link', appointmentId: 'a', instrumentIds: ['rapport_alliance'] });
    expect(clinician).toMatchObject({ respondent: 'clinician', respondentUserId: 'seen-by', channel: 'in_session', instrumentIds: ['rapport_alliance_therapist'] });
  });

  it('makes the same plan every time (the sweep is idempotent)', () => {
    const appointments = [appt('a', 20 * H), appt('b', -H, 'attended')];
    expect(planAssignments(protocol, episode, appointments, now)).toEqual(planAssignments(protocol, episode, appointments, now));
  });
});

describe('planTriggers for other rules', () => {
  it('fires an every-nth rule on every nth attended treatment session only', () => {
    const rules = [{ id: 'core10-every-3', instrumentIds: ['core10'], respondent: 'client' as const, trigger: { kind: 'every_nth' as const, n: 3 } }];
    const appointments = [
      appt('s0', -10 * D, 'attended', 'assessment'),
      appt('s1', -9 * D, 'attended'),
      appt('s2', -8 * D, 'did_not_attend'),
      appt('s3', -7 * D, 'attended'),
      appt('s4', -6 * D, 'attended'),
      appt('s5', -5 * D, 'attended'),
      appt('s6', -4 * D, 'attended'),
      appt('s7', -3 * D, 'attended'),
    ];
    expect(planTriggers({ id: null, rules }, episode, appointments).map((t) => t.appointmentId)).toEqual(['s4', 's7']);
  });

  it('uses hoursBefore for each pre-session rule', () => {
    const rules = [{ id: 'two-days', instrumentIds: ['phq9'], respondent: 'client' as const, trigger: { kind: 'before_each' as const, hoursBefore: 48 } }];
    const [t] = planTriggers({ id: null, rules }, episode, [appt('a', 72 * H)]);
    expect(t!.dueAt.toISOString()).toBe(at(24 * H).toISOString());
  });

  it('looks back three days and ahead one hour', () => {
    expect(PLAN_WINDOW).toEqual({ createAheadMs: H, lookbackMs: 3 * D });
  });
});
