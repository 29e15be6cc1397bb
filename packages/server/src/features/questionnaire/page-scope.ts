import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { App } from '../../app';
import { AppError, handleError } from '../../errors';
import { invalidLinkPage, messagePage } from './questionnaire.pages';
import { languageFromHeader, textFor } from './questionnaire.text';

/** Whether the caller speaks JSON (the page script, integrators) rather than a browser form. */
export function wantsJson(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  const accept = request.headers.accept ?? '';
  return type.startsWith('application/json') || (accept.includes('application/json') && !accept.includes('text/html'));
}

/** Sends an HTML page that must not be cached or indexed. */
export function sendPage(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}

/**
 * Errors on the client pages: JSON for the script, a friendly page for a browser. An ended
 * session, an unknown link and an expired questionnaire all show the same "this link does not
 * work" page (401, 404 or 410), never a stack of JSON.
 */
function handlePageError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  if (wantsJson(request) || !(error instanceof AppError || (error as { statusCode?: number }).statusCode === 429)) return handleError(error, request, reply);
  const lang = languageFromHeader(request.headers['accept-language']);
  const { t } = textFor(lang);
  const status = error instanceof AppError ? error.status : 429;
  if (error instanceof AppError && error.headers) reply.headers(error.headers);
  if (error instanceof AppError && error.code === 'kiosk_required') return sendPage(reply, messagePage({ lang, title: t.kioskUnavailableTitle, paragraphs: [t.kioskUnavailable] }), status);
  if (status === 401 || status === 404 || status === 410) return sendPage(reply, invalidLinkPage(lang), status);
  const message = error instanceof AppError ? error.message : 'Too many requests. Please wait a moment and try again.';
  return sendPage(reply, messagePage({ lang, title: t.invalidTitle, paragraphs: [message] }), status);
}

/**
 * Registers client-page routes in their own encapsulated scope: HTML form bodies are parsed only
 * here (the JSON API never accepts them), and errors become pages. Root hooks (principal, access,
 * cross-origin check, request log) still apply.
 */
export function registerPageScope(app: App, routes: (scope: App) => void): void {
  void app.register(async (instance) => {
    const scope = instance.withTypeProvider<ZodTypeProvider>() as unknown as App;
    await scope.register(formbody, { bodyLimit: 64 * 1024 });
    scope.setErrorHandler(handlePageError);
    routes(scope);
  });
}
