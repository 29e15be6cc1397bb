import type { MatrixEntry, PrincipalName } from './access-matrix.table';
import type { World } from './access-matrix.world';

/**
 * Issue 7 rows: the admin API for API tokens, and the FHIR API. An API token is refused (401) on
 * every staff route (its `unlisted: 'anonymous'`); on the FHIR API it is the only principal let in,
 * and staff sessions, link sessions and kiosks get 401 OperationOutcomes there.
 */

const all = (status: number): Partial<Record<PrincipalName, number>> => ({
  anonymous: status,
  clinicianOnTeam: status,
  clinicianOffTeam: status,
  supervisor: status,
  admin: status,
  otherOrgAdmin: status,
  deactivated: status,
});
const anyStaff = (ok: number) => ({ ...all(ok), anonymous: 401, deactivated: 401 });
/** Admins act on their own organisation's tokens. */
const admins = (ok: number) => ({ ...anyStaff(403), admin: ok, otherOrgAdmin: ok });
/** Only an API token with the scope: everyone else is not signed in as far as FHIR is concerned. */
const tokenOnly = (ok: number) => ({ ...all(401), apiToken: ok });

const later = '2026-12-01T10:00:00Z';
const patient = (w: World) => ({ id: w.clientId });

export const fhirRows: Record<string, MatrixEntry> = {
  'POST /api/v1/api-tokens': { expect: admins(201), body: () => ({ name: 'Matrix', scopes: ['fhir:read'], expiresAt: later }) },
  'GET /api/v1/api-tokens': { expect: admins(200) },
  'POST /api/v1/api-tokens/:tokenId/revoke': {
    expect: { ...admins(200), otherOrgAdmin: 404 },
    params: (w) => ({ tokenId: w.revocableApiTokenId }),
  },

  'GET /fhir/R4/metadata': { expect: { ...all(200), apiToken: 200 } },
  // Any other FHIR address: a 404 OperationOutcome for everyone (not the web app's page).
  'GET /fhir/R4/*': { expect: { ...all(404), apiToken: 404 } },
  'GET /fhir/R4/Questionnaire': { expect: tokenOnly(200), query: 'name=PHQ' },
  'GET /fhir/R4/Questionnaire/:id': { expect: tokenOnly(200), params: () => ({ id: 'phq9' }) },
  'GET /fhir/R4/QuestionnaireResponse': { expect: tokenOnly(200), query: (w) => `patient=${w.clientId}` },
  'GET /fhir/R4/QuestionnaireResponse/:id': { expect: tokenOnly(200), params: (w) => ({ id: w.responseId }) },
  'POST /fhir/R4/QuestionnaireResponse': {
    expect: tokenOnly(201),
    body: (w) => ({
      resourceType: 'QuestionnaireResponse',
      status: 'completed',
      questionnaire: 'urn:rapport:questionnaire:phq9',
      subject: { reference: `Patient/${w.clientId}` },
      item: [{ linkId: 'phq9_1', answer: [{ valueInteger: 1 }] }],
    }),
  },
  'GET /fhir/R4/Observation': { expect: tokenOnly(200), query: (w) => `patient=Patient/${w.clientId}&code=http://loinc.org|44261-6` },
  'GET /fhir/R4/Observation/:id': { expect: tokenOnly(200), params: (w) => ({ id: `${w.responseId}-total` }) },
  'GET /fhir/R4/Patient/:id': { expect: tokenOnly(200), params: patient },
  'GET /fhir/R4/Patient/:id/$everything': { expect: tokenOnly(200), params: patient },
};
