import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FhirResource } from 'fhir/r4';
import { bundle, toPatient } from '@rapport/fhir';
import { fhirNotFound } from './fhir.errors';
import { withAudit } from '../../access/access';
import { auditDenied, tokenOf } from './fhir.audit';
import { findClient, listCompletedResponses } from './fhir.queries';
import { presentObservations, presentQuestionnaire, presentResponse } from './fhir.present';
import { readQuery } from './fhir.search';
import { read, type FhirContext } from './fhir.context';

/** Patient (minimal, no contact details) and `Patient/$everything`: the client's own data as one Bundle. */
export function registerFhirPatientRoutes(fhir: FastifyInstance, ctx: FhirContext): void {
  const { db, clock, baseUrl, instrumentsFor, withInstrument } = ctx;

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

  fhir.get<{ Params: { id: string } }>('/Patient/:id/$everything', { config: read }, async (request) => {
    readQuery(request.query, []);
    const client = await requirePatientRead(request, 'fhir.Patient.everything');
    const orgId = client.orgId;
    const rows = await withAudit(request, db, clock, { action: 'fhir.Patient.everything', clientId: client.id, entityType: 'client', entityId: client.id }, (tx) =>
      listCompletedResponses(tx, { orgId, clientId: client.id }),
    );
    const instruments = await instrumentsFor(orgId, rows);
    const answered = withInstrument(rows, instruments);
    const questionnaires = [...new Map(answered.filter(({ instrument }) => instrument.renderable).map(({ instrument }) => [instrument.instrumentId, instrument])).values()].map(presentQuestionnaire);
    const resources: FhirResource[] = [
      // The client's own export (portability): contact details included.
      toPatient(client, { includeTelecom: true }),
      ...questionnaires,
      ...answered.map(({ row, instrument }) => presentResponse(row, instrument)),
      ...answered.flatMap(({ row, instrument }) => presentObservations(row, instrument)),
    ];
    return bundle('collection', resources, { baseUrl, timestamp: clock.now() });
  });
}
