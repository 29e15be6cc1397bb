import type { InstrumentDefinitionInput } from '../definition.schema';
import { phqAttribution } from './phq9';
import type { ResponseInput } from './helpers';

/** PHQ-15: public domain, wording from instruments.json (CamCOPS phq15.xml). facts.md A5. */

// facts.md A5 [V src:camcops-phq15-xml]: 0 Not bothered at all, 1 Bothered a little, 2 Bothered a lot
const RESPONSE: ResponseInput = {
  kind: 'options',
  options: [
    { value: 0, label: { en: 'Not bothered at all' } },
    { value: 1, label: { en: 'Bothered a little' } },
    { value: 2, label: { en: 'Bothered a lot' } },
  ],
};

export const phq15: InstrumentDefinitionInput = {
  id: 'phq15',
  version: '1.0.0',
  names: { short: 'PHQ-15', full: 'Patient Health Questionnaire-15' },
  construct: 'Somatic symptom severity',
  respondent: 'client',
  timeFrame: 'past 4 weeks',
  stem: { en: 'During the past 4 weeks, how much have you been bothered by any of the following problems?' },
  items: [
    { id: 'phq15_1', text: { en: 'Stomach pain' }, response: RESPONSE },
    { id: 'phq15_2', text: { en: 'Back pain' }, response: RESPONSE },
    { id: 'phq15_3', text: { en: 'Pain in your arms, legs, or joints (knees, hips, etc.)' }, response: RESPONSE },
    { id: 'phq15_4', text: { en: 'Menstrual cramps or other problems with your periods (WOMEN ONLY)' }, response: RESPONSE, required: false, note: 'Women only; not required for men (facts.md A5 [V src:camcops-phq15-code])' },
    { id: 'phq15_5', text: { en: 'Headaches' }, response: RESPONSE },
    { id: 'phq15_6', text: { en: 'Chest pain' }, response: RESPONSE },
    { id: 'phq15_7', text: { en: 'Dizziness' }, response: RESPONSE },
    { id: 'phq15_8', text: { en: 'Fainting spells' }, response: RESPONSE },
    { id: 'phq15_9', text: { en: 'Feeling your heart pound or race' }, response: RESPONSE },
    { id: 'phq15_10', text: { en: 'Shortness of breath' }, response: RESPONSE },
    { id: 'phq15_11', text: { en: 'Pain or problems during sexual intercourse' }, response: RESPONSE },
    { id: 'phq15_12', text: { en: 'Constipation, loose bowels, or diarrhea' }, response: RESPONSE },
    { id: 'phq15_13', text: { en: 'Nausea, gas, or indigestion' }, response: RESPONSE },
    { id: 'phq15_14', text: { en: 'Feeling tired or having low energy' }, response: RESPONSE },
    { id: 'phq15_15', text: { en: 'Trouble sleeping' }, response: RESPONSE },
  ],
  scoring: {
    method: 'sum', // facts.md A5 [V src:camcops-phq15-code]
    missing: {
      rule: 'none',
      source: 'No missing-item rule in facts.md A5; Rapport convention: every item except the women-only item 4 is needed',
    },
    rules: [
      {
        id: 'somatoform_screen',
        label: '3 or more symptoms rated "bothered a lot" (possible somatoform disorder)',
        combine: 'all',
        groups: [
          {
            items: ['phq15_1', 'phq15_2', 'phq15_3', 'phq15_4', 'phq15_5', 'phq15_6', 'phq15_7', 'phq15_8', 'phq15_9', 'phq15_10', 'phq15_11', 'phq15_12', 'phq15_13', 'phq15_14', 'phq15_15'],
            threshold: 2, // facts.md A5 [V src:camcops-phq15]: "bothered a lot"
            minCount: 3, // facts.md A5 [V src:camcops-phq15]: 3 or more; sensitivity 78%, specificity 71%
          },
        ],
        source: 'facts.md A5 [V src:camcops-phq15]',
      },
    ],
  },
  range: { min: 0, max: 30 }, // facts.md A5: 0–30 (0–28 when item 4 does not apply)
  direction: 'higher-is-worse',
  bands: [
    // facts.md A5 [V src:camcops-phq15-code]
    { id: 'minimal', label: 'Minimal', min: 0, max: 4 },
    { id: 'low', label: 'Low/mild', min: 5, max: 9 },
    { id: 'medium', label: 'Medium/moderate', min: 10, max: 14 },
    { id: 'high', label: 'High/severe', min: 15, max: 30 },
  ],
  loinc: {
    panel: '69728-4', // facts.md A5 [V src:vulcan-phq15]
    items: { phq15_1: '69671-6' }, // facts.md A5 [V src:vulcan-phq15]; the other item codes were not verified [U]
    answers: { '0': 'LA18334-5', '1': 'LA18335-2', '2': 'LA18336-0' }, // facts.md A5 [V src:vulcan-phq15]
    source: 'facts.md A5 [V src:vulcan-phq15]',
  },
  licence: {
    status: 'public-domain',
    mayShipWording: true,
    statement: 'No permission required to reproduce, translate, display or distribute.',
    attribution: phqAttribution,
    source: 'facts.md A5 [V src:vulcan-phq15; src:camcops-phq15]',
  },
  citation:
    'Kroenke K, Spitzer RL, Williams JBW. The PHQ-15: validity of a new measure for evaluating the severity of somatic symptoms. Psychosom Med 2002;64:258–266.',
  validation: { status: 'validated' },
  notes: ['Item 4 (menstrual problems) is optional: leave it unanswered for men; the total then ranges 0–28.'],
};
