import type { InstrumentDefinitionInput } from '../definition.schema';
import { itemIds, parallelItems, placeholderItems, unlabelledScale } from './helpers';
import type { ResponseInput } from './helpers';

/**
 * Licensed alliance and outcome measures, structure and scoring only: WAI-SR and its therapist form,
 * ARM-5 client and therapist forms (facts.md A20), and the PCOMS SRS and ORS (A19). A clinic holding
 * the licence supplies the wording in a content pack.
 */

const waiStatement = 'Horvath released the rights; requests go to the Society for Psychotherapy Research (SPR). Do not ship verbatim without SPR permission.';

// facts.md A20 [S src:rivet-waisr; src:blueprint-wai]: Task 1, 2, 10, 12; Goal 4, 6, 8, 11; Bond 3, 5, 7, 9; subscales 4–20
function waiSubscales(prefix: string) {
  return [
    { id: 'task', label: 'Task', items: itemIds(prefix, [1, 2, 10, 12]), range: { min: 4, max: 20 } }, // facts.md A20 [S src:rivet-waisr]: subscales 4–20
    { id: 'goal', label: 'Goal', items: itemIds(prefix, [4, 6, 8, 11]), range: { min: 4, max: 20 } }, // facts.md A20 [S src:rivet-waisr]
    { id: 'bond', label: 'Bond', items: itemIds(prefix, [3, 5, 7, 9]), range: { min: 4, max: 20 } }, // facts.md A20 [S src:rivet-waisr]
  ];
}

export const waiSr: InstrumentDefinitionInput = {
  id: 'wai_sr',
  version: '1.0.0',
  names: { short: 'WAI-SR', full: 'Working Alliance Inventory – Short Revised (client form)' },
  construct: 'Working alliance (goal, task, bond)',
  respondent: 'client',
  timeFrame: 'current therapy',
  items: placeholderItems('wai_sr', 12, unlabelledScale(1, 5)), // facts.md A20 [S src:rivet-waisr]: 12 items, 1 Seldom … 5 Always
  scoring: {
    method: 'sum',
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A20; Rapport convention: all 12 items needed' },
    subscales: waiSubscales('wai_sr'),
  },
  range: { min: 12, max: 60 }, // facts.md A20 [S src:rivet-waisr]: total 12–60
  direction: 'higher-is-better',
  licence: { status: 'licence-required', mayShipWording: false, statement: waiStatement, source: 'facts.md A20 [S src:rehabmeasures-wai; src:legalclarity-waisr]' },
  citation: 'Hatcher RL, Gillaspy JA. Development and validation of a revised short version of the Working Alliance Inventory. Psychother Res 2006;16(1):12–25.',
  parallelForm: {
    instrumentId: 'wai_sr_t',
    items: parallelItems('wai_sr', 'wai_sr_t', 12),
    note: 'Item-by-item parallelism of WAI-SR and WAI-SR-T is not verified (facts.md A20 [U]); the mapping pairs items by number.',
  },
  validation: { status: 'validated' },
  notes: ['No validated cut-off exists (facts.md A20, B4); vendor bands are not used.'],
};

