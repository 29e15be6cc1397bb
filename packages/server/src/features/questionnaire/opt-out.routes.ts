import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, AppDeps } from '../../app';
import { withAudit } from '../../access/access';
import { unauthorized } from '../../errors';
import { clearLinkCookie, endLinkSession } from './link-session';
import { sendPage } from './page-scope';
import { invalidLinkPage, messagePage, stopPage } from './questionnaire.pages';
import { findLink, getPageContext, recordOptOut } from './questionnaire.queries';
import { tokenParams } from './questionnaire.schema';
import { languageFromHeader, pickLanguage, textFor } from './questionnaire.text';

const tokenRateLimit = { max: 30, timeWindow: 60_000 };
const hide = { hide: true };

/**
 * Opt-out (issue 4 §9): every message carries `/q/<token>/stop`, and the questionnaire page links
 * to `/q/stop`. Stopping withdraws consent for email and SMS (recorded as the client's own),
 * cancels the client's open questionnaires and tells the care team (a job; no health information).
 * A link token works here even after its questionnaire is done: stopping must always be possible.
 */
export function registerOptOutRoutes(scope: App, deps: AppDeps): void {
  const { db, clock, config } = deps;

  async function pageFor(orgId: string, clientId: string) {
    const page = await getPageContext(db, orgId, clientId);
    const lang = pickLanguage(page?.language);
    return { lang, t: textFor(lang).t, branding: { orgName: page?.orgName ?? null, colour: page?.settings.colour ?? null } };
  }

  async function stop(request: FastifyRequest, reply: FastifyReply, who: { orgId: string; clientId: string; linkSessionId: string | null }) {
    const now = clock.now();
    await withAudit<string>(
      request,
      db,
      clock,
      (consentId) => ({ action: 'questionnaire.opt_out', clientId: who.clientId, entityType: 'consent', entityId: consentId }),
      async (tx) => {
        const consentId = await recordOptOut(tx, { orgId: who.orgId, clientId: who.clientId, now });
        if (who.linkSessionId) await endLinkSession(tx, who.linkSessionId, now);
        return consentId;
      },
      { kind: 'client_link', id: who.linkSessionId, orgId: who.orgId },
    );
    clearLinkCookie(reply, config);
    const { lang, t, branding } = await pageFor(who.orgId, who.clientId);
    return sendPage(reply, messagePage({ lang, title: t.stoppedTitle, paragraphs: [t.stoppedLead], branding }));
  }

  scope.get('/q/:token/stop', { config: { access: { kind: 'public' }, rateLimit: tokenRateLimit }, schema: { ...hide, params: tokenParams } }, async (request, reply) => {
    const link = await findLink(db, request.params.token);
    if (!link) return sendPage(reply, invalidLinkPage(languageFromHeader(request.headers['accept-language'])), 404);
    const { lang, branding } = await pageFor(link.orgId, link.assignment.clientId);
    return sendPage(reply, stopPage({ lang, branding, action: `/q/${encodeURIComponent(request.params.token)}/stop` }));
  });

  scope.post('/q/:token/stop', { config: { access: { kind: 'public' }, rateLimit: tokenRateLimit }, schema: { ...hide, params: tokenParams } }, async (request, reply) => {
    const link = await findLink(db, request.params.token);
    if (!link) return sendPage(reply, invalidLinkPage(languageFromHeader(request.headers['accept-language'])), 404);
    return stop(request, reply, { orgId: link.orgId, clientId: link.assignment.clientId, linkSessionId: null });
  });

  scope.get('/q/stop', { config: { access: { kind: 'link' } }, schema: { ...hide } }, async (request, reply) => {
    const p = request.principal;
    if (p.kind !== 'client_link') throw unauthorized();
    const { lang, branding } = await pageFor(p.orgId, p.clientId);
    return sendPage(reply, stopPage({ lang, branding, action: '/q/stop' }));
  });

  scope.post('/q/stop', { config: { access: { kind: 'link' } }, schema: { ...hide } }, async (request, reply) => {
    const p = request.principal;
    if (p.kind !== 'client_link') throw unauthorized();
    return stop(request, reply, { orgId: p.orgId, clientId: p.clientId, linkSessionId: p.linkSessionId });
  });
}
