import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { App, AppDeps } from '../app';
import type { Queryable } from '../db/database';
import { users } from '../db/schema';
import { tooManyRequests, unauthorized } from '../errors';
import { recordAudit } from '../audit/audit.queries';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords';
import {
  activeMemberships,
  clearFailures,
  consumeUserToken,
  failureKeyOf,
  findUser,
  findUserByEmail,
  issueUserToken,
  recentFailures,
  recordFailure,
  voidUserTokens,
} from './auth.queries';
import { meResponse, passwordResetRequestBody, signInBody, tokenPasswordBody } from './auth.schema';
import { createSession, revokeSession, revokeUserSessions, type SessionStage } from './sessions.queries';
import { clearSessionCookie, setSessionCookie } from './session-cookie';

/**
 * Lock-out: at most 10 failures per 15 minutes for one email address, then a wait that doubles with
 * each failure. Counted per address whether or not it has an account, so that the answers (status,
 * code, message, Retry-After) and the work done (the same queries, one argon2 verification) are the
 * same for both, and neither sign-in nor its lock-out tells which addresses have an account.
 */
export const FAILURE_WINDOW_MS = 15 * 60_000;
export const FAILURES_BEFORE_DELAY = 10;
export function lockoutDelayMs(failures: number): number {
  if (failures < FAILURES_BEFORE_DELAY) return 0;
  return Math.min(60_000 * 2 ** (failures - FAILURES_BEFORE_DELAY), FAILURE_WINDOW_MS);
}

/** Throws 429 while the address is in its lock-out delay (sign-in, and accepting an invitation with an existing account). */
export async function assertNotLocked(db: Queryable, emailKey: string, now: Date): Promise<void> {
  const failures = await recentFailures(db, emailKey, new Date(now.getTime() - FAILURE_WINDOW_MS));
  const delay = lockoutDelayMs(failures.count);
  if (delay > 0 && failures.last && failures.last.getTime() + delay > now.getTime()) {
    const wait = (failures.last.getTime() + delay - now.getTime()) / 1000;
    throw tooManyRequests('Too many failed sign-ins. Wait a little and try again, or reset your password.', wait, 'account_locked');
  }
}

export const PASSWORD_RESET_VALID_MS = 30 * 60_000;
const signInRateLimit = { max: 60, timeWindow: 60_000 };
/** Stands in for the user id of an address without an account, so its sign-in runs the same queries. */
const NO_USER = '00000000-0000-0000-0000-000000000000';

