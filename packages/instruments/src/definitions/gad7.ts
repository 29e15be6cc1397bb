import type { InstrumentDefinitionInput } from '../definition.schema';
import { phqAttribution, phqFrequency } from './phq9';

/** GAD-7: public domain, wording from instruments.json (CamCOPS gad7.xml). facts.md A3. */

// facts.md A3 [V src:camcops-gad7-xml]: the same 0–3 labels as PHQ-9; the 0 anchor is "Not at all" (not "Not at all sure")
const RESPONSE = phqFrequency;

export const gad7: InstrumentDefinitionInput = {
  id: 'gad7',
  version: '1.0.0',
  names: { short: 'GAD-7', full: 'Generalized Anxiety Disorder 7-item scale' },
  construct: 'Generalised anxiety symptoms',
  respondent: 'client',
  timeFrame: 'last 2 weeks',
  stem: { en: 'Over the last 2 weeks, how often have you been bothered by any of the following problems?' },
  items: [
    { id: 'gad7_1', text: { en: 'Feeling nervous, anxious or on edge' }, response: RESPONSE },
    { id: 'gad7_2', text: { en: 'Not being able to stop or control worrying' }, response: RESPONSE },
    { id: 'gad7_3', text: { en: 'Worrying too much about different things' }, response: RESPONSE },
    { id: 'gad7_4', text: { en: 'Trouble relaxing' }, response: RESPONSE },
    { id: 'gad7_5', text: { en: 'Being so restless that it is hard to sit still' }, response: RESPONSE },
    { id: 'gad7_6', text: { en: 'Becoming easily annoyed or irritable' }, response: RESPONSE },
    { id: 'gad7_7', text: { en: 'Feeling afraid as if something awful might happen' }, response: RESPONSE },
  ],
  scoring: {
    method: 'sum', // facts.md A3 [V]
    missing: {
      rule: 'prorate',
      maxMissing: 2, // Rapport convention: facts.md A3 has no GAD-7 rule [U]; we apply the PHQ-9 NHS DD rule (A1 [V src:nhs-dd-phq9])
      source: 'Rapport convention, by analogy with facts.md A1 [V src:nhs-dd-phq9]; the GAD-7 NHS DD entry was not retrieved [U]',
    },
  },
  range: { min: 0, max: 21 }, // facts.md A3 [V]
  direction: 'higher-is-worse',
  bands: [
    // facts.md A3 [V src:camcops-gad7-code; src:ebm-gad7]
    { id: 'minimal', label: 'Minimal', min: 0, max: 4 },
    { id: 'mild', label: 'Mild', min: 5, max: 9 },
    { id: 'moderate', label: 'Moderate', min: 10, max: 14 },
    { id: 'severe', label: 'Severe', min: 15, max: 21 },
  ],
  caseness: {
    id: 'caseness',
    label: 'NHS Talking Therapies caseness',
    operator: '>=',
    value: 8, // facts.md A3, B2 [S src:inclinical-nct05134103; src:cbtwatch]
    source: 'facts.md B2 [S src:inclinical-nct05134103; src:cbtwatch]',
  },
  cutoffs: [
    {
      id: 'gad_screen',
      label: 'Probable generalised anxiety disorder',
      operator: '>=',
      value: 10, // facts.md A3 [V src:camcops-gad7]: sensitivity 89%, specificity 82% (Spitzer 2006)
      source: 'facts.md A3 [V src:camcops-gad7]',
    },
  ],
  reliableChange: {
    method: 'published',
    threshold: 4, // facts.md A3, B2 [S src:inclinical-nct05134103; src:cbtwatch]
    source: 'facts.md B2 [S src:inclinical-nct05134103; src:cbtwatch]',
  },
  loinc: {
    panel: '69737-5', // facts.md A3 [V src:hl7-phr-gad7]
    total: '70274-6', // facts.md A3 [V src:hl7-phr-gad7]
    // facts.md A3 [V src:hl7-phr-gad7; src:hl7-phr-vs]
    items: {
      gad7_1: '69725-0',
      gad7_2: '68509-9',
      gad7_3: '69733-4',
      gad7_4: '69734-2',
      gad7_5: '69735-9',
      gad7_6: '69689-8',
      gad7_7: '69736-7',
    },
    answers: { '0': 'LA6568-5', '1': 'LA6569-3', '2': 'LA6570-1', '3': 'LA6571-9' }, // facts.md A1 [V src:hl7-phr-vs], shared PHQ answer list
    source: 'facts.md A3 [V src:hl7-phr-gad7; src:hl7-phr-vs]',
  },
  licence: {
    status: 'public-domain',
    mayShipWording: true,
    statement: 'No permission is required to reproduce, translate, display or distribute.',
    attribution: phqAttribution,
    source: 'facts.md A3 [V src:camcops-gad7]',
  },
  citation:
    'Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized anxiety disorder: the GAD-7. Arch Intern Med 2006;166(10):1092–1097.',
  validation: { status: 'validated' },
  notes: [
    'Missing items: no published GAD-7 rule was retrieved; Rapport applies the PHQ-9 NHS rule (up to 2 missing, mean substitution).',
    'Caseness is the NHS Talking Therapies cut-off of 8; the GAD screening cut-off of 10 is reported as an interpretation.',
  ],
};
