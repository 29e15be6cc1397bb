import type { InstrumentDefinitionInput } from '../definition.schema';
import { itemIds, placeholderItems, unlabelledScale } from './helpers';

/**
 * DASS-21: public domain with distribution restrictions (unmodified, not sold, professional
 * audience), so structure and scoring only. Subscales are summed and doubled. facts.md A10.
 */

export const dass21: InstrumentDefinitionInput = {
  id: 'dass21',
  version: '1.0.0',
  names: { short: 'DASS-21', full: 'Depression Anxiety Stress Scales (21 items)' },
  construct: 'Depression, anxiety and stress',
  respondent: 'client',
  timeFrame: 'past week',
  items: placeholderItems('dass21', 21, unlabelledScale(0, 3)), // facts.md A10 [V src:newcastle-dass21]: 0–3
  scoring: {
    method: 'sum',
    multiplier: 2, // facts.md A10 [V src:authorea-dass]: sum each subscale and multiply by 2
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A10; Rapport convention: every item needed' },
    subscales: [
      {
        id: 'depression',
        label: 'Depression',
        items: itemIds('dass21', [3, 5, 10, 13, 16, 17, 21]), // facts.md A10 [V src:code-dass-subscales]
        range: { min: 0, max: 42 }, // facts.md A10: 7 items × 3 × 2
        bands: [
          // facts.md A10 [V src:revive-dass]: bands after ×2 (Lovibond & Lovibond 1995)
          { id: 'normal', label: 'Normal', min: 0, max: 9 },
          { id: 'mild', label: 'Mild', min: 10, max: 13 },
          { id: 'moderate', label: 'Moderate', min: 14, max: 20 },
          { id: 'severe', label: 'Severe', min: 21, max: 27 },
          { id: 'extremely_severe', label: 'Extremely severe', min: 28, max: 42 },
        ],
      },
      {
        id: 'anxiety',
        label: 'Anxiety',
        items: itemIds('dass21', [2, 4, 7, 9, 15, 19, 20]), // facts.md A10 [V src:code-dass-subscales]
        range: { min: 0, max: 42 }, // facts.md A10: 7 items × 3 × 2
        bands: [
          // facts.md A10 [V src:revive-dass]
          { id: 'normal', label: 'Normal', min: 0, max: 7 },
          { id: 'mild', label: 'Mild', min: 8, max: 9 },
          { id: 'moderate', label: 'Moderate', min: 10, max: 14 },
          { id: 'severe', label: 'Severe', min: 15, max: 19 },
          { id: 'extremely_severe', label: 'Extremely severe', min: 20, max: 42 },
        ],
      },
      {
        id: 'stress',
        label: 'Stress',
        items: itemIds('dass21', [1, 6, 8, 11, 12, 14, 18]), // facts.md A10 [V src:code-dass-subscales]
        range: { min: 0, max: 42 }, // facts.md A10: 7 items × 3 × 2
        bands: [
          // facts.md A10 [V src:revive-dass]
          { id: 'normal', label: 'Normal', min: 0, max: 14 },
          { id: 'mild', label: 'Mild', min: 15, max: 18 },
          { id: 'moderate', label: 'Moderate', min: 19, max: 25 },
          { id: 'severe', label: 'Severe', min: 26, max: 33 },
          { id: 'extremely_severe', label: 'Extremely severe', min: 34, max: 42 },
        ],
      },
    ],
  },
  range: { min: 0, max: 126 }, // facts.md A10: 21 items × 3 × 2; the subscales, not the total, carry the published bands
  direction: 'higher-is-worse',
  licence: {
    status: 'non-commercial',
    mayShipWording: false,
    statement:
      'Public domain; may be distributed electronically provided the scales are not modified, not sold for profit, meant for researchers or health professionals, and reference the DASS website.',
    attribution: 'DASS: Lovibond & Lovibond (1995), http://www.psy.unsw.edu.au/dass/',
    source: 'facts.md A10 [S src:execcounsel-dass]',
  },
  citation: 'Lovibond SH, Lovibond PF. Manual for the Depression Anxiety Stress Scales. 2nd ed. Sydney: Psychology Foundation; 1995.',
  validation: { status: 'validated' },
  notes: [
    'Subscale bands apply to doubled scores (Lovibond 1995). The raw-score table in facts.md A10 disagrees for anxiety (raw 5 = doubled 10: "mild" raw, "moderate" doubled); Rapport uses the doubled Lovibond bands.',
    'The total (0–126) is reported for completeness; it has no published bands.',
  ],
};
