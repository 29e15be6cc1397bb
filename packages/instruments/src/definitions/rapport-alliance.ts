import type { InstrumentDefinitionInput } from '../definition.schema';
import type { ItemInput, ResponseInput } from './helpers';

/**
 * Rapport's own alliance check: goals, tasks, bond and an overall rating, with client and therapist
 * wording written for Rapport (not adapted from any licensed measure), on the same 0–10 scale.
 * CC BY 4.0. It is NOT a validated instrument, so it has no cut-off: use it only relative to the
 * client's own history and to the therapist's parallel rating.
 */

const warning = {
  en: 'Not a validated instrument — replace with a validated, licensed measure when you can.',
  fr: 'Instrument non validé — remplacez-le par une mesure validée et sous licence dès que possible.',
};

const licence = {
  status: 'cc-by-4.0' as const,
  mayShipWording: true,
  statement: 'Released under the Creative Commons Attribution 4.0 International licence (CC BY 4.0).',
  attribution: 'Rapport alliance check © Rapport contributors, CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).',
  source: 'Written for Rapport (issue 2)',
};

const citation = 'Rapport contributors. Rapport alliance check, version 1.0.0. 2026. CC BY 4.0. Not validated.';

// Rapport's own 0–10 scale, chosen for this check (no source: it is not a validated instrument)
function scale(min: { en: string; fr: string }, max: { en: string; fr: string }): ResponseInput {
  const options = [];
  for (let value = 0; value <= 10; value++) {
    const label = value === 0 ? min : value === 10 ? max : { en: String(value), fr: String(value) };
    options.push({ value, label });
  }
  return { kind: 'options', options };
}

const truth = scale({ en: '0 – Not at all true', fr: '0 – Pas du tout vrai' }, { en: '10 – Completely true', fr: '10 – Tout à fait vrai' });

const clientItems: ItemInput[] = [
  {
    id: 'rapport_alliance_goals',
    text: {
      en: 'I know what we are aiming for in our work together, and it matters to me.',
      fr: 'Je sais ce que nous visons dans notre travail ensemble, et cela compte pour moi.',
    },
    response: truth,
  },
  {
    id: 'rapport_alliance_tasks',
    text: {
      en: 'What we do in our sessions makes sense to me as a way forward.',
      fr: 'Ce que nous faisons pendant les séances me paraît sensé pour avancer.',
    },
    response: truth,
  },
  {
    id: 'rapport_alliance_bond',
    text: {
      en: 'I can count on my therapist to take me seriously.',
      fr: 'Je peux compter sur mon ou ma thérapeute pour me prendre au sérieux.',
    },
    response: truth,
  },
  {
    id: 'rapport_alliance_overall',
    text: {
      en: 'All things considered, I am glad to be doing this work with this therapist.',
      fr: 'Tout bien considéré, je me réjouis de faire ce travail avec ce ou cette thérapeute.',
    },
    response: truth,
  },
];

const therapistItems: ItemInput[] = [
  {
    id: 'rapport_alliance_therapist_goals',
    text: {
      en: 'I know what my client is aiming for in our work together, and we share that aim.',
      fr: 'Je sais ce que vise la personne que j’accompagne dans notre travail ensemble, et nous partageons ce but.',
    },
    response: truth,
  },
  {
    id: 'rapport_alliance_therapist_tasks',
    text: {
      en: 'I believe what we do in our sessions makes sense to my client as a way forward.',
      fr: 'Je pense que ce que nous faisons pendant les séances paraît sensé à la personne que j’accompagne pour avancer.',
    },
    response: truth,
  },
  {
    id: 'rapport_alliance_therapist_bond',
    text: {
      en: 'My client can count on me to take them seriously, and I believe they know it.',
      fr: 'La personne que j’accompagne peut compter sur moi pour la prendre au sérieux, et je crois qu’elle le sait.',
    },
    response: truth,
  },
  {
    id: 'rapport_alliance_therapist_overall',
    text: {
      en: 'All things considered, I am glad to be doing this work with this client.',
      fr: 'Tout bien considéré, je me réjouis de faire ce travail avec cette personne.',
    },
    response: truth,
  },
];

const scoring = {
  method: 'sum' as const,
  missing: { rule: 'none' as const, source: 'Rapport convention: all four items needed' },
};

const notes = [
  'Not a validated instrument: no cut-off, no bands, no reliable-change threshold. Compare a client with their own history and with the therapist’s parallel rating only.',
  'Wording written for Rapport in English and French; it paraphrases no licensed measure.',
];

export const rapportAlliance: InstrumentDefinitionInput = {
  id: 'rapport_alliance',
  version: '1.0.0',
  names: { short: 'Rapport alliance check (client)', full: 'Rapport alliance check – client form (not validated)' },
  construct: 'Working alliance: goals, tasks, bond, overall',
  respondent: 'client',
  timeFrame: 'current therapy',
  stem: {
    en: 'Think about your therapy as it is now. How true is each statement for you?',
    fr: 'Pensez à votre thérapie telle qu’elle est en ce moment. Dans quelle mesure chaque affirmation est-elle vraie pour vous ?',
  },
  items: clientItems,
  scoring,
  range: { min: 0, max: 40 }, // Rapport's own scale: 4 items × 0–10 (not from facts.md)
  direction: 'higher-is-better',
  licence,
  citation,
  parallelForm: {
    instrumentId: 'rapport_alliance_therapist',
    items: {
      rapport_alliance_goals: 'rapport_alliance_therapist_goals',
      rapport_alliance_tasks: 'rapport_alliance_therapist_tasks',
      rapport_alliance_bond: 'rapport_alliance_therapist_bond',
      rapport_alliance_overall: 'rapport_alliance_therapist_overall',
    },
  },
  validation: { status: 'not-validated', warning },
  notes,
};

export const rapportAllianceTherapist: InstrumentDefinitionInput = {
  id: 'rapport_alliance_therapist',
  version: '1.0.0',
  names: { short: 'Rapport alliance check (therapist)', full: 'Rapport alliance check – therapist form (not validated)' },
  construct: 'Working alliance: goals, tasks, bond, overall (therapist perspective)',
  respondent: 'clinician',
  timeFrame: 'current therapy',
  stem: {
    en: 'Think about your work with this client as it is now. How true is each statement?',
    fr: 'Pensez à votre travail avec cette personne tel qu’il est en ce moment. Dans quelle mesure chaque affirmation est-elle vraie ?',
  },
  items: therapistItems,
  scoring,
  range: { min: 0, max: 40 }, // Rapport's own scale: 4 items × 0–10 (not from facts.md)
  direction: 'higher-is-better',
  licence,
  citation,
  parallelForm: {
    instrumentId: 'rapport_alliance',
    items: {
      rapport_alliance_therapist_goals: 'rapport_alliance_goals',
      rapport_alliance_therapist_tasks: 'rapport_alliance_tasks',
      rapport_alliance_therapist_bond: 'rapport_alliance_bond',
      rapport_alliance_therapist_overall: 'rapport_alliance_overall',
    },
  },
  validation: { status: 'not-validated', warning },
  notes,
};
