import type { InstrumentDefinitionInput } from '../definition.schema';
import type { ResponseInput } from './helpers';

/**
 * CORE-10: CC BY-ND 4.0, shipped verbatim and unmodified with its attribution, English only (no
 * home-made translations of a no-derivatives instrument). Wording from instruments.json (CamCOPS
 * core10.xml). facts.md A13.
 */

// facts.md A13 [V src:camcops-core10-xml]: 0 Not at all … 4 Most or all of the time (raw values, as shown)
const RESPONSE: ResponseInput = {
  kind: 'options',
  options: [
    { value: 0, label: { en: 'Not at all' } },
    { value: 1, label: { en: 'Only occasionally' } },
    { value: 2, label: { en: 'Sometimes' } },
    { value: 3, label: { en: 'Often' } },
    { value: 4, label: { en: 'Most or all of the time' } },
  ],
};

export const core10: InstrumentDefinitionInput = {
  id: 'core10',
  version: '1.0.0',
  names: { short: 'CORE-10', full: 'Clinical Outcomes in Routine Evaluation 10' },
  construct: 'Psychological distress (problems, functioning, risk)',
  respondent: 'client',
  timeFrame: 'last week',
  instructions: {
    en: 'This form has 10 statements about how you have been OVER THE LAST WEEK. Please read each statement and think how often you felt that way last week. Then choose the option which is closest to this.',
  },
  stem: { en: 'Over the last week...' },
  items: [
    { id: 'core10_1', text: { en: 'I have felt tense, anxious or nervous' }, response: RESPONSE },
    { id: 'core10_2', text: { en: 'I have felt I have someone to turn to for support when needed' }, response: RESPONSE, reverse: true },
    { id: 'core10_3', text: { en: 'I have felt able to cope when things go wrong' }, response: RESPONSE, reverse: true },
    { id: 'core10_4', text: { en: 'Talking to people has felt too much for me' }, response: RESPONSE },
    { id: 'core10_5', text: { en: 'I have felt panic or terror' }, response: RESPONSE },
    { id: 'core10_6', text: { en: 'I made plans to end my life' }, response: RESPONSE },
    { id: 'core10_7', text: { en: 'I have had difficulty getting to sleep or staying asleep' }, response: RESPONSE },
    { id: 'core10_8', text: { en: 'I have felt despairing or hopeless' }, response: RESPONSE },
    { id: 'core10_9', text: { en: 'I have felt unhappy' }, response: RESPONSE },
    { id: 'core10_10', text: { en: 'Unwanted images or memories have been distressing me' }, response: RESPONSE },
  ],
  scoring: {
    method: 'sum', // facts.md A13 [V src:camcops-core10-code]: clinical score = 10 × total ÷ items completed, i.e. a prorated sum
    missing: {
      rule: 'prorate',
      maxMissing: 1, // Rapport convention: the manual's limit was not retrieved (facts.md A13 [U]); we prorate at most one missing item
      source: 'Prorating formula facts.md A13 [V src:camcops-core10-code]; the limit of one missing item is a Rapport convention [U]',
    },
  },
  range: { min: 0, max: 40 }, // facts.md A13
  direction: 'higher-is-worse',
  bands: [
    // facts.md A13 [S src:helpineed-core10] (secondary)
    { id: 'healthy', label: 'Healthy', min: 0, max: 5 },
    { id: 'low_level', label: 'Low level', min: 6, max: 10 },
    { id: 'mild', label: 'Mild', min: 11, max: 15 },
    { id: 'moderate', label: 'Moderate', min: 16, max: 20 },
    { id: 'moderately_severe', label: 'Moderately severe', min: 21, max: 25 },
    { id: 'severe', label: 'Severe', min: 26, max: 40 },
  ],
  caseness: {
    id: 'clinical_range',
    label: 'Clinically significant distress',
    operator: '>=',
    value: 11, // facts.md A13 [S src:novopsych-core10]: 11 or more; agrees with JT cut-off c = 10.46 [computed]
    source: 'facts.md A13 [S src:novopsych-core10]',
  },
  cutoffs: [
    {
      id: 'likely_depression',
      label: 'Likely depression',
      operator: '>',
      value: 13, // facts.md A13 [S src:novopsych-core10]: above 13, sensitivity .92, specificity .72
      source: 'facts.md A13 [S src:novopsych-core10]',
    },
  ],
  reliableChange: {
    method: 'jacobson-truax',
    sd: 7.7, // facts.md A13 [S src:novopsych-core10]: primary-care counselling SD 7.7
    reliability: 0.9, // facts.md A13 [S src:novopsych-core10]: α about .90
    source: 'facts.md A13, B1 [computed from S src:novopsych-core10]: minimum reliable change 6.75 points',
  },
  clinicalSignificance: {
    clinical: { mean: 19.7, sd: 7.7 }, // facts.md A13 [S src:novopsych-core10]: primary-care counselling n=1835
    functional: { mean: 4.7, sd: 4.8 }, // facts.md A13 [S src:novopsych-core10]: general population n=535
    source: 'facts.md A13, B1 [S src:novopsych-core10, citing Connell & Barkham 2007]',
  },
  risk: [
    {
      itemId: 'core10_6',
      threshold: 1, // instruments.json core10 cut-off "core10_6 >= 1" (design suggestion, [U]); any endorsement of plans to end one's life
      kind: 'suicide-plans',
      clinicalSafety: true,
      source: 'Rapport clinical-safety rule; the CORE-10 manual does not declare a risk threshold (facts.md A13)',
    },
  ],
  licence: {
    status: 'cc-by-nd-4.0',
    mayShipWording: true,
    statement:
      'Any organisation is free to reproduce CORE instruments in software, as well as on paper, under the terms of the Creative Commons Attribution-NoDerivatives 4.0 International (CC BY-ND 4.0) licence without payment of any licence fee.',
    attribution: 'CORE-10 © CORE System Trust, reproduced unmodified under CC BY-ND 4.0 (https://creativecommons.org/licenses/by-nd/4.0/).',
    copyright: '© CORE System Trust',
    source: 'facts.md A13 [V src:camcops-core10]',
  },
  citation:
    'Barkham M, Bewick B, Mullin T, et al. The CORE-10: a short measure of psychological distress for routine use in the psychological therapies. Counselling and Psychotherapy Research 2013;13(1):3–13.',
  validation: { status: 'validated' },
  notes: [
    'English only: CC BY-ND forbids derivatives, so only official translations may be added, through a content pack.',
    'Missing items: at most one is prorated (10 × sum ÷ answered); the manual limit was not retrieved.',
    'Item 6 is flagged for clinical safety at any endorsement; this is a Rapport rule, not a CORE scoring rule.',
    'Bands and cut-offs are from secondary sources (NovoPsych, helpineed); the reliable change is computed (Jacobson–Truax).',
  ],
};
