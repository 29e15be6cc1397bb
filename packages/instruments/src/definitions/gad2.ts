import type { InstrumentDefinitionInput } from '../definition.schema';
import { gad7 } from './gad7';
import { phqAttribution } from './phq9';

/** GAD-2: GAD-7 items 1 and 2, scored 0–6. facts.md A4. The wording is GAD-7's, never restated. */

export const gad2: InstrumentDefinitionInput = {
  id: 'gad2',
  version: '1.0.0',
  names: { short: 'GAD-2', full: 'Generalized Anxiety Disorder 2-item scale' },
  construct: 'Anxiety screen',
  respondent: 'client',
  timeFrame: 'last 2 weeks',
  ...(gad7.stem ? { stem: gad7.stem } : {}),
  items: gad7.items.filter((item) => item.id === 'gad7_1' || item.id === 'gad7_2'), // facts.md A4
  scoring: {
    method: 'sum',
    missing: { rule: 'none', source: 'No missing-item rule published for a two-item screen; Rapport convention: both items needed' },
  },
  range: { min: 0, max: 6 }, // facts.md A4
  direction: 'higher-is-worse',
  caseness: {
    id: 'positive_screen',
    label: 'Positive anxiety screen',
    operator: '>=',
    value: 3, // facts.md A4 [S src:cabana-gad2; src:smartfunc-charter]: sensitivity 86%, specificity 83%
    source: 'facts.md A4 [S src:cabana-gad2; src:smartfunc-charter]',
  },
  loinc: {
    // facts.md A4 [S src:smartfunc-charter]: no dedicated panel; use the GAD-7 item codes
    items: { gad7_1: '69725-0', gad7_2: '68509-9' },
    answers: { '0': 'LA6568-5', '1': 'LA6569-3', '2': 'LA6570-1', '3': 'LA6571-9' }, // facts.md A1 [V src:hl7-phr-vs]
    source: 'facts.md A4 [S src:smartfunc-charter]',
  },
  licence: {
    status: 'public-domain',
    mayShipWording: true,
    statement: 'No permission is required to reproduce, translate, display or distribute.',
    attribution: phqAttribution,
    source: 'facts.md A4 (as for the PHQ family) [V src:camcops-gad7]',
  },
  citation:
    'Kroenke K et al. Anxiety disorders in primary care: prevalence, impairment, comorbidity, and detection. Ann Intern Med 2007;146:317–325.',
  validation: { status: 'validated' },
};
