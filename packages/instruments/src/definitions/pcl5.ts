import type { InstrumentDefinitionInput } from '../definition.schema';
import type { ResponseInput } from './helpers';

/** PCL-5: a US Government work, wording from instruments.json (CamCOPS pcl5.xml). facts.md A7. */

// facts.md A7 [V src:camcops-pcl5-xml]: 0 Not at all … 4 Extremely
const RESPONSE: ResponseInput = {
  kind: 'options',
  options: [
    { value: 0, label: { en: 'Not at all' } },
    { value: 1, label: { en: 'A little bit' } },
    { value: 2, label: { en: 'Moderately' } },
    { value: 3, label: { en: 'Quite a bit' } },
    { value: 4, label: { en: 'Extremely' } },
  ],
};

const B = ['pcl5_1', 'pcl5_2', 'pcl5_3', 'pcl5_4', 'pcl5_5']; // facts.md A7 [S src:bwh-pcl5]: intrusion 1–5
const C = ['pcl5_6', 'pcl5_7']; // facts.md A7 [S src:bwh-pcl5]: avoidance 6–7
const D = ['pcl5_8', 'pcl5_9', 'pcl5_10', 'pcl5_11', 'pcl5_12', 'pcl5_13', 'pcl5_14']; // facts.md A7 [S src:bwh-pcl5]: 8–14
const E = ['pcl5_15', 'pcl5_16', 'pcl5_17', 'pcl5_18', 'pcl5_19', 'pcl5_20']; // facts.md A7 [S src:bwh-pcl5]: 15–20

const SYMPTOM = 2; // facts.md A7 [S src:bwh-pcl5; src:camcops-pcl5-code]: an item rated 2 or more is a symptom

