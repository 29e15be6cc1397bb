import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App, AppDeps } from '../app';
import { recoveryCodes, users } from '../db/schema';
import { badRequest, conflict, unauthorized } from '../errors';
import { recordAudit } from '../audit/audit.queries';
import { decryptSecret, encryptSecret, hashToken } from '../lib/crypto';
import { clearFailures, failureKeyOf, findUser, recentFailures, recordFailure } from './auth.queries';
import { mfaConfirmBody, mfaVerifyBody } from './auth.schema';
import { FAILURE_WINDOW_MS, FAILURES_BEFORE_DELAY } from './auth.routes';
import { createSession, revokeSession } from './sessions.queries';
import { setSessionCookie } from './session-cookie';
import { newRecoveryCodes, newTotpSecret, totpUri, verifyTotp } from './totp';

/** TOTP enrolment, the second sign-in step, and recovery codes. */
export function registerMfaRoutes(app: App, deps: AppDeps): void {
  const { db, clock, config, secretKey } = deps;
  const policy = { idleMinutes: config.sessionIdleMinutes, absoluteHours: config.sessionAbsoluteHours };

  /** Rotates the session token when a sign-in is completed (new token, old one revoked). */
  async function upgradeSession(request: FastifyRequest, reply: FastifyReply) {
    const p = request.principal;
    if (p.kind !== 'staff') throw unauthorized();
    const now = clock.now();
    await revokeSession(db, p.sessionId, now);
    const { token } = await createSession(db, { userId: p.userId, orgId: p.orgId, stage: 'full', now, policy });
    setSessionCookie(reply, config, token);
  }

  app.post(
    '/api/v1/auth/mfa/enrol',
    {
      config: { access: { kind: 'session' } },
      schema: { tags: ['auth'], response: { 200: z.object({ secret: z.string(), otpauthUri: z.string() }) } },
    },
    async (request) => {
      const p = request.principal;
      if (p.kind !== 'staff' || p.stage === 'mfa') throw unauthorized();
      const user = await findUser(db, p.userId);
      if (!user) throw unauthorized();
      if (user.mfaEnabledAt) throw conflict('Two-step sign-in is already set up. An administrator can reset it.', 'mfa_already_enabled');
      const secret = newTotpSecret();
      await db.update(users).set({ mfaSecret: encryptSecret(secret, secretKey) }).where(eq(users.id, user.id));
      return { secret, otpauthUri: totpUri(secret, user.email) };
    },
  );

  app.post(
    '/api/v1/auth/mfa/enrol/confirm',
    {
      config: { access: { kind: 'session' }, rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: { tags: ['auth'], body: mfaConfirmBody, response: { 200: z.object({ recoveryCodes: z.array(z.string()) }) } },
    },
    async (request, reply) => {
      const p = request.principal;
      if (p.kind !== 'staff' || p.stage === 'mfa') throw unauthorized();
      const now = clock.now();
      const user = await findUser(db, p.userId);
      if (!user?.mfaSecret || user.mfaEnabledAt) throw conflict('Start setting up two-step sign-in first.', 'mfa_not_started');
      const step = await verifyTotp(decryptSecret(user.mfaSecret, secretKey), request.body.code, now);
      if (step === null) {
        throw badRequest('That code is not right. Check the time on your phone and try the newest code.', 'code', 'invalid_code');
      }
      const codes = newRecoveryCodes();
      await db.transaction(async (tx) => {
        await tx.update(users).set({ mfaEnabledAt: now, mfaLastStep: step }).where(eq(users.id, user.id));
        await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
        await tx.insert(recoveryCodes).values(codes.map((c) => ({ userId: user.id, codeHash: hashToken(c) })));
        await recordAudit(tx, { orgId: p.orgId, actorKind: 'user', actorId: p.userId, action: 'auth.mfa_enrolled', entityType: 'user', entityId: p.userId, requestId: request.id, outcome: 'success', at: now });
      });
      if (p.stage !== 'full') await upgradeSession(request, reply);
      return { recoveryCodes: codes };
    },
  );

  app.post(
    '/api/v1/auth/mfa/verify',
    {
      config: { access: { kind: 'session' }, rateLimit: { max: 20, timeWindow: 60_000 } },
      schema: { tags: ['auth'], body: mfaVerifyBody, response: { 200: z.object({ stage: z.literal('full') }) } },
    },
    async (request, reply) => {
      const p = request.principal;
      if (p.kind !== 'staff' || p.stage !== 'mfa') throw unauthorized('There is no sign-in waiting for a code.', 'no_mfa_pending');
      const now = clock.now();
      const user = await findUser(db, p.userId);
      if (!user?.mfaSecret) throw unauthorized();
      // Wrong codes count towards the same lock-out as wrong passwords for the address.
      const emailKey = failureKeyOf(secretKey, user.email);
      const failures = await recentFailures(db, emailKey, new Date(now.getTime() - FAILURE_WINDOW_MS));
      if (failures.count >= FAILURES_BEFORE_DELAY) {
        await revokeSession(db, p.sessionId, now);
        throw unauthorized('Too many wrong codes. Sign in again in a few minutes.', 'account_locked');
      }
      let ok = false;
      if ('code' in request.body) {
        const step = await verifyTotp(decryptSecret(user.mfaSecret, secretKey), request.body.code, now);
        // Each code is good once (RFC 6238 §5.2): claim its time step, so a code seen over a
        // shoulder or replayed from a log is refused, even by two requests racing with it.
        ok = step !== null && (await claimTotpStep(db, user.id, step));
      } else {
        const used = await db
          .update(recoveryCodes)
          .set({ usedAt: now })
          .where(and(eq(recoveryCodes.userId, user.id), eq(recoveryCodes.codeHash, hashToken(request.body.recoveryCode.trim().toLowerCase())), isNull(recoveryCodes.usedAt)))
          .returning({ id: recoveryCodes.id });
        ok = used.length === 1;
      }
      await recordAudit(db, { orgId: p.orgId, actorKind: 'user', actorId: p.userId, action: 'code' in request.body ? 'auth.mfa_verify' : 'auth.recovery_code', requestId: request.id, outcome: ok ? 'success' : 'failure', at: now });
      if (!ok) {
        await recordFailure(db, emailKey, now, FAILURE_WINDOW_MS);
        throw unauthorized('That code is not right.', 'invalid_code');
      }
      await clearFailures(db, emailKey);
      await upgradeSession(request, reply);
      return { stage: 'full' as const };
    },
  );
}

/** Records `step` as the user's last accepted TOTP step unless that step (or a later one) was already used. */
async function claimTotpStep(db: AppDeps['db'], userId: string, step: number): Promise<boolean> {
  const claimed = await db
    .update(users)
    .set({ mfaLastStep: step })
    .where(and(eq(users.id, userId), or(isNull(users.mfaLastStep), lt(users.mfaLastStep, step))))
    .returning({ id: users.id });
  return claimed.length === 1;
}
