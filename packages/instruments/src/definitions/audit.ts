import type { InstrumentDefinitionInput } from '../definition.schema';
import { itemIds, placeholderItems, unlabelledScale } from './helpers';

/**
 * AUDIT and AUDIT-C: structure and scoring only. AUDIT is © WHO for non-commercial use only; AUDIT-C
 * derives from it, so it also waits for a content pack until its terms are settled. facts.md A8.
 */

const whoStatement =
  '© WHO 2001: may be freely reviewed, abstracted, reproduced and translated, but not for sale or for use in conjunction with commercial purposes.';

export const audit: InstrumentDefinitionInput = {
  id: 'audit',
  version: '1.0.0',
  names: { short: 'AUDIT', full: 'Alcohol Use Disorders Identification Test' },
  construct: 'Hazardous and harmful alcohol use',
  respondent: 'client',
  timeFrame: 'past year',
  items: placeholderItems('audit', 10, unlabelledScale(0, 4), {
    // facts.md A8 [V src:camcops-audit-xml]: Q9–10 score 0, 2 or 4
    9: { response: { kind: 'options', options: [{ value: 0 }, { value: 2 }, { value: 4 }] } }, // facts.md A8 [V src:camcops-audit-xml]
    10: { response: { kind: 'options', options: [{ value: 0 }, { value: 2 }, { value: 4 }] } }, // facts.md A8 [V src:camcops-audit-xml]
  }), // facts.md A8 [V src:camcops-audit-xml]: Q1–8 score 0–4
  scoring: {
    method: 'sum',
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A8; Rapport convention: all 10 items needed' },
    subscales: [{ id: 'consumption', label: 'Consumption (questions 1–3)', items: itemIds('audit', [1, 2, 3]), range: { min: 0, max: 12 } }], // facts.md A8: AUDIT-C questions 1–3, 0–12 [S]
    rules: [
      {
        id: 'next_level_of_intervention',
        label: 'Next level of intervention: 2 or more on any of Q4–6, or 4 on Q9 or Q10',
        combine: 'any',
        groups: [
          { items: itemIds('audit', [4, 5, 6]), threshold: 2, minCount: 1 }, // facts.md A8 [V src:comorbidity-audit]
          { items: itemIds('audit', [9, 10]), threshold: 4, minCount: 1 }, // facts.md A8 [V src:comorbidity-audit]
        ],
        source: 'facts.md A8 [V src:comorbidity-audit]',
      },
    ],
  },
  range: { min: 0, max: 40 }, // facts.md A8
  direction: 'higher-is-worse',
  bands: [
    // facts.md A8 [V src:comorbidity-audit] for zones I–III (Babor 2001); zone IV 20–40 is from a truncated excerpt [U]
    { id: 'zone_1', label: 'Zone I: low risk (alcohol education)', min: 0, max: 7 },
    { id: 'zone_2', label: 'Zone II: hazardous (simple advice)', min: 8, max: 15 },
    { id: 'zone_3', label: 'Zone III: harmful (advice, brief counselling, monitoring)', min: 16, max: 19 },
    { id: 'zone_4', label: 'Zone IV: possible dependence (referral)', min: 20, max: 40 },
  ],
  caseness: {
    id: 'standard_cutoff',
    label: 'Hazardous or harmful drinking',
    operator: '>=',
    value: 8, // facts.md A8 [V src:camcops-audit-code]: standard cut-off 8 or more
    source: 'facts.md A8 [V src:camcops-audit-code]',
  },
  loinc: { panel: '72110-0', source: 'facts.md A8 [S src:findstring-audit]' }, // facts.md A8 [S src:findstring-audit]
  licence: {
    status: 'non-commercial',
    mayShipWording: false,
    statement: whoStatement,
    copyright: '© World Health Organization 2001',
    source: 'facts.md A8 [V src:camcops-audit]',
  },
  citation:
    'Babor TF, Higgins-Biddle JC, Saunders JB, Monteiro MG. AUDIT: The Alcohol Use Disorders Identification Test. Guidelines for Use in Primary Care. 2nd ed. WHO/MSD/MSB/01.6a. Geneva: WHO; 2001.',
  validation: { status: 'validated' },
  notes: ['Zone IV (20–40) is taken from a truncated excerpt (facts.md A8 [U]); zones I–III are verified.'],
};

export const auditc: InstrumentDefinitionInput = {
  id: 'auditc',
  version: '1.0.0',
  names: { short: 'AUDIT-C', full: 'AUDIT Alcohol Consumption Questions' },
  construct: 'Alcohol consumption screen',
  respondent: 'client',
  timeFrame: 'past year',
  items: placeholderItems('auditc', 3, unlabelledScale(0, 4)), // facts.md A8 [V src:camcops-auditc-cpp]: 0–4 each
  scoring: {
    method: 'sum',
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A8; Rapport convention: all 3 items needed' },
  },
  range: { min: 0, max: 12 }, // facts.md A8 [S]
  direction: 'higher-is-worse',
  loinc: {
    panel: '72109-2', // facts.md A8 [V src:hl7-mcc-table]
    total: '75626-2', // facts.md A8 [S src:findstring-audit]
    source: 'facts.md A8 [V src:hl7-mcc-table; S src:findstring-audit]',
  },
  licence: {
    status: 'unresolved',
    mayShipWording: false,
    statement:
      '"AUDIT-C is available for use in the public domain" (SAMHSA), but it derives from the WHO AUDIT, whose terms forbid commercial use: structure only until that is settled.',
    source: 'facts.md A8 [V src:camcops-audit]',
  },
  citation:
    'Bush K, Kivlahan DR, McDonell MB, Fihn SD, Bradley KA. The AUDIT alcohol consumption questions (AUDIT-C). Arch Intern Med 1998;158:1789–1795.',
  validation: { status: 'validated' },
  notes: ['No cut-off is encoded: the sex-specific positive screens (4+ men, 3+ women) are unverified (facts.md A8 [U]).'],
};
