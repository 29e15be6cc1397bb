import type { FastifyInstance } from 'fastify';
import type { Observation } from 'fhir/r4';
import { parseObservationId } from '@rapport/fhir';
import { resolveInstrument, resolveInstruments, type ResolvedInstrument } from '../instruments/org-instruments';
import { SEARCH_PARAMETERS } from './fhir.capability';
import { fhirNotFound, invalid } from './fhir.errors';
import { auditDenied, tokenOf, withApiAudit } from './fhir.audit';
import { findCompletedResponse, pageCompletedResponses } from './fhir.queries';
import { presentObservations } from './fhir.present';
import { patientIdOf, readQuery, single, tokenValues } from './fhir.search';
import { PAGING_PARAMETERS, compareKeys, readPaging, type PageKey } from './fhir.paging';
import { isObservationKey, read, type FhirContext } from './fhir.context';

/** Responses read at a time when a search must look at every one (Observation: its matches are found after presenting). */
const SCAN_BATCH = 500;

/** Observation: one per total and subscale score of each completed response; search (by patient, code) and read. */
export function registerFhirObservationRoutes(fhir: FastifyInstance, ctx: FhirContext): void {
  const { db, clock, secretKey, searchset, requirePatient } = ctx;

  fhir.get('/Observation', { config: read }, async (request) => {
    const query = readQuery(request.query, [...SEARCH_PARAMETERS.Observation, ...PAGING_PARAMETERS]);
    const patient = single(query, 'patient');
    if (!patient) throw invalid('Searching Observation needs the patient parameter.', 'patient');
    const codes = (query.code ?? []).map(tokenValues);
    // Every `code` parameter must match (AND); within one, any comma-separated value (OR).
    const matches = (o: Observation) =>
      codes.every((any) => any.some((t) => o.code.coding?.some((c) => c.code === t.code && (t.system === undefined || t.system === '' || c.system === t.system))));
    const orgId = tokenOf(request).orgId;
    const search = { orgId, resourceType: 'Observation', query };
    const { count, after } = readPaging(secretKey, search, isObservationKey);
    const client = await requirePatient(request, patientIdOf(patient), 'fhir.Observation.search');
    // Observations are made from responses and filtered by code once made, so the total needs
    // every response: they are read in batches, and only the page is kept.
    const { total, page } = await withApiAudit(request, db, clock, { action: 'fhir.Observation.search', clientId: client.id, entityType: 'client', entityId: client.id }, async (tx) => {
      const instruments = new Map<string, ResolvedInstrument | null>();
      const page: { observation: Observation; key: PageKey }[] = [];
      let total = 0;
      let batchAfter: [string, string] | null = null;
      for (;;) {
        const batch = await pageCompletedResponses(tx, { orgId, clientId: client.id, limit: SCAN_BATCH, after: batchAfter });
        const unknown = [...new Set(batch.map((b) => b.row.instrumentId))].filter((id) => !instruments.has(id));
        for (const [id, instrument] of await resolveInstruments(tx, orgId, unknown)) instruments.set(id, instrument);
        for (const { row, key } of batch) {
          const instrument = instruments.get(row.instrumentId);
          if (!instrument) continue;
          presentObservations(row, instrument).forEach((observation, index) => {
            if (!matches(observation)) return;
            total += 1;
            const observationKey = [...key, String(index)];
            if (page.length <= count && (!after || compareKeys(observationKey, after) > 0)) page.push({ observation, key: observationKey });
          });
        }
        if (batch.length < SCAN_BATCH) break;
        batchAfter = batch.at(-1)!.key;
      }
      return { total, page };
    });
    const shown = page.slice(0, count);
    return searchset(request, search, shown.map((p) => p.observation), total, page.length > count ? shown.at(-1)!.key : null);
  });

  fhir.get<{ Params: { id: string } }>('/Observation/:id', { config: read }, async (request) => {
    readQuery(request.query, []);
    const orgId = tokenOf(request).orgId;
    const id = parseObservationId(request.params.id);
    const row = id ? await findCompletedResponse(db, orgId, id.responseId) : null;
    const instrument = row ? await resolveInstrument(db, orgId, row.instrumentId) : null;
    const observation = row && instrument ? presentObservations(row, instrument).find((o) => o.id === request.params.id) : undefined;
    if (!row || !observation) {
      await auditDenied(request, db, clock, { action: 'fhir.Observation.read', entityType: 'observation', entityId: request.params.id });
      throw fhirNotFound('Observation');
    }
    await withApiAudit(request, db, clock, { action: 'fhir.Observation.read', clientId: row.clientId, entityType: 'response', entityId: row.id }, async () => null);
    return observation;
  });
}
