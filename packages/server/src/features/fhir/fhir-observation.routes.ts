import type { FastifyInstance } from 'fastify';
import type { Coding, Observation } from 'fhir/r4';
import { parseObservationId, scoreCodings } from '@rapport/fhir';
import { resolveInstrument, resolveInstruments } from '../instruments/org-instruments';
import { SEARCH_PARAMETERS } from './fhir.capability';
import { fhirNotFound, invalid } from './fhir.errors';
import { withAudit } from '../../access/access';
import { auditDenied, tokenOf } from './fhir.audit';
import { completedResponseInstruments, countScores, findCompletedResponse, pageScoreRows, type ScorePart } from './fhir.queries';
import { presentObservations } from './fhir.present';
import { patientIdOf, readQuery, single, tokenValues } from './fhir.search';
import { PAGING_PARAMETERS, compareKeys, readPaging, type PageKey } from './fhir.paging';
import { isObservationKey, read, type FhirContext } from './fhir.context';

/** Observation: one per total and subscale score of each completed response; search (by patient, code) and read. */
export function registerFhirObservationRoutes(fhir: FastifyInstance, ctx: FhirContext): void {
  const { db, clock, secretKey, searchset, requirePatient } = ctx;

  fhir.get('/Observation', { config: read }, async (request) => {
    const query = readQuery(request.query, [...SEARCH_PARAMETERS.Observation, ...PAGING_PARAMETERS]);
    const patient = single(query, 'patient');
    if (!patient) throw invalid('Searching Observation needs the patient parameter.', 'patient');
    const codes = (query.code ?? []).map(tokenValues);
    // Every `code` parameter must match (AND); within one, any comma-separated value (OR).
    const matchesCodings = (codings: readonly Coding[]) =>
      codes.every((any) => any.some((t) => codings.some((c) => c.code === t.code && (t.system === undefined || t.system === '' || c.system === t.system))));
    const matches = (o: Observation) => matchesCodings(o.code.coding ?? []);
    const orgId = tokenOf(request).orgId;
    const search = { orgId, resourceType: 'Observation', query };
    const { count, after } = readPaging(secretKey, search, isObservationKey);
    const client = await requirePatient(request, patientIdOf(patient), 'fhir.Observation.search');
    const filter = { orgId, clientId: client.id };
    const { total, page } = await withAudit(request, db, clock, { action: 'fhir.Observation.search', clientId: client.id, entityType: 'client', entityId: client.id }, async (tx) => {
      // An Observation's codes depend only on its instrument and score (total or subscale), so the
      // scores a search matches are known before any response is read: the database counts them
      // (`total`) and reads only the responses of the page, score columns only.
      const instruments = await resolveInstruments(tx, orgId, await completedResponseInstruments(tx, filter));
      const parts: ScorePart[] = [];
      for (const [instrumentId, instrument] of instruments) {
        if (!instrument) continue;
        for (const part of ['total', ...instrument.definition.scoring.subscales.map((s) => s.id)]) {
          if (matchesCodings(scoreCodings(instrument.definition, part))) parts.push({ instrumentId, subscale: part === 'total' ? null : part });
        }
      }
      const total = await countScores(tx, filter, parts);
      // Keyset pages: from the cursor's response (its later scores come first), one more than the page to know there is a next one.
      const page: { observation: Observation; key: PageKey }[] = [];
      let from: [string, string] | null = after ? [after[0]!, after[1]!] : null;
      let inclusive = true;
      for (;;) {
        const batch = await pageScoreRows(tx, { ...filter, parts, limit: count + 1, from, inclusive });
        for (const { row, key } of batch) {
          presentObservations(row, instruments.get(row.instrumentId)!).forEach((observation, index) => {
            const observationKey = [...key, String(index)];
            if (page.length <= count && matches(observation) && (!after || compareKeys(observationKey, after) > 0)) page.push({ observation, key: observationKey });
          });
        }
        if (page.length > count || batch.length < count + 1) break;
        from = batch.at(-1)!.key;
        inclusive = false;
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
    await withAudit(request, db, clock, { action: 'fhir.Observation.read', clientId: row.clientId, entityType: 'response', entityId: row.id }, async () => null);
    return observation;
  });
}
