import type { CapabilityStatement, CapabilityStatementRestResourceSearchParam } from 'fhir/r4';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './fhir.paging';

/** What the FHIR API supports, stated once: the routes and the CapabilityStatement both read it. */
export const SEARCH_PARAMETERS = {
  Questionnaire: ['url', 'name'],
  QuestionnaireResponse: ['patient', 'questionnaire', 'authored'],
  Observation: ['patient', 'code'],
} as const;

/**
 * The CapabilityStatement: only what is implemented. Reads and searches need an API token with
 * `fhir:read`, creating a QuestionnaireResponse `fhir:write`. Searches are paged (`_count`, and an
 * opaque `_cursor` in each `next` link); QuestionnaireResponse and Observation searches require `patient`.
 */
export function capabilityStatement(input: { baseUrl: string; date: Date; version: string }): CapabilityStatement {
  const paging: CapabilityStatementRestResourceSearchParam[] = [
    { name: '_count', type: 'number', documentation: `Page size: ${DEFAULT_PAGE_SIZE} unless given, at most ${MAX_PAGE_SIZE}; another value is refused with 400.` },
    { name: '_cursor', type: 'string', documentation: 'Opaque: use the next link of a page as given. A cursor changed, or used with other search parameters, is refused with 400.' },
  ];
  const search = (type: keyof typeof SEARCH_PARAMETERS, docs: Record<string, string>): CapabilityStatementRestResourceSearchParam[] => [
    ...SEARCH_PARAMETERS[type].map((name) => ({
      name,
      type: name === 'authored' ? ('date' as const) : name === 'code' ? ('token' as const) : name === 'patient' || name === 'questionnaire' ? ('reference' as const) : name === 'url' ? ('uri' as const) : ('string' as const),
      ...(docs[name] ? { documentation: docs[name] } : {}),
    })),
    ...paging,
  ];
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
          `Unknown search parameters are refused with 400 (not ignored). Searches are paged: a searchset Bundle holds at most _count entries (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}), its total counts every match, and a link with relation next (an opaque _cursor that resumes after the last entry shown, so no entry is repeated even when responses are stored meanwhile) leads to the following page; the last page has none. Patient/$everything is paged the same way by responses (_count responses a page, each with the Questionnaires it answers and its score Observations; the Patient on the first page), as a searchset Bundle without total. Errors are OperationOutcomes naming the path.`,
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
