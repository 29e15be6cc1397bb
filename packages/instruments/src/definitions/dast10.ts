import type { InstrumentDefinitionInput } from '../definition.schema';
import { placeholderItems } from './helpers';

/** DAST-10: non-commercial use with credit, so structure and scoring only. facts.md A9. */

export const dast10: InstrumentDefinitionInput = {
  id: 'dast10',
  version: '1.0.0',
  names: { short: 'DAST-10', full: 'Drug Abuse Screening Test (10 items)' },
  construct: 'Drug use problems (excluding alcohol and tobacco)',
  respondent: 'client',
  timeFrame: 'past 12 months',
  // facts.md A9 [V src:nova-dast10]: yes/no items, raw No = 0, Yes = 1;
  // [V src:comorbidity-dast10]: item 3 scores 1 for "No", so it is reversed
  items: placeholderItems('dast10', 10, { kind: 'options', options: [{ value: 0 }, { value: 1 }] }, { 3: { reverse: true } }),
  scoring: {
    method: 'sum', // facts.md A9 [V src:comorbidity-dast10]: 1 point per "Yes", item 3 "No"
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A9; Rapport convention: all 10 items needed' },
  },
  range: { min: 0, max: 10 }, // facts.md A9 [V src:comorbidity-dast10]
  direction: 'higher-is-worse',
  bands: [
    // facts.md A9 [V src:comorbidity-dast10]
    { id: 'none', label: 'No problems reported', min: 0, max: 0 },
    { id: 'low', label: 'Low level (monitor)', min: 1, max: 2 },
    { id: 'moderate', label: 'Moderate level (further investigation)', min: 3, max: 5 },
    { id: 'substantial', label: 'Substantial level (intensive assessment)', min: 6, max: 8 },
    { id: 'severe', label: 'Severe level (intensive assessment)', min: 9, max: 10 },
  ],
  licence: {
    status: 'non-commercial',
    mayShipWording: false,
    statement:
      'Copyright 1982 by Harvey A. Skinner and CAMH. You may reproduce this instrument for non-commercial use (clinical, research, training purposes) as long as you credit the author.',
    copyright: '© 1982 Harvey A. Skinner, PhD, and the Centre for Addiction and Mental Health, Toronto',
    attribution: 'DAST-10 by Harvey A. Skinner.',
    source: 'facts.md A9 [V src:camcops-dast]',
  },
  citation: 'Skinner HA. The drug abuse screening test. Addict Behav 1982;7(4):363–371.',
  validation: { status: 'validated' },
  notes: ['Answer values are raw: 0 = No, 1 = Yes for every item, including item 3, which the engine reverses.'],
};
