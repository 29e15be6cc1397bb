import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { App, AppDeps } from '../../app';
import { badRequest, gone, unauthorized } from '../../errors';
import { auditEventOf, withAudit } from '../../access/access';
import type { ClientLinkPrincipal } from '../../access/principal';
import { submitAssignment, submitAtOnce } from './questionnaire.submit';
import { recordAudit } from '../../audit/audit.queries';
import { endLinkSession, linkContextOf, registerDeliveryPrincipals, setLinkCookie, startLinkSession } from './link-session';
import { registerPageScope, sendPage, wantsJson } from './page-scope';
import { appCss, appJs, themeCss } from './questionnaire.assets';
import { donePage, formPage, invalidLinkPage, openPage } from './questionnaire.pages';
import {
  completedWithRisk,
  findLink,
  getAssignment,
  getPageContext,
  inProgressAnswers,
  isAnswerable,
  loadRenderable,
  localise,
  markOpened,
  saveAnswer,
  validateAnswer,
} from './questionnaire.queries';
import { answerBody, answerView, formQuery, openBody, parseSubmission, themeQuery, tokenParams, versionQuery } from './questionnaire.schema';
import { languageFromHeader, pickLanguage } from './questionnaire.text';
import { registerOptOutRoutes } from './opt-out.routes';
import { resolveInstrument } from '../instruments/org-instruments';

/** Token endpoints: per-IP limit (decision 0001), generous enough for a family sharing one address. */
export const tokenRateLimit = { max: 30, timeWindow: 60_000 };

const hide = { hide: true };

/** The link session of a request that passed a `link` access rule. */
export function linkPrincipal(request: FastifyRequest): ClientLinkPrincipal {
  const p = request.principal;
  if (p.kind !== 'client_link') throw unauthorized();
  return p;
}

/**
 * The client's questionnaire: `GET /q/<token>` → `POST /q/open` (the token becomes a link
 * session cookie and leaves the address bar) → `GET /q` (the form) → `PUT /q/answers` (autosave)
 * → `POST /q/submit` (score, alert, audit in one transaction). Decision 0001.
 */
