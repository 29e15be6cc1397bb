import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FhirResource, Observation } from 'fhir/r4';
import { builtInDefinitions, InstrumentError } from '@rapport/instruments';
import { bundle, fromQuestionnaireResponse, operationOutcome, parseObservationId, parseQuestionnaireResponse, toPatient, instrumentIdOf } from '@rapport/fhir';
import type { AppDeps } from '../../app';
import type { Queryable } from '../../db/database';
import { AppError } from '../../errors';
import { currentOrgInstruments } from '../instruments/instruments.queries';
import { resolveInstrument, resolveInstruments, type ResolvedInstrument } from '../instruments/org-instruments';
import { SEARCH_PARAMETERS, capabilityStatement } from './fhir.capability';
import { FhirError, fhirNotFound, invalid, issueCodeFor } from './fhir.errors';
import { auditDenied, tokenOf, withApiAudit } from './fhir.audit';
import {
  countCompletedResponses,
  findClient,
  findCompletedResponse,
  listCompletedResponses,
  pageCompletedResponses,
  storeFhirResponse,
  type ResponseRow,
  type TimeBound,
} from './fhir.queries';
import { presentObservations, presentQuestionnaire, presentResponse } from './fhir.present';
import { dateBound, patientIdOf, questionnaireParam, readQuery, single, tokenValues, type QueryValues } from './fhir.search';
import { PAGING_PARAMETERS, compareKeys, encodeCursor, nextPageUrl, readPaging, type PageKey } from './fhir.paging';

export const FHIR_PREFIX = '/fhir/R4';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const read = { access: { kind: 'api', scope: 'fhir:read' } } as const;
const write = { access: { kind: 'api', scope: 'fhir:write' } } as const;
const SOFTWARE_VERSION = '0.1.0';
/** Responses read at a time when a search must look at every one (Observation: its matches are found after presenting). */
const SCAN_BATCH = 500;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Page keys: a response is (submitted_at in microseconds, id); an Observation adds its place among the response's. */
const isResponseKey = (k: PageKey) => k.length === 2 && /^\d{1,20}$/.test(k[0]!) && UUID.test(k[1]!);
const isObservationKey = (k: PageKey) => k.length === 3 && isResponseKey(k.slice(0, 2)) && /^\d{1,4}$/.test(k[2]!);
const isQuestionnaireKey = (k: PageKey) => k.length === 1 && /^[A-Za-z0-9\-.]{1,64}$/.test(k[0]!);

/** LOINC form code → instrument, so `http://loinc.org/q/44249-1` names PHQ-9. */
const loincPanels: Record<string, string> = Object.fromEntries(
  builtInDefinitions.flatMap((d) => (d.loinc?.panel ? [[d.loinc.panel, d.id] as const] : [])),
);

/**
 * FHIR R4 under `/fhir/R4` (issue 7 item 2): metadata, Questionnaire, QuestionnaireResponse (read,
 * search, create), Observation, Patient and `Patient/$everything`. API tokens only; everything is
 * kept to the token's organisation (another organisation's id is a 404) and audited with actor
 * `api_token`. Blind rating does not apply: it hides a client's alliance score only from the
 * clinician who still owes their own rating of that session, and a token is not that clinician.
 * Errors, including the framework's (bad JSON, unknown address), are OperationOutcomes.
 */
