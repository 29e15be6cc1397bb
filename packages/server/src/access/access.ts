import { and, eq, isNull, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Db, Tx } from '../db/database';
import { careTeamMembers, clients, type ApiTokenScope, type Role } from '../db/schema';
import { forbidden, notFound, unauthorized } from '../errors';
import { recordAudit, type AuditEventInput } from '../audit/audit.queries';
import type { Clock } from '../lib/clock';
import type { StaffPrincipal } from './principal';

/**
 * Who may call a route. Every route declares one (`config: { access }`); the checks below run for
 * every request in one hook, so no handler re-implements them.
 * - `public`: anyone (rate limited where it matters).
 * - `session`: any signed-in session, even one with a second factor outstanding (MFA steps, sign-out).
 * - `staff`: a fully signed-in staff member, optionally of the given roles.
 * - `client`: like staff, and the route's `:clientId` must be a client this person may see: any
 *   client of their organisation for supervisors and admins, clients on their care teams for
 *   clinicians. Anything else, including another organisation's client, is a 404.
 * - `api`: an organisation's API token (`Authorization: Bearer`) holding `scope`; the route itself
 *   keeps to the token's organisation (FHIR, `features/fhir`). Staff sessions are refused there.
 */
export type Access =
  | { kind: 'public' }
  | { kind: 'session' }
  | { kind: 'staff'; roles?: readonly Role[] }
  | { kind: 'client'; roles?: readonly Role[] }
  | { kind: 'link' }
  | { kind: 'kiosk' }
  | { kind: 'api'; scope: ApiTokenScope };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Supervisors and admins see their whole organisation; clinicians only their care teams. */
export function seesWholeOrganisation(role: Role): boolean {
  return role === 'admin' || role === 'supervisor';
}

export async function canSeeClient(db: Db | Tx, principal: StaffPrincipal, clientId: string): Promise<boolean> {
  return (await clientVisibility(db, principal, clientId)) === 'visible';
}

/**
 * `visible`, `hidden` (a client of the caller's organisation they may not see: audited against that
 * client, so it shows in the client's access history) or `absent` (no such client in their
 * organisation, another organisation's included; an erased client's tombstone is absent).
 */
async function clientVisibility(db: Db | Tx, principal: StaffPrincipal, clientId: string): Promise<'visible' | 'hidden' | 'absent'> {
  if (!UUID.test(clientId)) return 'absent';
  const [row] = await db
    .select({
      id: clients.id,
      onTeam: sql<boolean>`exists (select 1 from ${careTeamMembers} where ${careTeamMembers.clientId} = ${clients.id} and ${careTeamMembers.userId} = ${principal.userId})`,
    })
    .from(clients)
    .where(and(eq(clients.id, clientId), eq(clients.orgId, principal.orgId), isNull(clients.erasedAt)))
    .limit(1);
  if (!row) return 'absent';
  return seesWholeOrganisation(principal.role) || row.onTeam ? 'visible' : 'hidden';
}

/** The access check for one request; throws the error the caller must see. */
export async function authorizeRequest(request: FastifyRequest, db: Db, clock: Clock): Promise<void> {
  // No route matched: the not-found handler answers 404 (it has no access rule, nothing to protect).
  if (request.is404) return;
  const access = request.routeOptions.config.access;
  if (!access) throw forbidden('This route has no access rule.', 'no_access_rule');
  if (access.kind === 'public') return;
  const principal = request.principal;
  if (access.kind === 'link') {
    if (principal.kind !== 'client_link') throw unauthorized('This questionnaire session has ended. Open the link from your message again.', 'link_session_required');
    return;
  }
  if (access.kind === 'kiosk') {
    if (principal.kind !== 'kiosk') throw unauthorized('This device is not set up as a kiosk, or it is locked.', 'kiosk_required');
    return;
  }
  if (access.kind === 'api') {
    if (principal.kind !== 'api_token') throw unauthorized('A valid API token is required (Authorization: Bearer <token>).', 'api_token_required');
    if (!principal.scopes.includes(access.scope)) throw forbidden(`This API token lacks the ${access.scope} scope.`, 'insufficient_scope');
    return;
  }
  if (principal.kind !== 'staff') throw unauthorized();
  if (access.kind === 'session') return;
  if (principal.stage === 'mfa') throw unauthorized('Enter the code from your authenticator app to finish signing in.', 'mfa_required');
  if (principal.stage === 'enrol') throw unauthorized('Set up two-step sign-in to continue.', 'mfa_enrolment_required');
  if (access.roles && !access.roles.includes(principal.role)) throw forbidden();
  if (access.kind === 'client') {
    const clientId = (request.params as Record<string, string | undefined>).clientId ?? '';
    const visibility = await clientVisibility(db, principal, clientId);
    if (visibility !== 'visible') {
      const event = {
        action: `${request.routeOptions.method} ${request.routeOptions.url}`,
        clientId: visibility === 'hidden' ? clientId : null,
        entityType: 'client',
        // Only a well-formed id is kept: whatever else was typed into the address (a name, say)
        // must not end up in the append-only trail.
        entityId: UUID.test(clientId) ? clientId : null,
      };
      await recordAudit(db, auditEventOf(request, clock, event, { outcome: 'denied' }));
      throw notFound('client');
    }
  }
}

