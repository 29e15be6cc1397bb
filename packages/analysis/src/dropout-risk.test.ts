import { describe, expect, it } from 'vitest';
import { dropoutRisk } from './dropout-risk';

describe('dropoutRisk', () => {
  it('scores nothing and is low without any factor', () => {
    expect(dropoutRisk({})).toMatchObject({ score: 0, level: 'low', contributions: [], cutPoints: { medium: 3, high: 5 } });
  });

  it('lists every contributing factor with its points', () => {
    const result = dropoutRisk({ earlyLowAlliance: true, unrepairedRupture: true, missedAppointments: 1, traineeTherapist: true, age: 19 });
    expect(result.contributions).toEqual([
      { factor: 'early_low_alliance', points: 3, detail: 'low alliance in sessions 1–3' },
      { factor: 'unrepaired_rupture', points: 2, detail: 'a rupture not repaired within three sessions' },
      { factor: 'missed_appointments', points: 1, detail: '1 cancelled or missed appointment' },
      { factor: 'trainee_therapist', points: 1, detail: 'seen by a trainee therapist' },
      { factor: 'younger_age', points: 1, detail: 'aged 19, under 25' },
    ]);
    expect(result).toMatchObject({ score: 8, level: 'high' });
  });

  it.each([
    [{ missedAppointments: 2 }, 2, 'low'],
    [{ earlyLowAlliance: true }, 3, 'medium'],
    [{ missedAppointments: 3, traineeTherapist: true }, 4, 'medium'],
    [{ earlyLowAlliance: true, notOnTrack: true }, 5, 'high'],
    [{ earlyLowAlliance: true, missedQuestionnaires: true }, 4, 'medium'],
  ])('scores %o as %d points, %s (cut points 3 and 5, inclusive)', (factors, score, level) => {
    expect(dropoutRisk(factors)).toMatchObject({ score, level });
  });

  it('counts not on track and reliable deterioration once, naming both', () => {
    const result = dropoutRisk({ notOnTrack: true, reliableDeterioration: true });
    expect(result.contributions).toEqual([{ factor: 'symptoms_off_track', points: 2, detail: 'not on track and reliable deterioration' }]);
  });

  it('caps missed appointments at three', () => {
    expect(dropoutRisk({ missedAppointments: 7 }).contributions).toEqual([{ factor: 'missed_appointments', points: 3, detail: '7 cancelled or missed appointments (3 counted)' }]);
  });

  it.each([
    [24, true],
    [25, false],
    [null, false],
  ])('counts age %s as younger: %s', (age, counted) => {
    expect(dropoutRisk({ age }).contributions.some((contribution) => contribution.factor === 'younger_age')).toBe(counted);
  });

  it('takes configured points and cut points', () => {
    const result = dropoutRisk({ traineeTherapist: true, missedQuestionnaires: true }, { points: { trainee_therapist: 0, missed_questionnaires: 4 }, cutPoints: { medium: 2, high: 4 } });
    expect(result).toMatchObject({ score: 4, level: 'high' });
    expect(result.contributions.map((contribution) => contribution.factor)).toEqual(['missed_questionnaires']);
  });

  it.each([
    [{ missedAppointments: -1 }, {}, /missedAppointments/],
    [{ missedAppointments: 1.5 }, {}, /missedAppointments/],
    [{}, { cutPoints: { medium: 6, high: 5 } }, /cutPoints/],
  ])('refuses %o with %o', (factors, options, message) => {
    expect(() => dropoutRisk(factors, options)).toThrow(message);
  });
});
