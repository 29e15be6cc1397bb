/**
 * @rapport/fhir: pure mapping between Rapport instruments and responses and FHIR R4 resources
 * (Questionnaire, QuestionnaireResponse, Observation, Patient, Bundle, OperationOutcome). No I/O.
 */
export {
  LOINC,
  instrumentSystem,
  questionnaireUrl,
  fhirIdOf,
  instrumentIdOf,
  instrumentIdFromCanonical,
  type CanonicalOptions,
} from './codes';
export { toQuestionnaire, answerCoding, STEM_LINK_ID, type QuestionnaireOptions } from './questionnaire';
export {
  toQuestionnaireResponse,
  parseQuestionnaireResponse,
  fromQuestionnaireResponse,
  fhirPath,
  type ResponseLike,
  type FhirIssue,
  type ParsedQuestionnaireResponse,
  type IncomingQuestionnaireResponse,
} from './questionnaire-response';
export { toObservations, observationIdOf, parseObservationId, scoreCodings, type ScoredResponseLike } from './observation';
export { toPatient, type ClientLike, type PatientOptions } from './patient';
export { bundle, operationOutcome, type BundleOptions } from './bundle';