/** The signed-in staff member of a request that passed a `staff` or `client` access rule. */
export function staffOf(request: FastifyRequest): StaffPrincipal {
  const p = request.principal;
  if (p.kind !== 'staff') throw unauthorized();
  return p;
}

/** What an audit event says was done: the action and the ids it touched (ids only: never names or contents). */
export type AuditDescription = { action: string; clientId?: string | null; entityType?: string; entityId?: string | null };

/** Who an audit event names as its actor, and the organisation it is recorded in. */
export type AuditActor = { kind: AuditEventInput['actorKind']; id: string | null; orgId: string };

/**
 * The actor of a request, from its principal: a staff member (`user`, their user id), a client's
 * link session (`client_link`, the link session's id), a kiosk device (`kiosk`, the device's id) or
 * an API token (`api_token`, the token's id). An anonymous request has none: unauthorized.
 */
function actorOf(request: FastifyRequest): AuditActor {
  const p = request.principal;
  switch (p.kind) {
    case 'staff':
      return { kind: 'user', id: p.userId, orgId: p.orgId };
    case 'client_link':
      return { kind: 'client_link', id: p.linkSessionId, orgId: p.orgId };
    case 'kiosk':
      return { kind: 'kiosk', id: p.deviceId, orgId: p.orgId };
    case 'api_token':
      return { kind: 'api_token', id: p.tokenId, orgId: p.orgId };
    case 'anonymous':
      throw unauthorized();
  }
}

/**
 * The audit event of a request, its actor taken from the request's principal (see {@link actorOf})
 * unless `actor` names one; `outcome` is `success` unless given (`denied` for a refused request).
 * For work that writes the event itself: a hot read that inserts its own event in the same
 * statement instead of going through {@link withAudit} (see `auditEventCte`), or a client's submit
 * that writes it with the submission.
 */
export function auditEventOf(
  request: FastifyRequest,
  clock: Clock,
  e: AuditDescription,
  options: { outcome?: AuditEventInput['outcome']; actor?: AuditActor } = {},
): AuditEventInput {
  const actor = options.actor ?? actorOf(request);
  return {
    orgId: actor.orgId,
    actorKind: actor.kind,
    actorId: actor.id,
    action: e.action,
    clientId: e.clientId ?? null,
    entityType: e.entityType ?? null,
    entityId: e.entityId ?? null,
    requestId: request.id,
    outcome: options.outcome ?? 'success',
    at: clock.now(),
  };
}

/**
 * Runs `work` in one transaction with the audit event for it, so a read or write of a client's
 * data and its audit record commit together or not at all. The actor is the request's principal
 * (staff member, link session, kiosk device or API token; see {@link auditEventOf}), settled before
 * any work is done. The description may depend on the result (the client a response belongs to,
 * the id of what was created). Token routes, where no session exists yet, pass `actor` explicitly
 * (its id may come from the work's result: the session the work just started).
 */
export async function withAudit<T>(
  request: FastifyRequest,
  db: Db,
  clock: Clock,
  event: AuditDescription | ((result: T) => AuditDescription),
  work: (tx: Tx) => Promise<T>,
  actor?: Omit<AuditActor, 'id'> & { id: string | null | ((result: T) => string | null) },
): Promise<T> {
  const who = actor ?? actorOf(request);
  return db.transaction(async (tx) => {
    const result = await work(tx);
    const e = typeof event === 'function' ? event(result) : event;
    const id = typeof who.id === 'function' ? who.id(result) : who.id;
    await recordAudit(tx, auditEventOf(request, clock, e, { actor: { ...who, id } }));
    return result;
  });
}
