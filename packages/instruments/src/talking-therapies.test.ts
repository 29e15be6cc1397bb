import { describe, expect, it } from 'vitest';
import { classifyTalkingTherapiesOutcome, pairedAnxietyMeasure } from './index';

const mixed = {
  depression: { first: 14, last: 8 },
  anxiety: { instrumentId: 'gad7', first: 8, last: 12 },
  attendedTreatmentSessions: 6,
  ended: true,
};

describe('NHS Talking Therapies combination rules', () => {
  it('by default (R1) does not call a mixed result reliable improvement', () => {
    expect(classifyTalkingTherapiesOutcome(mixed)).toMatchObject({ reliableImprovement: false, reliableDeterioration: true });
  });

  it('can count any reliable fall as improvement', () => {
    expect(classifyTalkingTherapiesOutcome(mixed, { improvementRule: 'any-fall' }).reliableImprovement).toBe(true);
  });

  it('can require deterioration without a reliable fall on the other measure', () => {
    expect(classifyTalkingTherapiesOutcome(mixed, { deteriorationRule: 'rise-and-no-fall' }).reliableDeterioration).toBe(false);
  });

  it('reads an open episode provisionally and counts it towards no rate', () => {
    const outcome = classifyTalkingTherapiesOutcome({ ...mixed, ended: false });
    expect(outcome).toMatchObject({ finishedCourse: false, provisional: true, casenessAtStart: true });
    expect(outcome.countsTowards).toEqual({ recoveryRate: false, reliableImprovementRate: false });
  });

  it('rounds a prorated score half up before the caseness cut-off (9.5 → 10 is a case)', () => {
    const outcome = classifyTalkingTherapiesOutcome({ ...mixed, depression: { first: 9.5, last: 3 }, anxiety: { instrumentId: 'gad7', first: 5, last: 5 } });
    expect(outcome.casenessAtStart).toBe(true);
  });

  it('needs thresholds for an anxiety measure other than GAD-7, since those in the fact sheet are unverified', () => {
    const social = { ...mixed, anxiety: { instrumentId: 'spin', first: 40, last: 15 } };
    expect(() => classifyTalkingTherapiesOutcome(social)).toThrow(/spin/);
    const outcome = classifyTalkingTherapiesOutcome(social, { thresholds: { spin: { caseness: 19, reliableChange: 10 } } });
    expect(outcome).toMatchObject({ casenessAtStart: true, casenessAtEnd: false, recovered: true });
  });
});

describe('anxiety measure paired with PHQ-9', () => {
  it('pairs GAD-7 with depression, generalised anxiety and mixed presentations', () => {
    for (const problem of ['depression', 'generalised-anxiety', 'mixed-anxiety-depression', 'no-problem-descriptor'] as const) {
      expect(pairedAnxietyMeasure(problem)).toMatchObject({ instrumentId: 'gad7', fallback: false });
    }
  });

  it('recommends the disorder-specific measure and falls back to GAD-7 when it is not available', () => {
    expect(pairedAnxietyMeasure('social-anxiety')).toEqual({ recommended: { id: 'spin', name: 'SPIN' }, instrumentId: 'gad7', fallback: true });
    expect(pairedAnxietyMeasure('ptsd').recommended.name).toBe('IES-R');
    expect(pairedAnxietyMeasure('panic').recommended.name).toBe('PDSS');
  });
});
