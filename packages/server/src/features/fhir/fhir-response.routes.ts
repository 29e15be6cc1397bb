import type { FastifyInstance } from 'fastify';
import { InstrumentError } from '@rapport/instruments';
import { fromQuestionnaireResponse, parseQuestionnaireResponse } from '@rapport/fhir';
import { resolveInstrument } from '../instruments/org-instruments';
import { SEARCH_PARAMETERS } from './fhir.capability';
import { FhirError, fhirNotFound, invalid } from './fhir.errors';
import { withAudit } from '../../access/access';
import { auditDenied, tokenOf } from './fhir.audit';
import { countCompletedResponses, findClient, findCompletedResponse, pageCompletedResponses, storeFhirResponse, type TimeBound } from './fhir.queries';
import { presentResponse } from './fhir.present';
import { dateBound, patientIdOf, questionnaireParam, readQuery, single } from './fhir.search';
import { PAGING_PARAMETERS, readPaging } from './fhir.paging';
import { isResponseKey, read, write, type FhirContext } from './fhir.context';

/** QuestionnaireResponse: search (by patient, questionnaire, authored), read, and create (scored and stored like the client page's). */
export function registerFhirResponseRoutes(fhir: FastifyInstance, ctx: FhirContext): void {
  const { db, clock, secretKey, baseUrl, canonical, instrumentsFor, withInstrument, searchset, requirePatient } = ctx;

  fhir.get('/QuestionnaireResponse', { config: read }, async (request) => {
    const query = readQuery(request.query, [...SEARCH_PARAMETERS.QuestionnaireResponse, ...PAGING_PARAMETERS]);
    const patient = single(query, 'patient');
    if (!patient) throw invalid('Searching QuestionnaireResponse needs the patient parameter.', 'patient');
    const patientId = patientIdOf(patient);
    const questionnaires = query.questionnaire?.flatMap((v) => v.split(',')).map((v) => questionnaireParam(v, canonical));
    const submitted: TimeBound[] = (query.authored ?? []).map((v) => dateBound(v, 'authored'));
    const orgId = tokenOf(request).orgId;
    const search = { orgId, resourceType: 'QuestionnaireResponse', query };
    const { count, after } = readPaging(secretKey, search, isResponseKey);
    const client = await requirePatient(request, patientId, 'fhir.QuestionnaireResponse.search');
    const filter = { orgId, clientId: client.id, instrumentIds: questionnaires?.filter((q): q is string => q !== null), submitted };
    const { total, rows } = await withAudit(request, db, clock, { action: 'fhir.QuestionnaireResponse.search', clientId: client.id, entityType: 'client', entityId: client.id }, async (tx) => ({
      total: await countCompletedResponses(tx, filter),
      // One more than the page, to know whether a next page exists.
      rows: await pageCompletedResponses(tx, { ...filter, limit: count + 1, after: after as [string, string] | null }),
    }));
    const page = rows.slice(0, count);
    const instruments = await instrumentsFor(orgId, page.map((p) => p.row));
    const resources = withInstrument(page.map((p) => p.row), instruments).map(({ row, instrument }) => presentResponse(row, instrument));
    return searchset(request, search, resources, total, rows.length > count ? page.at(-1)!.key : null);
  });

  fhir.get<{ Params: { id: string } }>('/QuestionnaireResponse/:id', { config: read }, async (request) => {
    readQuery(request.query, []);
    const orgId = tokenOf(request).orgId;
    const row = await findCompletedResponse(db, orgId, request.params.id);
    const instrument = row ? await resolveInstrument(db, orgId, row.instrumentId) : null;
    if (!row || !instrument) {
      await auditDenied(request, db, clock, { action: 'fhir.QuestionnaireResponse.read', entityType: 'response', entityId: request.params.id });
      throw fhirNotFound('QuestionnaireResponse');
    }
    await withAudit(request, db, clock, { action: 'fhir.QuestionnaireResponse.read', clientId: row.clientId, entityType: 'response', entityId: row.id }, async () => null);
    return presentResponse(row, instrument);
  });

  fhir.post('/QuestionnaireResponse', { config: write }, async (request, reply) => {
    readQuery(request.query, []);
    const parsed = parseQuestionnaireResponse(request.body, canonical);
    if (!parsed.ok) throw new FhirError(400, parsed.issues.map((i) => ({ message: i.message, expression: i.expression, code: 'invalid' })));
    const { instrumentId, patientId, authored, resource } = parsed.value;
    const orgId = tokenOf(request).orgId;
    const instrument = await resolveInstrument(db, orgId, instrumentId);
    if (!instrument) throw invalid('This server has no such Questionnaire.', 'QuestionnaireResponse.questionnaire');
    if (instrument.definition.respondent !== 'client') {
      throw invalid('Clinician-rated forms are entered in Rapport, not through FHIR.', 'QuestionnaireResponse.questionnaire');
    }
    const answers = fromQuestionnaireResponse(resource, instrument.definition);
    if (!answers.ok) throw new FhirError(400, answers.issues.map((i) => ({ message: i.message, expression: i.expression, code: 'invalid' })));
    const now = clock.now();
    if (authored && authored > now) throw invalid('authored may not be in the future.', 'QuestionnaireResponse.authored');
    const client = await findClient(db, orgId, patientId);
    if (!client) {
      await auditDenied(request, db, clock, { action: 'fhir.QuestionnaireResponse.create', entityType: 'client', entityId: patientId });
      throw fhirNotFound('Patient', 'QuestionnaireResponse.subject.reference');
    }
    let stored: Awaited<ReturnType<typeof storeFhirResponse>>;
    try {
      stored = await withAudit(
        request,
        db,
        clock,
        (s) => ({ action: 'fhir.QuestionnaireResponse.create', clientId: client.id, entityType: 'response', entityId: s.response.id }),
        (tx) => storeFhirResponse(tx, { orgId, clientId: client.id, instrument, answers: answers.answers, authored: authored ?? now, now }),
      );
    } catch (error) {
      if (error instanceof InstrumentError) throw invalid(error.message, 'QuestionnaireResponse.item');
      throw error;
    }
    const body = presentResponse(stored.response, instrument);
    return reply.status(201).header('location', `${baseUrl}/QuestionnaireResponse/${stored.response.id}`).send(body);
  });
}
