import type { InstrumentDefinitionInput } from '../definition.schema';
import { placeholderItems, unlabelledScale } from './helpers';

/** WSAS: © Isaac M. Marks, no item text may ship (facts.md A12). Structure and scoring only. */

export const wsas: InstrumentDefinitionInput = {
  id: 'wsas',
  version: '1.0.0',
  names: { short: 'WSAS', full: 'Work and Social Adjustment Scale' },
  construct: 'Functional impairment: work, home management, social leisure, private leisure, close relationships',
  respondent: 'client',
  timeFrame: 'current',
  items: placeholderItems('wsas', 5, unlabelledScale(0, 8)), // facts.md A12 [V src:oskar-wsas; src:camcops-wsas-code]: 0–8
  scoring: {
    method: 'sum',
    missing: {
      rule: 'prorate',
      // facts.md A12 [V src:nhs-dd-wsas]: item 1 "not applicable" or one missing value → mean of the others; more than one → disregard
      maxMissing: 1,
      source: 'facts.md A12 [V src:nhs-dd-wsas]',
    },
  },
  range: { min: 0, max: 40 }, // facts.md A12 [V src:camcops-wsas-code]
  direction: 'higher-is-worse',
  bands: [
    // facts.md A12 [S src:scribd-wsas-mundt] (Mundt 2002): below 10, 10–20, above 20
    { id: 'subclinical', label: 'Subclinical', min: 0, max: 9 },
    { id: 'significant', label: 'Significant functional impairment, less severe symptoms', min: 10, max: 20 },
    { id: 'moderately_severe', label: 'Moderately severe or worse psychopathology', min: 21, max: 40 },
  ],
  licence: {
    status: 'licence-required',
    mayShipWording: false,
    statement: 'Copyright © Isaac M. Marks. CamCOPS ships it only as a data-collection skeleton with no item text.',
    copyright: '© Isaac M. Marks',
    source: 'facts.md A12 [V src:camcops-wsas]',
  },
  citation: 'Mundt JC, Marks IM, Shear MK, Greist JH. The Work and Social Adjustment Scale. Br J Psychiatry 2002;180:461–464.',
  validation: { status: 'validated' },
  notes: [
    'Item 1 (work) not applicable, e.g. retired: leave it unanswered (null). Rapport follows the NHS Data Dictionary and substitutes the mean of the other four items, so the total stays on the 0–40 scale (facts.md §C S12: 4,4,4,4 → 20). The CamCOPS alternative (sum of four, maximum 32) is not used.',
  ],
};