export const waiSrTherapist: InstrumentDefinitionInput = {
  id: 'wai_sr_t',
  version: '1.0.0',
  names: { short: 'WAI-SR-T', full: 'Working Alliance Inventory – Short Revised (therapist form)' },
  construct: 'Working alliance (goal, task, bond), therapist perspective',
  respondent: 'clinician',
  timeFrame: 'current therapy',
  items: placeholderItems('wai_sr_t', 12, unlabelledScale(1, 5)), // facts.md A20 [V src:hatcher2019]: 12 items; scale assumed as WAI-SR [U]
  scoring: {
    method: 'sum',
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A20; Rapport convention: all 12 items needed' },
    subscales: waiSubscales('wai_sr_t'),
  },
  range: { min: 12, max: 60 }, // facts.md A20 [S src:rivet-waisr]: total 12–60 (assumed for the therapist form [U])
  direction: 'higher-is-better',
  licence: { status: 'licence-required', mayShipWording: false, statement: waiStatement, source: 'facts.md A20 [S src:rehabmeasures-wai]' },
  citation:
    'Hatcher RL, Lindqvist K, Falkenström F. Psychometric evaluation of the Working Alliance Inventory—Therapist version. Psychother Res 2020;30(6):706–717. doi:10.1080/10503307.2019.1677964',
  parallelForm: {
    instrumentId: 'wai_sr',
    items: parallelItems('wai_sr_t', 'wai_sr', 12),
    note: 'Item-by-item parallelism is not verified (facts.md A20 [U]); the mapping pairs items by number.',
  },
  validation: { status: 'validated' },
  notes: ['Response scale and subscale membership are assumed to match the client form (facts.md A20 [U]); check against the licensed form.'],
};

const armScale = unlabelledScale(1, 7); // facts.md A20 [S src:psypack-arm5]: 7-point scale, 1–7

export const arm5: InstrumentDefinitionInput = {
  id: 'arm5',
  version: '1.0.0',
  names: { short: 'ARM-5', full: 'Agnew Relationship Measure, 5-item short form (client)' },
  construct: 'Therapeutic alliance (bond, partnership, confidence)',
  respondent: 'client',
  timeFrame: 'this session',
  items: placeholderItems('arm5', 5, armScale, { 3: { reverse: true } }), // facts.md A20 [S src:psypack-arm5]: item 3 reverse-scored
  scoring: {
    method: 'mean', // facts.md A20 [S src:psypack-arm5]: score = mean
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A20; Rapport convention: all 5 items needed' },
  },
  range: { min: 1, max: 7 }, // facts.md A20 [S src:psypack-arm5]: mean of 1–7 items
  direction: 'higher-is-better',
  licence: { status: 'unresolved', mayShipWording: false, statement: 'Licence not verified (facts.md A20 [U]).', source: 'facts.md A20' },
  citation:
    'Agnew-Davies R, Stiles WB, Hardy GE, Barkham M, Shapiro DA. Alliance structure assessed by the Agnew Relationship Measure (ARM). Br J Clin Psychol 1998. doi:10.1111/j.2044-8260.1998.tb01291.x',
  parallelForm: { instrumentId: 'arm5_t', items: parallelItems('arm5', 'arm5_t', 5), note: 'ARM client and therapist forms are parallel (facts.md A20 [V src:agnew1998]).' },
  validation: { status: 'validated' },
};

export const arm5Therapist: InstrumentDefinitionInput = {
  id: 'arm5_t',
  version: '1.0.0',
  names: { short: 'ARM-5-T', full: 'Agnew Relationship Measure, 5-item short form (therapist)' },
  construct: 'Therapeutic alliance (bond, partnership, confidence), therapist perspective',
  respondent: 'clinician',
  timeFrame: 'this session',
  items: placeholderItems('arm5_t', 5, armScale, { 3: { reverse: true } }), // facts.md A20 [S src:psypack-arm5]: parallel to the client form
  scoring: {
    method: 'mean',
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A20; Rapport convention: all 5 items needed' },
  },
  range: { min: 1, max: 7 }, // facts.md A20 [S src:psypack-arm5]: mean of 1–7 items
  direction: 'higher-is-better',
  licence: { status: 'unresolved', mayShipWording: false, statement: 'Licence not verified (facts.md A20 [U]).', source: 'facts.md A20' },
  citation:
    'Agnew-Davies R, Stiles WB, Hardy GE, Barkham M, Shapiro DA. Alliance structure assessed by the Agnew Relationship Measure (ARM). Br J Clin Psychol 1998. doi:10.1111/j.2044-8260.1998.tb01291.x',
  parallelForm: { instrumentId: 'arm5', items: parallelItems('arm5_t', 'arm5', 5), note: 'ARM client and therapist forms are parallel (facts.md A20 [V src:agnew1998]).' },
  validation: { status: 'validated' },
};

