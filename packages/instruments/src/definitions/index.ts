import type { InstrumentDefinitionInput } from '../definition.schema';
import { arm5, arm5Therapist, ors, srs, waiSr, waiSrTherapist } from './alliance-licensed';
import { audit, auditc } from './audit';
import { core10 } from './core10';
import { dass21 } from './dass21';
import { dast10 } from './dast10';
import { gad2 } from './gad2';
import { gad7 } from './gad7';
import { k10, k6 } from './k10';
import { pcl5 } from './pcl5';
import { phq15 } from './phq15';
import { phq2 } from './phq2';
import { phq9 } from './phq9';
import { rapportAlliance, rapportAllianceTherapist } from './rapport-alliance';
import { epds, isi, pss10 } from './restricted';
import { who5 } from './who5';
import { wsas } from './wsas';

/** Every built-in definition, in the order `listInstruments()` returns them. */
export const builtInDefinitions: readonly InstrumentDefinitionInput[] = [
  phq9,
  phq2,
  gad7,
  gad2,
  phq15,
  pcl5,
  core10,
  k10,
  k6,
  audit,
  auditc,
  dast10,
  dass21,
  who5,
  wsas,
  isi,
  pss10,
  epds,
  waiSr,
  waiSrTherapist,
  arm5,
  arm5Therapist,
  srs,
  ors,
  rapportAlliance,
  rapportAllianceTherapist,
];
