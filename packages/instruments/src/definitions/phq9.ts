import type { InstrumentDefinitionInput } from '../definition.schema';
import type { ResponseInput } from './helpers';

/** PHQ-9: the public-domain Pfizer form, wording from instruments.json (CamCOPS phq9.xml). facts.md A1. */

// facts.md A1 [V src:camcops-phq9-xml]: 0 Not at all, 1 Several days, 2 More than half the days, 3 Nearly every day
export const phqFrequency: ResponseInput = {
  kind: 'options',
  options: [
    { value: 0, label: { en: 'Not at all' } },
    { value: 1, label: { en: 'Several days' } },
    { value: 2, label: { en: 'More than half the days' } },
    { value: 3, label: { en: 'Nearly every day' } },
  ],
};

// facts.md A1 [V src:camcops-phq9-xml]: difficulty item, not part of the total; values 0–3 are our convenience (instruments.json [U])
const difficulty: ResponseInput = {
  kind: 'options',
  options: [
    { value: 0, label: { en: 'Not difficult at all' } },
    { value: 1, label: { en: 'Somewhat difficult' } },
    { value: 2, label: { en: 'Very difficult' } },
    { value: 3, label: { en: 'Extremely difficult' } },
  ],
};

const RESPONSE = phqFrequency;

export const phqAttribution =
  'Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc.';

export const phq9: InstrumentDefinitionInput = {
  id: 'phq9',
  version: '1.0.0',
  names: { short: 'PHQ-9', full: 'Patient Health Questionnaire-9' },
  construct: 'Depression severity (DSM-IV depressive symptoms)',
  respondent: 'client',
  timeFrame: 'last 2 weeks',
  stem: { en: 'Over the last 2 weeks, how often have you been bothered by any of the following problems?' },
  items: [
    { id: 'phq9_1', text: { en: 'Little interest or pleasure in doing things' }, response: RESPONSE },
    { id: 'phq9_2', text: { en: 'Feeling down, depressed, or hopeless' }, response: RESPONSE },
    { id: 'phq9_3', text: { en: 'Trouble falling or staying asleep, or sleeping too much' }, response: RESPONSE },
    { id: 'phq9_4', text: { en: 'Feeling tired or having little energy' }, response: RESPONSE },
    { id: 'phq9_5', text: { en: 'Poor appetite or overeating' }, response: RESPONSE },
    { id: 'phq9_6', text: { en: 'Feeling bad about yourself — or that you are a failure or have let yourself or your family down' }, response: RESPONSE },
    { id: 'phq9_7', text: { en: 'Trouble concentrating on things, such as reading the newspaper or watching television' }, response: RESPONSE },
    { id: 'phq9_8', text: { en: 'Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual' }, response: RESPONSE },
    { id: 'phq9_9', text: { en: 'Thoughts that you would be better off dead or of hurting yourself in some way' }, response: RESPONSE },
    { id: 'phq9_difficulty', text: { en: 'If you checked off any problems, how difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?' }, response: difficulty, scored: false, required: false },
  ],
  scoring: {
    method: 'sum', // facts.md A1 [V src:camcops-phq9-code]: sum of items 1–9
    missing: {
      rule: 'prorate',
      maxMissing: 2, // facts.md A1 [V src:nhs-dd-phq9]: one or two missing → mean of the answered items; more than two → disregard
      source: 'facts.md A1 [V src:nhs-dd-phq9]',
    },
  },
  range: { min: 0, max: 27 }, // facts.md A1 [V]
  direction: 'higher-is-worse',
  bands: [
    // facts.md A1 [V src:camcops-phq9-code; src:nhs-dd-phq9]
    { id: 'minimal', label: 'None/minimal', min: 0, max: 4 },
    { id: 'mild', label: 'Mild', min: 5, max: 9 },
    { id: 'moderate', label: 'Moderate', min: 10, max: 14 },
    { id: 'moderately_severe', label: 'Moderately severe', min: 15, max: 19 },
    { id: 'severe', label: 'Severe', min: 20, max: 27 },
  ],
  caseness: {
    id: 'caseness',
    label: 'Clinically significant depression (NHS cut-off)',
    operator: '>=',
    value: 10, // facts.md A1, B2 [V src:nhs-dd-phq9]: 10 or more is a case
    source: 'facts.md A1 [V src:nhs-dd-phq9]',
  },
  reliableChange: {
    method: 'published',
    threshold: 6, // facts.md A1, B2 [S src:inclinical-nct05134103; src:cbtwatch]: NHS Talking Therapies, 6 or more points
    source: 'facts.md B2 [S src:inclinical-nct05134103; src:cbtwatch]',
  },
  risk: [
    {
      itemId: 'phq9_9',
      threshold: 1, // facts.md A1 [V src:camcops-phq9-code]: item 9 counts at any score of 1 or more
      kind: 'suicidal-ideation',
      source: 'facts.md A1 [V src:camcops-phq9-code]; same-day review is common practice [U]',
    },
  ],
  loinc: {
    panel: '44249-1', // facts.md A1 [V src:hl7-phr-phq9]
    total: '44261-6', // facts.md A1 [V src:hl7-phr-phq9]
    // facts.md A1 [V src:hl7-phr-phq9; src:hl7-phr-vs]; the difficulty item's code was not verified [U], so it is absent
    items: {
      phq9_1: '44250-9',
      phq9_2: '44255-8',
      phq9_3: '44259-0',
      phq9_4: '44254-1',
      phq9_5: '44251-7',
      phq9_6: '44258-2',
      phq9_7: '44252-5',
      phq9_8: '44253-3',
      phq9_9: '44260-8',
    },
    // facts.md A1 [V src:hl7-phr-vs; src:qpath-vs]
    answers: { '0': 'LA6568-5', '1': 'LA6569-3', '2': 'LA6570-1', '3': 'LA6571-9' },
    source: 'facts.md A1 [V src:hl7-phr-phq9; src:hl7-phr-vs; src:qpath-vs]',
  },
  licence: {
    status: 'public-domain',
    mayShipWording: true,
    statement: 'No permission is required to reproduce, translate, display or distribute. (phqscreeners.com, quoted by CamCOPS)',
    attribution: phqAttribution,
    source: 'facts.md A1 [V src:camcops-phq9]',
  },
  citation:
    'Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. J Gen Intern Med 2001;16(9):606–613.',
  validation: { status: 'validated' },
  notes: [
    'Prorated totals keep the exact value (NHS DD gives no rounding rule); bands and caseness use it rounded half up.',
  ],
};
