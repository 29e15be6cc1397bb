import { and, eq, isNull } from 'drizzle-orm';
import type { App, AppDeps } from '../app';
import type { Queryable } from '../db/database';
import { memberships, organisations, users } from '../db/schema';
import { badRequest, conflict, unauthorized } from '../errors';
import { recordAudit } from '../audit/audit.queries';
import { hashPassword, verifyPassword } from './passwords';
import { clearFailures, consumeUserToken, failureKeyOf, findUsableUserToken, findUser, recordFailure } from './auth.queries';
import { invitationAcceptBody, invitationDetailsBody, invitationDetailsView, newPassword } from './auth.schema';
import { assertNotLocked, FAILURE_WINDOW_MS } from './auth.routes';

const tags = ['auth'];
/** Both invitation routes take the emailed token, so both are held to the same per-IP limit. */
const invitationRateLimit = { max: 20, timeWindow: 60_000 };
const invalidToken = () => unauthorized('This invitation has expired or was already used. Ask your administrator for a new one.', 'invalid_token');

/** A usable invitation with the person it is for, or null. Does not use it up. */
async function findInvitation(db: Queryable, token: string, now: Date) {
  const invitation = await findUsableUserToken(db, token, 'invite', now);
  if (!invitation?.orgId) return null;
  const user = await findUser(db, invitation.userId);
  return user ? { invitation, orgId: invitation.orgId, user } : null;
}

/** The emailed invitation: what the accept screen needs to know, and accepting it. */
export function registerInvitationRoutes(app: App, deps: AppDeps): void {
  const { db, clock, secretKey } = deps;

  /**
   * What the accept screen shows: the inviting clinic's name and whether the person already has an
   * account (then they accept with its password, else they choose one). Only for the holder of a
   * usable token, which travels in the body (never the URL) like at accepting; anyone else gets the
   * same 401 as a spent or expired invitation, so it tells nothing without the token.
   */
  app.post(
    '/api/v1/auth/invitation/details',
    {
      config: { access: { kind: 'public' }, rateLimit: invitationRateLimit },
      schema: { tags, body: invitationDetailsBody, response: { 200: invitationDetailsView } },
    },
    async (request) => {
      const found = await findInvitation(db, request.body.token, clock.now());
      if (!found) throw invalidToken();
      const [org] = await db.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, found.orgId)).limit(1);
      if (!org) throw invalidToken();
      return { organisationName: org.name, existingAccount: found.user.passwordHash !== null };
    },
  );

  /**
   * Accepting an invitation. Someone new chooses their password here. Someone who already has an
   * account (they belong to another clinic) proves it is theirs with the password they sign in with,
   * which stays as it is: the invitation only adds the membership. A wrong password counts towards the
   * address's lock-out like a failed sign-in, and leaves the invitation usable.
   */
  app.post(
    '/api/v1/auth/invitation/accept',
    {
      config: { access: { kind: 'public' }, rateLimit: invitationRateLimit },
      schema: { tags, body: invitationAcceptBody },
    },
    async (request, reply) => {
      const now = clock.now();
      const { token, password } = request.body;
      const found = await findInvitation(db, token, now);
      if (!found) throw invalidToken();
      const { invitation, orgId, user } = found;
      let newPasswordHash: string | null = null;
      if (user.passwordHash) {
        const emailKey = failureKeyOf(secretKey, user.email);
        await assertNotLocked(db, emailKey, now);
        if (!(await verifyPassword(user.passwordHash, password))) {
          await recordFailure(db, emailKey, now, FAILURE_WINDOW_MS);
          await recordAudit(db, { orgId, actorKind: 'user', actorId: user.id, action: 'auth.invitation_accepted', entityType: 'user', entityId: user.id, requestId: request.id, outcome: 'failure', at: now });
          throw unauthorized(
            'This email address already has a Rapport account. Enter the password you sign in with: accepting keeps it as it is.',
            'invalid_credentials',
          );
        }
        await clearFailures(db, emailKey);
      } else {
        const chosen = newPassword.safeParse(password);
        if (!chosen.success) throw badRequest(chosen.error.issues[0]!.message, 'password', 'validation_failed');
        newPasswordHash = await hashPassword(password);
      }
      const done = await db.transaction(async (tx) => {
        const consumed = await consumeUserToken(tx, token, 'invite', now);
        if (!consumed || consumed.id !== invitation.id) return false;
        if (newPasswordHash) {
          // Only while the account still has no password: two invitations accepted at once set one.
          const set = await tx
            .update(users)
            .set({ passwordHash: newPasswordHash, passwordChangedAt: now })
            .where(and(eq(users.id, user.id), isNull(users.passwordHash)))
            .returning({ id: users.id });
          if (set.length === 0) throw conflict('Your account got its password a moment ago. Accept again with that password.', 'password_already_set', 'password');
        }
        // Joined: from now on the clinic sees the account's own name rather than the one its admin typed.
        await tx
          .update(memberships)
          .set({ status: 'active', invitedDisplayName: null })
          .where(and(eq(memberships.userId, user.id), eq(memberships.orgId, orgId), eq(memberships.status, 'invited')));
        await recordAudit(tx, { orgId, actorKind: 'user', actorId: user.id, action: 'auth.invitation_accepted', entityType: 'user', entityId: user.id, requestId: request.id, outcome: 'success', at: now });
        return true;
      });
      if (!done) throw invalidToken();
      return reply.status(204).send();
    },
  );
}
