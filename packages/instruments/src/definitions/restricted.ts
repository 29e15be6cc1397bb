import type { InstrumentDefinitionInput } from '../definition.schema';
import { placeholderItems, unlabelledScale } from './helpers';

/**
 * Restricted instruments whose structure is published: ISI, PSS-10 and EPDS. Structure and scoring
 * only; the wording needs a licence (facts.md A14–A16). C-SSRS (electronic use needs a Clario
 * sublicence, branching structure) and OQ-45 (commercial) are deliberately absent (A17, A18).
 */

export const isi: InstrumentDefinitionInput = {
  id: 'isi',
  version: '1.0.0',
  names: { short: 'ISI', full: 'Insomnia Severity Index' },
  construct: 'Insomnia severity',
  respondent: 'client',
  timeFrame: 'last 2 weeks',
  items: placeholderItems('isi', 7, unlabelledScale(0, 4)), // facts.md A16 [V src:va-isi; src:ninds-isi]: 7 items, 0–4
  scoring: {
    method: 'sum',
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A16; Rapport convention: all 7 items needed' },
  },
  range: { min: 0, max: 28 }, // facts.md A16 [V src:va-isi]
  direction: 'higher-is-worse',
  bands: [
    // facts.md A16 [V src:va-isi; src:ninds-isi]
    { id: 'none', label: 'No clinically significant insomnia', min: 0, max: 7 },
    { id: 'subthreshold', label: 'Subthreshold insomnia', min: 8, max: 14 },
    { id: 'moderate', label: 'Clinical insomnia (moderate)', min: 15, max: 21 },
    { id: 'severe', label: 'Clinical insomnia (severe)', min: 22, max: 28 },
  ],
  licence: {
    status: 'licence-required',
    mayShipWording: false,
    statement: '© Morin CM (1993–2006), distributed by Mapi Research Trust (ePROVIDE). Requires a licence.',
    copyright: '© Charles M. Morin (1993–2006)',
    source: 'facts.md A16 [V src:eprovide-isi]',
  },
  citation: 'Bastien CH, Vallières A, Morin CM. Validation of the Insomnia Severity Index. Sleep Med 2001;2(4):297–307.',
  validation: { status: 'validated' },
  notes: ['Patient version. Clinician and significant-other versions exist (facts.md A16) and are not defined here.'],
};

export const pss10: InstrumentDefinitionInput = {
  id: 'pss10',
  version: '1.0.0',
  names: { short: 'PSS-10', full: 'Perceived Stress Scale (10 items)' },
  construct: 'Perceived stress',
  respondent: 'client',
  timeFrame: 'last month',
  // facts.md A15 [V src:wisc-pss]: 10 items 0–4; items 4, 5, 7 and 8 reverse-scored
  items: placeholderItems('pss10', 10, unlabelledScale(0, 4), {
    4: { reverse: true },
    5: { reverse: true },
    7: { reverse: true },
    8: { reverse: true },
  }),
  scoring: {
    method: 'sum',
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A15; Rapport convention: all 10 items needed' },
  },
  range: { min: 0, max: 40 }, // facts.md A15 [V src:wisc-pss]
  direction: 'higher-is-worse',
  bands: [
    // facts.md A15 [S src:profound-pss]: widely circulated, not from Cohen
    { id: 'low', label: 'Low stress', min: 0, max: 13 },
    { id: 'moderate', label: 'Moderate stress', min: 14, max: 26 },
    { id: 'high', label: 'High stress', min: 27, max: 40 },
  ],
  licence: {
    status: 'unresolved',
    mayShipWording: false,
    statement: 'Unclear: research use reportedly free; profit-related use reportedly needs permission of the ASA and the author.',
    source: 'facts.md A15 [V src:wisc-pss; S src:profound-pss; src:runyon-pss]',
  },
  citation: 'Cohen S, Kamarck T, Mermelstein R. A global measure of perceived stress. J Health Soc Behav 1983;24:385–396.',
  validation: { status: 'validated' },
  notes: ['The bands are widely circulated but not from Cohen (facts.md A15 [S]).'],
};

export const epds: InstrumentDefinitionInput = {
  id: 'epds',
  version: '1.0.0',
  names: { short: 'EPDS', full: 'Edinburgh Postnatal Depression Scale' },
  construct: 'Perinatal depression',
  respondent: 'client',
  timeFrame: 'past 7 days',
  // facts.md A14 [V src:skyscape-epds]: 10 items 0–3; items 3 and 5–10 reverse-scored (raw values in the order shown)
  items: placeholderItems('epds', 10, unlabelledScale(0, 3), {
    3: { reverse: true },
    5: { reverse: true },
    6: { reverse: true },
    7: { reverse: true },
    8: { reverse: true },
    9: { reverse: true },
    10: { reverse: true },
  }),
  scoring: {
    method: 'sum',
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A14; Rapport convention: all 10 items needed' },
  },
  range: { min: 0, max: 30 }, // facts.md A14 [V]
  direction: 'higher-is-worse',
  caseness: {
    id: 'possible_depression',
    label: 'Possible depression',
    operator: '>=',
    value: 10, // facts.md A14 [V src:camcops-epds-code]: 10 or more (Cox 1987)
    source: 'facts.md A14 [V src:camcops-epds-code]',
  },
  cutoffs: [
    {
      id: 'likely_depression',
      label: 'Likely depression',
      operator: '>=',
      value: 13, // facts.md A14 [V src:camcops-epds-code]: 13 or more
      source: 'facts.md A14 [V src:camcops-epds-code]',
    },
  ],
  risk: [
    {
      itemId: 'epds_10',
      threshold: 1, // facts.md A14 [V src:skyscape-epds]: any score above 0 on item 10 (self-harm) prompts further assessment
      kind: 'self-harm',
      source: 'facts.md A14 [V src:skyscape-epds]',
    },
  ],
  licence: {
    status: 'licence-required',
    mayShipWording: false,
    statement:
      'Written permission must be obtained from the Royal College of Psychiatrists for copying and distribution to others or for republication (in print, online or by any other medium).',
    copyright: '© 1987 The Royal College of Psychiatrists',
    source: 'facts.md A14 [V src:camcops-epds]',
  },
  citation:
    'Cox JL, Holden JM, Sagovsky R. Detection of postnatal depression: development of the 10-item Edinburgh Postnatal Depression Scale. Br J Psychiatry 1987;150:782–786.',
  validation: { status: 'validated' },
  notes: ['The item 10 risk threshold applies to the scored value (after reversal): any score above 0.'],
};
