import type { InstrumentDefinitionInput } from '../definition.schema';
import { placeholderItems, unlabelledScale } from './helpers';

/**
 * K10: free to use with the WHO copyright and citation, but shipped as structure only until its
 * wording (stem, order and item 9, which differs between versions) is checked against the Harvard
 * NCS self-administered form (facts.md A6 caveat). Wording comes from a content pack until then.
 */

export const kesslerCopyright = '© World Health Organization 2003'; // facts.md A6 [V src:nsw-tmhc]

export const k10: InstrumentDefinitionInput = {
  id: 'k10',
  version: '1.0.0',
  names: { short: 'K10', full: 'Kessler Psychological Distress Scale (10 items)' },
  construct: 'Non-specific psychological distress',
  respondent: 'client',
  timeFrame: 'last 30 days (US forms) or past 4 weeks (Australian forms)',
  // facts.md A6 [V src:abs-k10]: Australian/ABS scoring, None of the time 1 … All of the time 5
  items: placeholderItems('k10', 10, unlabelledScale(1, 5)),
  scoring: {
    method: 'sum', // facts.md A6 [V src:abs-k10]
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A6; Rapport convention: all 10 items needed' },
  },
  range: { min: 10, max: 50 }, // facts.md A6 [V src:abs-k10]: 10–50 with ABS scoring
  direction: 'higher-is-worse',
  bands: [
    // facts.md A6 [V src:abs-k10; src:comorbidity-k10]: ABS / Andrews & Slade
    { id: 'low', label: 'Low', min: 10, max: 15 },
    { id: 'moderate', label: 'Moderate', min: 16, max: 21 },
    { id: 'high', label: 'High', min: 22, max: 29 },
    { id: 'very_high', label: 'Very high', min: 30, max: 50 },
  ],
  reliableChange: {
    method: 'published',
    threshold: 7, // facts.md A6 [S src:measurely-k10, truncated excerpt]: a 7-point raw change
    source: 'facts.md A6 [S src:measurely-k10] (truncated excerpt; confirm before relying on it)',
  },
  licence: {
    status: 'free-with-attribution',
    mayShipWording: true,
    statement: 'Available for unrestricted use. Please include the WHO copyright and the citation.',
    copyright: kesslerCopyright,
    attribution: `${kesslerCopyright}; Kessler et al. (2003).`,
    source: 'facts.md A6 [V src:nsw-tmhc; src:harvard-ncs]',
  },
  citation:
    'Kessler RC, Andrews G, Colpe LJ, et al. Short screening scales to monitor population prevalences and trends in non-specific psychological distress. Psychol Med 2002;32(6):959–976.',
  validation: { status: 'validated' },
  notes: [
    'Structure only: the licence allows the wording, but it is not yet verified against the Harvard NCS form (item 9 and the stem differ between versions). Load a content pack with the checked wording.',
    'Scored 1–5 per item (Australian/ABS); the US 0–4 scoring and the primary-care bands are not used.',
  ],
};

export const k6: InstrumentDefinitionInput = {
  id: 'k6',
  version: '1.0.0',
  names: { short: 'K6', full: 'Kessler Psychological Distress Scale (6 items)' },
  construct: 'Non-specific psychological distress; serious mental illness screen',
  respondent: 'client',
  timeFrame: 'last 30 days',
  items: placeholderItems('k6', 6, unlabelledScale(0, 4)), // facts.md A6 [V src:pubcompare-k6]: 0–4
  scoring: {
    method: 'sum',
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A6; Rapport convention: all 6 items needed' },
  },
  range: { min: 0, max: 24 }, // facts.md A6 [V src:pubcompare-k6]
  direction: 'higher-is-worse',
  caseness: {
    id: 'serious_mental_illness',
    label: 'Probable serious mental illness',
    operator: '>=',
    value: 13, // facts.md A6 [S src:dssugar-k6]: sensitivity 0.36, specificity 0.96 (Kessler 2003)
    source: 'facts.md A6 [S src:dssugar-k6]',
  },
  licence: {
    status: 'free-with-attribution',
    mayShipWording: true,
    statement: 'Available for unrestricted use. Please include the WHO copyright and the citation.',
    copyright: kesslerCopyright,
    attribution: `${kesslerCopyright}; Kessler et al. (2003).`,
    source: 'facts.md A6 [V src:nsw-tmhc; src:harvard-ncs]',
  },
  citation: 'Kessler RC, Barker PR, Colpe LJ, et al. Screening for serious mental illness in the general population. Arch Gen Psychiatry 2003;60(2):184–189.',
  validation: { status: 'validated' },
  notes: ['Structure only until the wording is verified against the Harvard NCS form (facts.md A6).'],
};