export function registerAuthRoutes(app: App, deps: AppDeps): void {
  const { db, clock, config, mailer, secretKey } = deps;
  const policy = { idleMinutes: config.sessionIdleMinutes, absoluteHours: config.sessionAbsoluteHours };
  // Made now, so the first sign-in with an unknown address does not take a hash longer than others.
  void dummyPasswordHash();

  app.post(
    '/api/v1/auth/sign-in',
    {
      config: { access: { kind: 'public' }, rateLimit: signInRateLimit },
      schema: { tags: ['auth'], body: signInBody, response: { 200: z.object({ stage: z.enum(['full', 'mfa', 'enrol']) }) } },
    },
    async (request, reply) => {
      const now = clock.now();
      const { email, password, organisationId } = request.body;
      const emailKey = failureKeyOf(secretKey, email);
      const user = await findUserByEmail(db, email);
      const audit = (orgId: string | null, outcome: 'success' | 'failure', actorId: string | null) =>
        recordAudit(db, { orgId, actorKind: actorId ? 'user' : 'anonymous', actorId, action: 'auth.sign_in', requestId: request.id, outcome, at: now });
      // From here to the answer, an address without an account (or without a password yet) takes the
      // same path as a wrong password: the lock-out, the membership query, one argon2 verification
      // (against a dummy hash), the failure recorded, the same 401.
      await assertNotLocked(db, emailKey, now);
      const memberOf = await activeMemberships(db, user?.id ?? NO_USER);
      const membership = organisationId ? memberOf.find((m) => m.orgId === organisationId) : memberOf[0];
      const passwordMatches = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
      if (!user?.passwordHash || !passwordMatches || !membership) {
        await recordFailure(db, emailKey, now, FAILURE_WINDOW_MS);
        await audit(user ? (membership?.orgId ?? null) : null, 'failure', user?.id ?? null);
        throw unauthorized('That email and password do not match.', 'invalid_credentials');
      }
      await clearFailures(db, emailKey);
      const stage: SessionStage = user.mfaEnabledAt ? 'mfa' : membership.settings.mfaRequired ? 'enrol' : 'full';
      if (request.principal.kind === 'staff') await revokeSession(db, request.principal.sessionId, now);
      const { token } = await createSession(db, { userId: user.id, orgId: membership.orgId, stage, now, policy });
      await audit(membership.orgId, 'success', user.id);
      setSessionCookie(reply, config, token);
      return { stage };
    },
  );

  app.post(
    '/api/v1/auth/sign-out',
    { config: { access: { kind: 'session' } }, schema: { tags: ['auth'] } },
    async (request, reply) => {
      if (request.principal.kind === 'staff') {
        await revokeSession(db, request.principal.sessionId, clock.now());
        await recordAudit(db, {
          orgId: request.principal.orgId,
          actorKind: 'user',
          actorId: request.principal.userId,
          action: 'auth.sign_out',
          requestId: request.id,
          outcome: 'success',
          at: clock.now(),
        });
      }
      clearSessionCookie(reply, config);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/me',
    { config: { access: { kind: 'session' } }, schema: { tags: ['auth'], response: { 200: meResponse } } },
    async (request) => {
      const p = request.principal;
      if (p.kind !== 'staff') throw unauthorized();
      const user = await findUser(db, p.userId);
      const memberOf = await activeMemberships(db, p.userId);
      const current = memberOf.find((m) => m.orgId === p.orgId);
      if (!user || !current) throw unauthorized();
      return {
        user: { id: user.id, email: user.email, displayName: user.displayName, mfaEnabled: !!user.mfaEnabledAt, locale: user.locale },
        organisation: { id: current.orgId, name: current.name },
        role: p.role,
        stage: p.stage,
        organisations: memberOf.map((m) => ({ id: m.orgId, name: m.name, role: m.role })),
      };
    },
  );

  app.post(
    '/api/v1/auth/password-reset',
    {
      config: { access: { kind: 'public' }, rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: { tags: ['auth'], body: passwordResetRequestBody },
    },
    async (request, reply) => {
      const now = clock.now();
      const user = await findUserByEmail(db, request.body.email);
      // Same answer whether or not the address is known.
      if (user && (await activeMemberships(db, user.id)).length > 0) {
        const token = await issueUserToken(db, { userId: user.id, kind: 'password_reset', now, validForMs: PASSWORD_RESET_VALID_MS });
        // Not awaited: waiting for the mail server would make a known address answer slower than an
        // unknown one, and a mail failure would turn into a 500 only known addresses can get.
        mailer
          .send({
            to: user.email,
            subject: 'Reset your Rapport password',
            text: `Someone asked to reset the password for this address on Rapport.\n\nTo choose a new password, open this link within 30 minutes:\n${config.publicUrl}/reset-password#token=${token}\n\nIf it was not you, ignore this message: your password stays as it is.`,
          })
          .catch((error: Error & { code?: string }) => request.log.warn({ err: { type: error.name, code: error.code } }, 'password reset email not sent'));
        await recordAudit(db, { orgId: null, actorKind: 'anonymous', actorId: null, action: 'auth.password_reset_requested', entityType: 'user', entityId: user.id, requestId: request.id, outcome: 'success', at: now });
      }
      return reply.status(202).send({ message: 'If that address has an account, a reset link is on its way.' });
    },
  );

  app.post(
    '/api/v1/auth/password-reset/complete',
    {
      config: { access: { kind: 'public' }, rateLimit: { max: 20, timeWindow: 60_000 } },
      schema: { tags: ['auth'], body: tokenPasswordBody },
    },
    async (request, reply) => {
      const now = clock.now();
      const passwordHash = await hashPassword(request.body.password);
      const done = await db.transaction(async (tx) => {
        const token = await consumeUserToken(tx, request.body.token, 'password_reset', now);
        if (!token) return false;
        await tx.update(users).set({ passwordHash, passwordChangedAt: now }).where(eq(users.id, token.userId));
        await revokeUserSessions(tx, token.userId, now);
        await voidUserTokens(tx, token.userId, 'password_reset', now);
        const user = await findUser(tx, token.userId);
        if (user) await clearFailures(tx, failureKeyOf(secretKey, user.email));
        await recordAudit(tx, { orgId: null, actorKind: 'user', actorId: token.userId, action: 'auth.password_reset', entityType: 'user', entityId: token.userId, requestId: request.id, outcome: 'success', at: now });
        return true;
      });
      if (!done) throw unauthorized('This reset link has expired or was already used. Ask for a new one.', 'invalid_token');
      return reply.status(204).send();
    },
  );
}