export function registerFhirRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.register(
    async (fhir) => {
      const { db, clock, secretKey } = deps;
      const baseUrl = `${deps.config.publicUrl.replace(/\/$/, '')}${FHIR_PREFIX}`;
      const canonical = { baseUrl, loincPanels };

      fhir.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, fhir.getDefaultJsonParser('error', 'error'));
      fhir.addHook('onSend', async (_request, reply, payload) => {
        reply.header('content-type', FHIR_JSON);
        return payload;
      });
      fhir.setErrorHandler((error, request, reply) => sendOutcome(error, request, reply));
      const nothingHere = (_request: FastifyRequest, reply: FastifyReply) =>
        reply.status(404).type(FHIR_JSON).send(operationOutcome([{ code: 'not-found', diagnostics: 'There is nothing at this address. See /fhir/R4/metadata.' }]));
      fhir.setNotFoundHandler(nothingHere);
      // The web app's `GET /*` would otherwise take unknown FHIR addresses (and answer its own 404).
      fhir.get('/*', { config: { access: { kind: 'public' } } }, nothingHere);

      /** The organisation's instruments by id (one query), for presenting stored responses. */
      const instrumentsFor = async (orgId: string, rows: readonly ResponseRow[]) => resolveInstruments(db, orgId, [...new Set(rows.map((r) => r.instrumentId))]);
      const withInstrument = (rows: readonly ResponseRow[], instruments: Map<string, ResolvedInstrument | null>) =>
        rows.flatMap((row) => {
          const instrument = instruments.get(row.instrumentId);
          return instrument ? [{ row, instrument }] : [];
        });
      type Search = { orgId: string; resourceType: string; query: QueryValues };
      /** One page of a search as a searchset: the total, `self`, and `next` when `lastKey` says more follow. */
      const searchset = (request: FastifyRequest, search: Search, resources: readonly FhirResource[], total: number, lastKey: PageKey | null) =>
        bundle('searchset', resources, {
          baseUrl,
          total,
          selfUrl: `${baseUrl}${request.url.slice(FHIR_PREFIX.length)}`,
          ...(lastKey ? { nextUrl: nextPageUrl(baseUrl, search, encodeCursor(secretKey, search, lastKey)) } : {}),
        });

      /** The client a search names, or a 404 (another organisation's patient does not exist for this token). */
      const requirePatient = async (request: FastifyRequest, id: string, action: string) => {
        const client = await findClient(db, tokenOf(request).orgId, id);
        if (!client) {
          await auditDenied(request, db, clock, { action, entityType: 'client', entityId: id });
          throw fhirNotFound('Patient', 'patient');
        }
        return client;
      };

      fhir.get('/metadata', { config: { access: { kind: 'public' } } }, async (request) => {
        readQuery(request.query, []);
        return capabilityStatement({ baseUrl, date: clock.now(), version: SOFTWARE_VERSION });
      });

      // Questionnaire: generated from each instrument the organisation can render (licensed ones only with its content pack).
      const publishable = async (q: Queryable, orgId: string) => {
        const custom = (await currentOrgInstruments(q, orgId)).filter((r) => r.kind === 'custom_instrument').map((r) => r.instrumentId);
        const resolved = await resolveInstruments(q, orgId, [...builtInDefinitions.map((d) => d.id), ...custom]);
        return [...resolved.values()].filter((r): r is ResolvedInstrument => !!r?.renderable);
      };

      fhir.get('/Questionnaire', { config: read }, async (request) => {
        const query = readQuery(request.query, [...SEARCH_PARAMETERS.Questionnaire, ...PAGING_PARAMETERS]);
        const url = single(query, 'url');
        const name = single(query, 'name')?.toLowerCase();
        const token = tokenOf(request);
        const search = { orgId: token.orgId, resourceType: 'Questionnaire', query };
        const { count, after } = readPaging(secretKey, search, isQuestionnaireKey);
        const found = await withApiAudit(request, db, clock, { action: 'fhir.Questionnaire.search', entityType: 'instrument' }, async (tx) =>
          (await publishable(tx, token.orgId)).map(presentQuestionnaire).filter((q) => (!url || q.url === url.split('|')[0]) && (!name || q.name!.toLowerCase().startsWith(name))),
        );
        // A clinic's instruments are a few dozen: paged in memory, by id.
        const sorted = found.sort((a, b) => compareKeys([a.id!], [b.id!]));
        const rest = after ? sorted.filter((q) => compareKeys([q.id!], after) > 0) : sorted;
        const page = rest.slice(0, count);
        return searchset(request, search, page, found.length, rest.length > count ? [page.at(-1)!.id!] : null);
      });

      fhir.get<{ Params: { id: string } }>('/Questionnaire/:id', { config: read }, async (request) => {
        readQuery(request.query, []);
        const instrumentId = instrumentIdOf(request.params.id);
        const found = await withApiAudit(request, db, clock, { action: 'fhir.Questionnaire.read', entityType: 'instrument', entityId: instrumentId.slice(0, 100) }, async (tx) =>
          /^[a-z][a-z0-9_]*$/.test(instrumentId) ? resolveInstrument(tx, tokenOf(request).orgId, instrumentId) : null,
        );
        if (!found?.renderable) throw fhirNotFound('Questionnaire');
        return presentQuestionnaire(found);
      });

      // QuestionnaireResponse
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
        const { total, rows } = await withApiAudit(request, db, clock, { action: 'fhir.QuestionnaireResponse.search', clientId: client.id, entityType: 'client', entityId: client.id }, async (tx) => ({
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
        await withApiAudit(request, db, clock, { action: 'fhir.QuestionnaireResponse.read', clientId: row.clientId, entityType: 'response', entityId: row.id }, async () => null);
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
          stored = await withApiAudit(
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

      // Observation: one per total and subscale score of each completed response.
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

      // Patient (minimal, no contact details) and the client's own data as one Bundle.
      fhir.get<{ Params: { id: string } }>('/Patient/:id', { config: read }, async (request) => {
        readQuery(request.query, []);
        const client = await requirePatientRead(request, 'fhir.Patient.read');
        await withApiAudit(request, db, clock, { action: 'fhir.Patient.read', clientId: client.id, entityType: 'client', entityId: client.id }, async () => null);
        return toPatient(client);
      });

      fhir.get<{ Params: { id: string } }>('/Patient/:id/$everything', { config: read }, async (request) => {
        readQuery(request.query, []);
        const client = await requirePatientRead(request, 'fhir.Patient.everything');
        const orgId = client.orgId;
        const rows = await withApiAudit(request, db, clock, { action: 'fhir.Patient.everything', clientId: client.id, entityType: 'client', entityId: client.id }, (tx) =>
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

      async function requirePatientRead(request: FastifyRequest<{ Params: { id: string } }>, action: string) {
        const client = await findClient(db, tokenOf(request).orgId, request.params.id);
        if (!client) {
          await auditDenied(request, db, clock, { action, entityType: 'client', entityId: request.params.id });
          throw fhirNotFound('Patient');
        }
        return client;
      }
    },
    { prefix: FHIR_PREFIX },
  );
}

/** Any error on a FHIR route as an OperationOutcome; unknown errors are a generic 500 (logged without details). */
export function sendOutcome(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  // Also called for errors raised before routing (app.ts `frameworkErrors`), where this plugin's hooks never ran.
  reply.type(FHIR_JSON);
  if (error instanceof FhirError) {
    return reply.status(error.status).send(operationOutcome(error.problems.map((p) => ({ code: p.code ?? issueCodeFor(error.status), diagnostics: p.message, expression: p.expression }))));
  }
  if (error instanceof AppError) {
    if (error.headers) reply.headers(error.headers);
    if (error.status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.status(error.status).send(operationOutcome([{ code: issueCodeFor(error.status), diagnostics: error.message, expression: error.field }]));
  }
  const fe = error as FastifyError;
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const diagnostics =
      fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'The body is not valid JSON.' : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'Send the body as application/fhir+json.'
          : fe.code === 'FST_ERR_BAD_URL'
            ? 'The address is not valid (a malformed % escape?).'
            : 'The request could not be understood.';
    return reply.status(fe.statusCode).send(operationOutcome([{ code: issueCodeFor(fe.statusCode), diagnostics }]));
  }
  request.log.error({ err: { type: (error as Error)?.name ?? typeof error, code: fe?.code } }, 'unhandled FHIR error');
  return reply.status(500).send(operationOutcome([{ code: 'exception', diagnostics: `Something went wrong on our side. It has been logged (request ${request.id}).` }]));
}
