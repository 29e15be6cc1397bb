import type { InstrumentDefinitionInput } from '../definition.schema';
import { phq9, phqAttribution } from './phq9';

/** PHQ-2: PHQ-9 items 1 and 2 with the same responses. facts.md A2. The wording is PHQ-9's, never restated. */

export const phq2: InstrumentDefinitionInput = {
  id: 'phq2',
  version: '1.0.0',
  names: { short: 'PHQ-2', full: 'Patient Health Questionnaire-2' },
  construct: 'Depression screen',
  respondent: 'client',
  timeFrame: 'last 2 weeks',
  ...(phq9.stem ? { stem: phq9.stem } : {}),
  items: phq9.items.filter((item) => item.id === 'phq9_1' || item.id === 'phq9_2'), // facts.md A2 [V src:hindawi-phq2]
  scoring: {
    method: 'sum',
    missing: { rule: 'none', source: 'No missing-item rule published for a two-item screen; Rapport convention: both items needed' },
  },
  range: { min: 0, max: 6 }, // facts.md A2
  direction: 'higher-is-worse',
  caseness: {
    id: 'positive_screen',
    label: 'Positive depression screen',
    operator: '>=',
    value: 3, // facts.md A2 [V src:hindawi-phq2]: 3 or more suggests elevated depressive symptoms
    source: 'facts.md A2 [V src:hindawi-phq2]',
  },
  loinc: {
    panel: '55757-9', // facts.md A2 [S src:smartfunc-charter; src:findstring-55757-9]
    total: '55758-7', // facts.md A2 [S src:smartfunc-charter; src:findstring-55757-9]
    items: { phq9_1: '44250-9', phq9_2: '44255-8' }, // facts.md A2 [S]; same codes as PHQ-9 items 1–2 (A1 [V])
    answers: { '0': 'LA6568-5', '1': 'LA6569-3', '2': 'LA6570-1', '3': 'LA6571-9' }, // facts.md A1 [V src:hl7-phr-vs]
    source: 'facts.md A2 [S src:smartfunc-charter; src:findstring-55757-9]',
  },
  licence: {
    status: 'public-domain',
    mayShipWording: true,
    statement: 'No permission is required to reproduce, translate, display or distribute.',
    attribution: phqAttribution,
    source: 'facts.md A2 [V src:camcops-phq9]',
  },
  citation: 'Kroenke K, Spitzer RL, Williams JBW. The Patient Health Questionnaire-2. Med Care 2003;41:1284–1292.',
  validation: { status: 'validated' },
};