export function registerQuestionnaireRoutes(app: App, deps: AppDeps): void {
  const { db, clock, config } = deps;
  registerDeliveryPrincipals(app, deps);

  registerPageScope(app, (scope) => {
    const immutable = 'public, max-age=31536000, immutable';
    scope.get('/q/app.css', { config: { access: { kind: 'public' } }, schema: { ...hide, querystring: versionQuery } }, async (_request, reply) =>
      reply.header('cache-control', immutable).type('text/css; charset=utf-8').send(appCss.body),
    );
    scope.get('/q/app.js', { config: { access: { kind: 'public' } }, schema: { ...hide, querystring: versionQuery } }, async (_request, reply) =>
      reply.header('cache-control', immutable).type('text/javascript; charset=utf-8').send(appJs.body),
    );
    scope.get('/q/theme.css', { config: { access: { kind: 'public' } }, schema: { ...hide, querystring: themeQuery } }, async (request, reply) =>
      reply.header('cache-control', immutable).type('text/css; charset=utf-8').send(themeCss(`#${request.query.c ?? '2f6f8f'}`)),
    );

    scope.get(
      '/q/:token',
      { config: { access: { kind: 'public' }, rateLimit: tokenRateLimit }, schema: { ...hide, params: tokenParams } },
      async (request, reply) => {
        const link = await findLink(db, request.params.token);
        if (!link || !isAnswerable(link.assignment, clock.now())) return sendPage(reply, invalidLinkPage(languageFromHeader(request.headers['accept-language'])), 404);
        const page = await getPageContext(db, link.orgId, link.assignment.clientId);
        const lang = pickLanguage(page?.language);
        return sendPage(reply, openPage({ lang, token: request.params.token, branding: { orgName: page?.orgName ?? null, colour: page?.settings.colour ?? null } }));
      },
    );

    scope.post(
      '/q/open',
      { config: { access: { kind: 'public' }, rateLimit: tokenRateLimit }, schema: { ...hide, body: openBody } },
      async (request, reply) => {
        const now = clock.now();
        const link = await findLink(db, request.body.token);
        if (!link || !isAnswerable(link.assignment, now)) return sendPage(reply, invalidLinkPage(languageFromHeader(request.headers['accept-language'])), 404);
        const { assignment } = link;
        // Every open ends the earlier session of this assignment: only the newest browser can go on.
        const session = await withAudit(
          request,
          db,
          clock,
          { action: 'questionnaire.open', clientId: assignment.clientId, entityType: 'assignment', entityId: assignment.id },
          async (tx) => {
            const started = await startLinkSession(tx, { orgId: link.orgId, assignmentId: assignment.id, via: 'link', now });
            await markOpened(tx, assignment, now);
            return started;
          },
          { kind: 'client_link', id: (started) => started.id, orgId: link.orgId },
        );
        setLinkCookie(reply, config, session.token);
        return reply.header('cache-control', 'no-store').redirect('/q', 303);
      },
    );

    scope.get('/q', { config: { access: { kind: 'link' } }, schema: { ...hide, querystring: formQuery } }, async (request, reply) => {
      const p = linkPrincipal(request);
      const now = clock.now();
      const view = await withAudit(request, db, clock, { action: 'questionnaire.read', clientId: p.clientId, entityType: 'assignment', entityId: p.assignmentId }, async (tx) => {
        const assignment = await getAssignment(tx, p.orgId, p.assignmentId);
        const page = await getPageContext(tx, p.orgId, p.clientId);
        if (!assignment || !page) return null;
        const { via } = p;
        const branding = { orgName: page.orgName, colour: page.settings.colour };
        const lang = pickLanguage(page.language);
        if (assignment.status === 'completed') {
          const riskFlagged = await completedWithRisk(tx, assignment.id);
          // On a shared device the thank-you page is shown once; the next person starts from the code screen.
          if (via !== 'link') await endLinkSession(tx, p.linkSessionId, now);
          return { html: donePage({ lang, branding, riskFlagged, crisisResources: page.settings.crisisResources, via }) };
        }
        if (!isAnswerable(assignment, now)) return null;
        const renderables = await Promise.all(assignment.instrumentIds.map((id) => loadRenderable(tx, p.orgId, id)));
        return {
          html: formPage({
            lang,
            branding,
            instruments: renderables.map((r) => localise(r, page.language)),
            saved: await inProgressAnswers(tx, assignment.id),
            submissionId: randomUUID(),
            hasRiskItem: renderables.some((r) => (r.risk?.length ?? 0) > 0),
            via,
          }),
        };
      });
      if (!view) return sendPage(reply, invalidLinkPage(languageFromHeader(request.headers['accept-language'])), 410);
      return sendPage(reply, view.html);
    });

    scope.put('/q/answers', { config: { access: { kind: 'link' } }, schema: { ...hide, body: answerBody, response: { 200: answerView } } }, async (request) => {
      const p = linkPrincipal(request);
      const { instrumentId, itemId, value } = request.body;
      const now = clock.now();
      await withAudit<string>(
        request,
        db,
        clock,
        (responseId) => ({ action: 'questionnaire.answer', clientId: p.clientId, entityType: 'response', entityId: responseId }),
        async (tx) => {
          const assignment = await getAssignment(tx, p.orgId, p.assignmentId, true);
          if (!assignment || !isAnswerable(assignment, now)) throw gone('This questionnaire has been sent or has expired.', 'questionnaire_closed');
          if (!assignment.instrumentIds.includes(instrumentId)) throw badRequest('This questionnaire has no such instrument.', 'instrumentId', 'unknown_instrument');
          const instrument = await resolveInstrument(tx, p.orgId, instrumentId);
          if (!instrument) throw badRequest('This questionnaire has no such instrument.', 'instrumentId', 'unknown_instrument');
          validateAnswer(instrument, itemId, value);
          return saveAnswer(tx, { assignment, instrumentId, itemId, value, instrumentVersion: instrument.version, now });
        },
      );
      return { saved: true as const };
    });

    scope.post('/q/submit', { config: { access: { kind: 'link' }, linkHistory: true }, schema: { ...hide } }, async (request, reply) => {
      const p = linkPrincipal(request);
      const json = wantsJson(request);
      const { submissionId, answers } = parseSubmission(request.body, (request.headers['content-type'] ?? '').startsWith('application/json'));
      const now = clock.now();
      const { via } = p;
      // The work and its audit event in one transaction, as `withAudit`, with the event
      // written in the submission's own statement. A retry of a submit that already went through
      // (same submissionId, e.g. after a dropped connection) only reads the stored result: it is
      // audited as such, so each submission has exactly one `questionnaire.submit` event.
      const audit = (action: string) => auditEventOf(request, clock, { action, clientId: p.clientId, entityType: 'assignment', entityId: p.assignmentId });
      const context = linkContextOf(request);
      const atOnce = context ? await submitAtOnce(db, { context, answers, submissionId, via, now, audit: () => audit('questionnaire.submit') }) : null;
      const result = atOnce ?? await db.transaction(async (tx) => {
        const submitted = await submitAssignment(tx, { orgId: p.orgId, assignmentId: p.assignmentId, answers, submissionId, via, now, audit: () => audit('questionnaire.submit') });
        if (submitted.replayed) await recordAudit(tx, audit('questionnaire.submit_replay'));
        return submitted;
      });
      if (json) return reply.header('cache-control', 'no-store').send({ status: 'completed', riskFlagged: result.riskFlagged, next: '/q' });
      return reply.redirect('/q', 303);
    });

    registerOptOutRoutes(scope, deps);
  });
}
