import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { operationOutcome } from '@rapport/fhir';
import type { AppDeps } from '../../app';
import { AppError } from '../../errors';
import { capabilityStatement } from './fhir.capability';
import { FhirError, issueCodeFor } from './fhir.errors';
import { readQuery } from './fhir.search';
import { createFhirContext, FHIR_PREFIX } from './fhir.context';
import { registerFhirQuestionnaireRoutes } from './fhir-questionnaire.routes';
import { registerFhirResponseRoutes } from './fhir-response.routes';
import { registerFhirObservationRoutes } from './fhir-observation.routes';
import { registerFhirPatientRoutes } from './fhir-patient.routes';

export { FHIR_PREFIX };
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const SOFTWARE_VERSION = '0.1.0';

/**
 * FHIR R4 under `/fhir/R4` (issue 7 item 2): metadata, Questionnaire, QuestionnaireResponse (read,
 * search, create), Observation, Patient and `Patient/$everything`. API tokens only; everything is
 * kept to the token's organisation (another organisation's id is a 404) and audited with actor
 * `api_token`. Blind rating does not apply: it hides a client's alliance score only from the
 * clinician who still owes their own rating of that session, and a token is not that clinician.
 * Errors, including the framework's (bad JSON, unknown address), are OperationOutcomes.
 *
 * This file sets up the FHIR scope (media type, errors, unknown addresses) and the metadata; each
 * resource's routes are in `fhir-<resource>.routes.ts`, sharing `fhir.context.ts`.
 */
export function registerFhirRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.register(
    async (fhir) => {
      const ctx = createFhirContext(deps);

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

      fhir.get('/metadata', { config: { access: { kind: 'public' } } }, async (request) => {
        readQuery(request.query, []);
        return capabilityStatement({ baseUrl: ctx.baseUrl, date: ctx.clock.now(), version: SOFTWARE_VERSION });
      });

      registerFhirQuestionnaireRoutes(fhir, ctx);
      registerFhirResponseRoutes(fhir, ctx);
      registerFhirObservationRoutes(fhir, ctx);
      registerFhirPatientRoutes(fhir, ctx);
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
