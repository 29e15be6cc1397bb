import type { InstrumentDefinitionInput } from '../definition.schema';
import { placeholderItems } from './helpers';

/** WHO-5: licence status unresolved (facts.md A11), so structure and scoring only. Higher is better. */

export const who5: InstrumentDefinitionInput = {
  id: 'who5',
  version: '1.0.0',
  names: { short: 'WHO-5', full: 'WHO-5 Well-Being Index' },
  construct: 'Subjective well-being',
  respondent: 'client',
  timeFrame: 'last 2 weeks',
  // facts.md A11 [S src:kidney-who5; src:smaat-who5]: shown from 5 All of the time down to 0 At no time
  items: placeholderItems('who5', 5, { kind: 'options', options: [5, 4, 3, 2, 1, 0].map((value) => ({ value })) }),
  scoring: {
    method: 'sum',
    multiplier: 4, // facts.md A11 [V src:valant-who5; src:inspq-who5]: raw 0–25 × 4 = percentage 0–100
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A11; Rapport convention: all 5 items needed' },
  },
  range: { min: 0, max: 100 }, // facts.md A11 [V src:inspq-who5]
  direction: 'higher-is-better',
  caseness: {
    id: 'screen_for_depression',
    label: 'Poor well-being: screen for depression',
    operator: '<=',
    value: 50, // facts.md A11 [V src:inspq-who5]: 50 or less on the percentage scale
    source: 'facts.md A11 [V src:inspq-who5]',
  },
  cutoffs: [
    {
      id: 'raw_below_13',
      label: 'Raw score below 13: test for depression',
      operator: '<',
      value: 52, // facts.md A11 [S src:valant-who5]: raw below 13, i.e. percentage below 13 × 4 = 52
      source: 'facts.md A11 [S src:valant-who5]',
    },
    {
      id: 'likely_depression',
      label: 'Suggests a depressive episode',
      operator: '<=',
      value: 28, // facts.md A11 [S src:smaat-who5]: 28 or less
      source: 'facts.md A11 [S src:smaat-who5]',
    },
  ],
  reliableChange: {
    method: 'published',
    threshold: 10, // facts.md A11 [S src:valant-who5]: a 10-percentage-point difference
    source: 'facts.md A11 [S src:valant-who5]',
  },
  licence: {
    status: 'unresolved',
    mayShipWording: false,
    statement:
      '"Public domain. The source must be mentioned." (INSPQ); a third party lists CC BY-NC-SA. Wording changes must be marked. Unresolved: structure only.',
    attribution: 'WHO-5: Psychiatric Research Unit, Mental Health Centre North Zealand / WHO Regional Office for Europe.',
    source: 'facts.md A11 [V src:inspq-who5; src:psykiatri-who5; S src:smartfunc-charter]',
  },
  citation:
    'World Health Organization Regional Office for Europe. Wellbeing measures in primary health care: the DepCare Project. Copenhagen: WHO; 1998.',
  validation: { status: 'validated' },
};
