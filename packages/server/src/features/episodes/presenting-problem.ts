import type { pairedAnxietyMeasure } from '@rapport/instruments';
import type { PresentingProblem } from './episodes.schema';

export type TalkingTherapiesProblem = Parameters<typeof pairedAnxietyMeasure>[0];

/** The episodes' presenting-problem codes → the NHS Talking Therapies table's (facts.md B2 [V src:pmc5942544-t2]). */
const TALKING_THERAPIES_PROBLEM: Readonly<Record<PresentingProblem, TalkingTherapiesProblem>> = {
  depression: 'depression',
  gad: 'generalised-anxiety',
  mixed: 'mixed-anxiety-depression',
  none: 'no-problem-descriptor',
  social_anxiety: 'social-anxiety',
  ptsd: 'ptsd',
  agoraphobia: 'agoraphobia',
  ocd: 'ocd',
  panic: 'panic',
  health_anxiety: 'health-anxiety',
  other: 'no-problem-descriptor',
};

/** The Talking Therapies problem for an episode's code; no code or an unknown one reads as "no problem descriptor". */
export function talkingTherapiesProblem(code: string | null | undefined): TalkingTherapiesProblem {
  return TALKING_THERAPIES_PROBLEM[(code ?? 'none') as PresentingProblem] ?? 'no-problem-descriptor';
}
