import type { App, AppDeps } from '../../app';
import { staffOf, withAudit } from '../../access/access';
import { badRequest, notFound } from '../../errors';
import { createApiToken, findActiveApiToken, listApiTokens, revokeApiToken } from './api-tokens.queries';
import { presentApiToken } from './api-tokens.present';
import { MAX_TOKEN_LIFETIME_DAYS, apiTokenCreateBody, apiTokenCreatedView, apiTokenListView, apiTokenParams, apiTokenView } from './api-tokens.schema';

const tags = ['api-tokens'];
const admin = { kind: 'staff', roles: ['admin'] } as const;
const DAY_MS = 86_400_000;

/**
 * Resolves `Authorization: Bearer <token>` into the `api_token` principal, after the session
 * cookie hook. An unknown, expired or revoked token leaves the caller anonymous, so routes answer
 * 401; a staff route never accepts a token (its access rule wants a staff session).
 */
export function registerApiTokenPrincipal(app: App, deps: AppDeps): void {
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (!header) return;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return;
    const row = await findActiveApiToken(deps.db, match[1]!, deps.clock.now());
    if (!row) return;
    request.principal = { kind: 'api_token', orgId: row.orgId, tokenId: row.id, scopes: row.scopes };
  });
}

/** Admin API for integration tokens: create (secret shown once), list, revoke. */
export function registerApiTokenRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  app.post(
    '/api/v1/api-tokens',
    { config: { access: admin }, schema: { tags, body: apiTokenCreateBody, response: { 201: apiTokenCreatedView } } },
    async (request, reply) => {
      const p = staffOf(request);
      const now = clock.now();
      const expiresAt = new Date(request.body.expiresAt);
      if (expiresAt <= now) throw badRequest('The expiry must be in the future.', 'expiresAt', 'expiry_in_past');
      if (expiresAt.getTime() - now.getTime() > MAX_TOKEN_LIFETIME_DAYS * DAY_MS) {
        throw badRequest('A token may live at most one year.', 'expiresAt', 'expiry_too_far');
      }
      const created = await withAudit<Awaited<ReturnType<typeof createApiToken>>>(
        request,
        db,
        clock,
        (c) => ({ action: 'api_token.create', entityType: 'api_token', entityId: c.row.id }),
        (tx) => createApiToken(tx, { orgId: p.orgId, name: request.body.name, scopes: request.body.scopes, createdBy: p.userId, expiresAt, now }),
      );
      return reply.status(201).send({ ...presentApiToken(created.row, now), token: created.token });
    },
  );

  app.get('/api/v1/api-tokens', { config: { access: admin }, schema: { tags, response: { 200: apiTokenListView } } }, async (request) => {
    const p = staffOf(request);
    const now = clock.now();
    const rows = await withAudit(request, db, clock, { action: 'api_token.list', entityType: 'api_token' }, (tx) => listApiTokens(tx, p.orgId));
    return { items: rows.map((r) => presentApiToken(r, now)) };
  });

  app.post(
    '/api/v1/api-tokens/:tokenId/revoke',
    { config: { access: admin }, schema: { tags, params: apiTokenParams, response: { 200: apiTokenView } } },
    async (request) => {
      const p = staffOf(request);
      const now = clock.now();
      const row = await withAudit(
        request,
        db,
        clock,
        { action: 'api_token.revoke', entityType: 'api_token', entityId: request.params.tokenId },
        async (tx) => {
          const revoked = await revokeApiToken(tx, { orgId: p.orgId, tokenId: request.params.tokenId, now });
          if (!revoked) throw notFound('API token');
          return revoked;
        },
      );
      return presentApiToken(row, now);
    },
  );
}
