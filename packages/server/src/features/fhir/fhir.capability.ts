import type { CapabilityStatement } from 'fhir/r4';

/** What the FHIR API supports, stated once: the routes and the CapabilityStatement both read it. */
export const SEARCH_PARAMETERS = {
  Questionnaire: ['url', 'name'],
  QuestionnaireResponse: ['patient', 'questionnaire', 'authored'],
  Observation: ['patient', 'code'],
} as const;

/**
 * The CapabilityStatement: only what is implemented. Reads and searches need an API token with
 * `fhir:read`, creating a QuestionnaireResponse `fhir:write`. Searches return every match in one
 * page (no paging); QuestionnaireResponse and Observation searches require `patient`.
 */
export function capabilityStatement(input: { baseUrl: string; date: Date; version: string }): CapabilityStatement {
  const search = (type: keyof typeof SEARCH_PARAMETERS, docs: Record<string, string>) =>
    SEARCH_PARAMETERS[type].map((name) => ({
      name,
      type: name === 'authored' ? ('date' as const) : name === 'code' ? ('token' as const) : name === 'patient' || name === 'questionnaire' ? ('reference' as const) : name === 'url' ? ('uri' as const) : ('string' as const),
      ...(docs[name] ? { documentation: docs[name] } : {}),
    }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: input.date.toISOString(),
    kind: 'instance',
    software: { name: 'Rapport', version: input.version },
    implementation: { description: 'Rapport measurement-based care: FHIR R4 API', url: input.baseUrl },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Unknown search parameters are refused with 400 (not ignored). Searches return all matches in one Bundle (no paging). Errors are OperationOutcomes naming the path.',
        security: {
          description:
            'Authorization: Bearer <API token>. Tokens are made by an organisation admin with scopes fhir:read (reads and searches) and/or fhir:write (create QuestionnaireResponse), and an expiry. Every request is limited to the token\'s organisation and audited.',
        },
        resource: [
          {
            type: 'Questionnaire',
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            searchParam: search('Questionnaire', { url: 'Exact canonical URL, e.g. urn:rapport:questionnaire:phq9', name: 'Case-insensitive start of the computable name, e.g. PHQ' }),
          },
          {
            type: 'QuestionnaireResponse',
            interaction: [{ code: 'read' }, { code: 'search-type' }, { code: 'create' }],
            searchParam: search('QuestionnaireResponse', {
              patient: 'Required. Patient/<id> or <id>.',
              questionnaire: 'Questionnaire/<id>, the canonical URL, or a LOINC form URL (http://loinc.org/q/44249-1).',
              authored: 'Prefixes ge, le, gt, lt, eq; may repeat (all must hold).',
            }),
          },
          {
            type: 'Observation',
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            searchParam: search('Observation', { patient: 'Required. Patient/<id> or <id>.', code: 'system|code or code; comma for any of several.' }),
          },
          {
            type: 'Patient',
            interaction: [{ code: 'read' }],
            operation: [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }],
          },
        ],
      },
    ],
  };
}
