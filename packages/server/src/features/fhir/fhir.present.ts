import { fhirIdOf, toObservations, toQuestionnaire, toQuestionnaireResponse, type ScoredResponseLike } from '@rapport/fhir';
import type { Observation, Questionnaire, QuestionnaireResponse } from 'fhir/r4';
import type { ResolvedInstrument } from '../instruments/org-instruments';
import type { ResponseRow } from './fhir.queries';

/** The only shapes the FHIR API sends: `@rapport/fhir` over stored rows. */

export function presentQuestionnaire(instrument: ResolvedInstrument): Questionnaire {
  return { ...toQuestionnaire(instrument.definition, instrument.renderable), id: fhirIdOf(instrument.instrumentId) };
}

export function presentResponse(row: ResponseRow, instrument: ResolvedInstrument): QuestionnaireResponse {
  return toQuestionnaireResponse({ ...row, status: 'completed' }, instrument.definition);
}

export function presentObservations(row: ScoredResponseLike, instrument: ResolvedInstrument): Observation[] {
  return toObservations(row, instrument.definition);
}
