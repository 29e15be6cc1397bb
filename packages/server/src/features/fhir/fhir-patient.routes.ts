import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FhirResource } from 'fhir/r4';
import { toPatient } from '@rapport/fhir';
import { fhirNotFound } from './fhir.errors';
import { withAudit } from '../../access/access';
import { auditDenied, tokenOf } from './fhir.audit';
import { findClient, pageCompletedResponses } from './fhir.queries';
import { presentObservations, presentQuestionnaire, presentResponse } from './fhir.present';
import { readQuery } from './fhir.search';
import { PAGING_PARAMETERS, readPaging } from './fhir.paging';
import { isResponseKey, read, type FhirContext } from './fhir.context';

/** Patient (minimal, no contact details) and `Patient/$everything`: the client's own data, page by page. */
export function registerFhirPatientRoutes(fhir: FastifyInstance, ctx: FhirContext): void {
  const { db, clock, secretKey, instrumentsFor, withInstrument, searchset } = ctx;

  async function requirePatientRead(request: FastifyRequest<{ Params: { id: string } }>, action: string) {
    const client = await findClient(db, tokenOf(request).orgId, request.params.id);
    if (!client) {
      await auditDenied(request, db, clock, { action, entityType: 'client', entityId: request.params.id });
      throw fhirNotFound('Patient');
    }
    return client;
  }

  fhir.get<{ Params: { id: string } }>('/Patient/:id', { config: read }, async (request) => {
    readQuery(request.query, []);
    const client = await requirePatientRead(request, 'fhir.Patient.read');
    await withAudit(request, db, clock, { action: 'fhir.Patient.read', clientId: client.id, entityType: 'client', entityId: client.id }, async () => null);
    return toPatient(client);
  });

  // One page of the client's data per request: the Patient (first page), then `_count` responses
  // (default 50) with the Questionnaires they answer and their score Observations; `next` resumes after
  // the page's last response. Its total is left out (it would count resources of four types).
  fhir.get<{ Params: { id: string } }>('/Patient/:id/$everything', { config: read }, async (request) => {
    const query = readQuery(request.query, [...PAGING_PARAMETERS]);
    const orgId = tokenOf(request).orgId;
    const search = { orgId, resourceType: `Patient/${request.params.id}/$everything`, query };
    const { count, after } = readPaging(secretKey, search, isResponseKey);
    const client = await requirePatientRead(request, 'fhir.Patient.everything');
    const rows = await withAudit(request, db, clock, { action: 'fhir.Patient.everything', clientId: client.id, entityType: 'client', entityId: client.id }, (tx) =>
      // One more than the page, to know whether a next page exists.
      pageCompletedResponses(tx, { orgId, clientId: client.id, limit: count + 1, after: after as [string, string] | null }),
    );
    const page = rows.slice(0, count);
    const instruments = await instrumentsFor(orgId, page.map((p) => p.row));
    const answered = withInstrument(page.map((p) => p.row), instruments);
    const questionnaires = [...new Map(answered.filter(({ instrument }) => instrument.renderable).map(({ instrument }) => [instrument.instrumentId, instrument])).values()].map(presentQuestionnaire);
    const resources: FhirResource[] = [
      // The client's own export (portability): contact details included.
      ...(after ? [] : [toPatient(client, { includeTelecom: true })]),
      ...questionnaires,
      ...answered.map(({ row, instrument }) => presentResponse(row, instrument)),
      ...answered.flatMap(({ row, instrument }) => presentObservations(row, instrument)),
    ];
    return searchset(request, search, resources, null, rows.length > count ? page.at(-1)!.key : null);
  });
}