export const pcl5: InstrumentDefinitionInput = {
  id: 'pcl5',
  version: '1.0.0',
  names: { short: 'PCL-5', full: 'PTSD Checklist for DSM-5' },
  construct: 'DSM-5 PTSD symptoms',
  respondent: 'client',
  timeFrame: 'past month',
  instructions: {
    en: 'Below is a list of problems that people sometimes have in response to a very stressful experience. Please read each problem carefully and then choose one of the answers to indicate how much you have been bothered by that problem in the past month.',
  },
  stem: { en: 'In the past month, how much were you bothered by:' },
  items: [
    { id: 'pcl5_1', text: { en: 'Repeated, disturbing, and unwanted memories of the stressful experience?' }, response: RESPONSE },
    { id: 'pcl5_2', text: { en: 'Repeated, disturbing dreams of the stressful experience?' }, response: RESPONSE },
    { id: 'pcl5_3', text: { en: 'Suddenly feeling or acting as if the stressful experience were actually happening again (as if you were actually back there reliving it)?' }, response: RESPONSE },
    { id: 'pcl5_4', text: { en: 'Feeling very upset when something reminded you of the stressful experience?' }, response: RESPONSE },
    { id: 'pcl5_5', text: { en: 'Having strong physical reactions when something reminded you of the stressful experience (for example, heart pounding, trouble breathing, sweating)?' }, response: RESPONSE },
    { id: 'pcl5_6', text: { en: 'Avoiding memories, thoughts, or feelings related to the stressful experience?' }, response: RESPONSE },
    { id: 'pcl5_7', text: { en: 'Avoiding external reminders of the stressful experience (for example, people, places, conversations, activities, objects, or situations)?' }, response: RESPONSE },
    { id: 'pcl5_8', text: { en: 'Trouble remembering important parts of the stressful experience?' }, response: RESPONSE },
    { id: 'pcl5_9', text: { en: 'Having strong negative beliefs about yourself, other people, or the world (for example, having thoughts such as: I am bad, there is something seriously wrong with me, no one can be trusted, the world is completely dangerous)?' }, response: RESPONSE },
    { id: 'pcl5_10', text: { en: 'Blaming yourself or someone else for the stressful experience or what happened after it?' }, response: RESPONSE },
    { id: 'pcl5_11', text: { en: 'Having strong negative feelings such as fear, horror, anger, guilt, or shame?' }, response: RESPONSE },
    { id: 'pcl5_12', text: { en: 'Loss of interest in activities that you used to enjoy?' }, response: RESPONSE },
    { id: 'pcl5_13', text: { en: 'Feeling distant or cut off from other people?' }, response: RESPONSE },
    { id: 'pcl5_14', text: { en: 'Trouble experiencing positive feelings (for example, being unable to feel happiness or have loving feelings for people close to you)?' }, response: RESPONSE },
    { id: 'pcl5_15', text: { en: 'Irritable behavior, angry outbursts, or acting aggressively?' }, response: RESPONSE },
    { id: 'pcl5_16', text: { en: 'Taking too many risks or doing things that could cause you harm?' }, response: RESPONSE },
    { id: 'pcl5_17', text: { en: 'Being “superalert” or watchful or on guard?' }, response: RESPONSE },
    { id: 'pcl5_18', text: { en: 'Feeling jumpy or easily startled?' }, response: RESPONSE },
    { id: 'pcl5_19', text: { en: 'Having difficulty concentrating?' }, response: RESPONSE },
    { id: 'pcl5_20', text: { en: 'Trouble falling or staying asleep?' }, response: RESPONSE },
  ],
  scoring: {
    method: 'sum', // facts.md A7 [V src:qxmd-pcl5]
    missing: {
      rule: 'none',
      source: 'No missing-item rule in facts.md A7; Rapport convention: all 20 items needed for a total',
    },
    subscales: [
      // facts.md A7 [S src:bwh-pcl5]: cluster ranges are 0–4 × the cluster's item count
      { id: 'intrusion', label: 'Cluster B: intrusion', items: B, range: { min: 0, max: 20 } },
      { id: 'avoidance', label: 'Cluster C: avoidance', items: C, range: { min: 0, max: 8 } },
      { id: 'cognition_mood', label: 'Cluster D: negative alterations in cognition and mood', items: D, range: { min: 0, max: 28 } },
      { id: 'arousal', label: 'Cluster E: alterations in arousal and reactivity', items: E, range: { min: 0, max: 24 } },
    ],
    rules: [
      {
        id: 'dsm5_provisional_diagnosis',
        label: 'DSM-5 provisional PTSD diagnosis (≥1 B, ≥1 C, ≥2 D, ≥2 E items rated 2 or more)',
        combine: 'all',
        groups: [
          { items: B, threshold: SYMPTOM, minCount: 1 }, // facts.md A7 [S src:bwh-pcl5]: at least 1 B
          { items: C, threshold: SYMPTOM, minCount: 1 }, // facts.md A7 [S src:bwh-pcl5]: at least 1 C
          { items: D, threshold: SYMPTOM, minCount: 2 }, // facts.md A7 [S src:bwh-pcl5]: at least 2 D
          { items: E, threshold: SYMPTOM, minCount: 2 }, // facts.md A7 [S src:bwh-pcl5]: at least 2 E
        ],
        source: 'facts.md A7 [S src:bwh-pcl5; src:camcops-pcl5-code]',
      },
    ],
  },
  range: { min: 0, max: 80 }, // facts.md A7 [V src:qxmd-pcl5]
  direction: 'higher-is-worse',
  caseness: {
    id: 'probable_ptsd',
    label: 'Probable PTSD (preliminary cut-off; published range 31–33)',
    operator: '>=',
    value: 33, // facts.md A7 [V src:camcops-pcl5-code]: CamCOPS plots 33; [V src:ptsd-va-using-pcl5] gives 31–33
    source: 'facts.md A7 [V src:camcops-pcl5-code; src:ptsd-va-using-pcl5]',
  },
  reliableChange: {
    method: 'published',
    threshold: 5, // facts.md A7 [S src:qxmd-pcl5]: 5 points is the minimum change for treatment response (10 clinically meaningful)
    source: 'facts.md A7 [S src:qxmd-pcl5; src:therapistassist-pcl5]',
  },
  licence: {
    status: 'public-domain',
    mayShipWording: true,
    statement: 'Developed by staff at the VA National Center for PTSD; a work of the US Government, not copyrighted.',
    attribution: 'PCL-5: Weathers, Litz, Keane, Palmieri, Marx & Schnurr, National Center for PTSD (2013).',
    source: 'facts.md A7 [V src:camcops-pcl5; src:qxmd-pcl5]',
  },
  citation:
    'Weathers FW, Litz BT, Keane TM, Palmieri PA, Marx BP, Schnurr PP. The PTSD Checklist for DSM-5 (PCL-5). National Center for PTSD, 2013; Blevins CA et al. J Trauma Stress 2015;28(6):489–498.',
  validation: { status: 'validated' },
  notes: [
    'The DSM-5 provisional-diagnosis rule is reported beside the total (interpretations) and can be met at a low total.',
    'Reliable change uses the 5-point minimum for treatment response; 10 points is the clinically meaningful change.',
  ],
};
