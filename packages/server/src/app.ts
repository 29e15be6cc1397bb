import Fastify, { LogController, type FastifyInstance, type FastifyBaseLogger, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { Db } from './db/database';
import type { Clock } from './lib/clock';
import type { Mailer } from './mail/mailer';
import { handleError, AppError, badRequest, notFound } from './errors';
import { anonymous, type Principal } from './access/principal';
import { authorizeRequest } from './access/access';
import { findActiveSession, touchSession } from './auth/sessions.queries';
import { SESSION_COOKIE } from './auth/session-cookie';
import { registerAuthRoutes } from './auth/auth.routes';
import { registerInvitationRoutes } from './auth/invitation.routes';
import { registerMfaRoutes } from './auth/mfa.routes';
import { registerOrganisationRoutes } from './features/organisations/organisations.routes';
import { registerProgrammeRoutes } from './features/programmes/programmes.routes';
import { registerUserRoutes } from './features/users/users.routes';
import { registerClientRoutes } from './features/clients/clients.routes';
import { registerCaseloadRoutes } from './features/caseload/caseload.routes';
import { registerEpisodeRoutes } from './features/episodes/episodes.routes';
import { registerAppointmentRoutes } from './features/appointments/appointments.routes';
import { registerAuditRoutes } from './audit/audit.routes';
import { registerSystemRoutes } from './features/system/system.routes';
import { registerProtocolRoutes } from './features/protocols/protocols.routes';
import { registerAssignmentRoutes } from './features/assignments/assignments.routes';
import { registerQuestionnaireRoutes } from './features/questionnaire/questionnaire.routes';
import { registerKioskRoutes } from './features/kiosk/kiosk.routes';
import { registerAlertRoutes } from './features/alerts/alerts.routes';
import { registerAllianceRoutes } from './features/alliance/alliance.routes';
import { registerAllianceReadRoutes } from './features/alliance/alliance-read.routes';
import { registerCalibrationRoutes } from './features/alliance/calibration.routes';
import { registerOutcomeRoutes } from './features/outcomes/outcomes.routes';
import { registerResponseRoutes } from './features/responses/responses.routes';
import { registerInstrumentRoutes } from './features/instruments/instruments.routes';
import { registerReportRoutes } from './features/reports/reports.routes';
import { registerWebRoutes } from './features/web/web.routes';
import { registerApiTokenPrincipal, registerApiTokenRoutes } from './features/api-tokens/api-tokens.routes';
import { FHIR_PREFIX, registerFhirRoutes, sendOutcome } from './features/fhir/fhir.routes';
import { registerLifecycleRoutes } from './features/lifecycle/lifecycle.routes';
import { registerExportRoutes } from './features/exports/exports.routes';
import { registerImportRoutes } from './features/imports/imports.routes';
import type { SmsTransport } from './notifications/sms';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/** Everything the app needs from outside, passed in once (no globals). */
export type AppDeps = {
  config: Config;
  db: Db;
  clock: Clock;
  mailer: Mailer;
  /** SMS transport when one is configured (SMS_URL); messages then go by SMS where consented. */
  sms: SmsTransport | null;
  logger: Logger;
  /** 32-byte hex key for secrets the server must read back (TOTP seeds). */
  secretKey: string;
  /** Health of the database for `/healthz`. */
  ping: () => Promise<boolean>;
  /** Consistent copy of the embedded database for `rapport backup` (PGlite only). */
  backup?: () => Promise<Blob>;
  /** Shared secret (in the data folder) the local CLI presents to `/internal/backup`. */
  controlToken?: string;
};

export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

/** One entry per route, with its access rule: the access-matrix test walks this list. */
export type RouteEntry = { method: string; url: string; access: string };

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Builds the HTTP application. Does not listen: the caller (server.ts, tests) decides. */
export async function createApp(deps: AppDeps): Promise<App & { routeTable: RouteEntry[] }> {
  const { config, db, clock } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    trustProxy: config.trustProxy,
    genReqId: () => crypto.randomUUID(),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Errors the router raises before any route runs (a malformed percent-escape, an over-long
    // path parameter) go through the same handler, so they too are `{ error: { code, message } }`
    // (under /fhir/, an OperationOutcome, as every FHIR answer).
    frameworkErrors: (error, request, reply) => (request.url.startsWith(`${FHIR_PREFIX}/`) ? sendOutcome(error, request, reply) : handleError(error, request, reply)),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    // The FHIR base itself (`/fhir/R4`, or a path that normalises to it) is answered as FHIR too.
    request.url.split('?')[0]!.replace(/\/$/, '') === FHIR_PREFIX
      ? sendOutcome(notFound('resource'), request, reply)
      : reply.status(404).send({ error: { code: 'not_found', message: 'There is nothing at this address.' } }),
  );
  // JSON only: a text/plain body on an API route is a 415, not a string that fails later.
  app.removeContentTypeParser('text/plain');
  // PostgreSQL text and jsonb cannot hold U+0000: a NUL in the body or the address is refused here
  // as a 400 instead of failing inside a query as a 500 (found by test/fuzz.test.ts).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    parseJson(request, String(body), (error: Error | null, value?: unknown) => {
      const field = error || !String(body).includes('\\u0000') ? null : nulPath(value);
      if (field !== null) return done(badRequest('Text may not contain the NUL character.', field || undefined, 'invalid_character'), undefined);
      return done(error, value);
    }),
  );
  app.addHook('onRequest', async (request) => {
    if (/%00/.test(request.url)) throw badRequest('The address may not contain the NUL character.', undefined, 'invalid_character');
  });

  const routeTable: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    if (route.method === 'HEAD' || route.url.startsWith('/api/v1/openapi')) return;
    const access = route.config?.access;
    if (!access) throw new Error(`Route ${String(route.method)} ${route.url} has no access rule`);
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url, access: access.kind });
  });

  await app.register(cookie);
  // Security headers, with helmet built once: @fastify/helmet rebuilt every middleware and re-parsed
  // the CSP on each request, a measurable share of a fast route's time (bench/clients-list.bench.ts).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)));
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, context) =>
      new AppError(429, 'too_many_requests', 'Too many requests. Please wait a moment and try again.', undefined, {
        'retry-after': String(Math.ceil(context.ttl / 1000)),
      }),
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Rapport API', version: '1', description: 'Measurement-based care for psychotherapy.' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } },
    },
    transform: jsonSchemaTransform,
  });

  // Who is asking: resolved once per request from the session cookie.
  app.decorateRequest('principal', undefined as never);
  app.addHook('onRequest', async (request) => {
    request.principal = anonymous;
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    const now = clock.now();
    const policy = { idleMinutes: config.sessionIdleMinutes, absoluteHours: config.sessionAbsoluteHours };
    const session = await findActiveSession(db, token, now, policy);
    if (!session) return;
    await touchSession(db, session, now);
    request.principal = { kind: 'staff', ...session };
  });
  // Or an organisation's API token (Authorization: Bearer), for the FHIR API.
  registerApiTokenPrincipal(app, deps);

  // State-changing requests from another origin are refused (the cookie is SameSite=Strict too).
  const allowedOrigin = new URL(config.publicUrl).origin;
  app.addHook('onRequest', async (request) => {
    if (!MUTATING.has(request.method)) return;
    const origin = request.headers.origin;
    const site = request.headers['sec-fetch-site'];
    // The browser vouches for a same-origin request. Needed because `Referrer-Policy: no-referrer`
    // makes browsers send `Origin: null` on plain form posts (the client pages' forms).
    if (site === 'same-origin') return;
    if (site === 'cross-site' || (origin && origin !== allowedOrigin && origin !== hostOrigin(request))) {
      throw new AppError(403, 'cross_origin', 'This request came from another website and was refused.');
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { reqId: request.id, method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  app.addHook('preValidation', async (request) => {
    await authorizeRequest(request, db, clock);
  });

  app.get('/api/v1/openapi.json', { config: { access: { kind: 'public' } }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  registerSystemRoutes(app, deps);
  registerAuthRoutes(app, deps);
  registerInvitationRoutes(app, deps);
  registerMfaRoutes(app, deps);
  registerOrganisationRoutes(app, deps);
  registerProgrammeRoutes(app, deps);
  registerUserRoutes(app, deps);
  registerClientRoutes(app, deps);
  registerCaseloadRoutes(app, deps);
  registerEpisodeRoutes(app, deps);
  registerAppointmentRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerProtocolRoutes(app, deps);
  registerAssignmentRoutes(app, deps);
  registerQuestionnaireRoutes(app, deps);
  registerKioskRoutes(app, deps);
  registerAlertRoutes(app, deps);
  registerAllianceRoutes(app, deps);
  registerAllianceReadRoutes(app, deps);
  registerCalibrationRoutes(app, deps);
  registerOutcomeRoutes(app, deps);
  registerResponseRoutes(app, deps);
  registerInstrumentRoutes(app, deps);
  registerApiTokenRoutes(app, deps);
  registerFhirRoutes(app, deps);
  registerLifecycleRoutes(app, deps);
  registerExportRoutes(app, deps);
  registerImportRoutes(app, deps);
  registerReportRoutes(app, deps);
  registerWebRoutes(app, deps);

  await app.ready();
  return Object.assign(app, { routeTable });
}

function hostOrigin(request: { protocol: string; headers: { host?: string } }): string | undefined {
  return request.headers.host ? `${request.protocol}://${request.headers.host}` : undefined;
}

/** Dotted path of the first string or key holding U+0000 ('' for the body itself), or null if none. */
function nulPath(value: unknown, path: string[] = []): string | null {
  if (typeof value === 'string') return value.includes('\0') ? path.join('.') : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\0')) return [...path, key.replaceAll('\0', '')].join('.');
    const found = nulPath(item, [...path, key]);
    if (found !== null) return found;
  }
  return null;
}