// facts.md A19 [V src:camcops-srs; src:camcops-ors-code]: visual-analogue lines 0–10; step 0.1 is the usual measuring precision (Rapport convention)
const line: ResponseInput = { kind: 'visual-analogue', min: 0, max: 10, step: 0.1 };

export const srs: InstrumentDefinitionInput = {
  id: 'srs',
  version: '1.0.0',
  names: { short: 'SRS', full: 'Session Rating Scale v3.0' },
  construct: 'Session alliance: relationship, goals and topics, approach or method, overall',
  respondent: 'client',
  timeFrame: 'today’s session',
  items: placeholderItems('srs', 4, line), // facts.md A19 [V src:camcops-srs]: 4 lines
  scoring: {
    method: 'sum',
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A19; Rapport convention: all 4 lines needed' },
  },
  range: { min: 0, max: 40 }, // facts.md A19 [V src:camcops-srs]
  direction: 'higher-is-better',
  caseness: {
    id: 'low_alliance',
    label: 'Low alliance: discuss the session with the client',
    operator: '<',
    value: 36, // facts.md A19, B4 [S src:openfit-srs]: below 36
    source: 'facts.md A19, B4 [S src:openfit-srs]',
  },
  licence: {
    status: 'licence-required',
    mayShipWording: false,
    statement: 'Individual clinicians may download the scales free after registering; software use requires a licence.',
    copyright: '© 2002 Scott D. Miller, Barry L. Duncan and Lynn Johnson',
    source: 'facts.md A19 [V src:camcops-srs; src:slideshare-miller-2012]',
  },
  citation: 'Duncan BL, Miller SD, Sparks JA, Claud DA, Reynolds LR, Brown J, Johnson LD. The Session Rating Scale. J Brief Therapy 2003;3(1):3–12.',
  validation: { status: 'validated' },
  notes: ['Totals of visual-analogue scales are continuous: the cut-off applies to the exact total, not a rounded one.'],
};

export const ors: InstrumentDefinitionInput = {
  id: 'ors',
  version: '1.0.0',
  names: { short: 'ORS', full: 'Outcome Rating Scale' },
  construct: 'Wellbeing: individual, interpersonal, social, overall',
  respondent: 'client',
  timeFrame: 'past week',
  items: placeholderItems('ors', 4, line), // facts.md A19 [V src:camcops-ors-code]: 4 lines
  scoring: {
    method: 'sum',
    missing: { rule: 'none', source: 'No missing-item rule in facts.md A19; Rapport convention: all 4 lines needed' },
  },
  range: { min: 0, max: 40 }, // facts.md A19 [V src:camcops-ors-code]
  direction: 'higher-is-better',
  caseness: {
    id: 'clinical_range',
    label: 'Clinical range (adult cut-off)',
    operator: '<',
    value: 25, // facts.md A19 [S src:openfit-ors]: 25 for adults; below it is the clinical range
    source: 'facts.md A19 [S src:openfit-ors]',
  },
  licence: {
    status: 'licence-required',
    mayShipWording: false,
    statement: 'Individual clinicians may download the scales free after registering; organisational or software use requires a licence.',
    copyright: '© 2000 Scott D. Miller and Barry L. Duncan',
    source: 'facts.md A19 [V src:camcops-ors]',
  },
  citation:
    'Miller SD, Duncan BL, Brown J, Sparks JA, Claud DA. The Outcome Rating Scale: a preliminary study of the reliability, validity, and feasibility of a brief visual analog measure. J Brief Therapy 2003;2(2):91–100.',
  validation: { status: 'validated' },
  notes: [
    'Adult cut-off only; the child (32) and adolescent (28, [U]) cut-offs are not encoded.',
    'No reliable-change threshold: the 5-point figure is unverified (facts.md A19 [U]).',
  ],
};
