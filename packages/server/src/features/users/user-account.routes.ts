import type { FastifyRequest } from 'fastify';
import type { App, AppDeps } from '../../app';
import { staffOf, withAudit } from '../../access/access';
import type { StaffPrincipal } from '../../access/principal';
import { conflict, notFound, unavailable } from '../../errors';
import type { Tx } from '../../db/database';
import { issueUserToken } from '../../auth/auth.queries';
import { passwordResetEmail } from '../../auth/auth.mail';
import { PASSWORD_RESET_VALID_MS } from '../../auth/auth.routes';
import { revokeUserSessions } from '../../auth/sessions.queries';
import { clearMfa, getStaffMember, isOnCallSupervisor, lockActiveAdminIds, setMembershipStatus, withdrawInvitations, type StaffMemberRow } from './users.queries';
import { presentStaffMember } from './users.present';
import { staffMemberView, userIdParams } from './users.schema';

const tags = ['users'];
const adminOnly = { access: { kind: 'staff', roles: ['admin'] } } as const;
const schema = { tags, params: userIdParams, response: { 200: staffMemberView } };

type AccountAction = (tx: Tx, member: StaffMemberRow, by: StaffPrincipal, now: Date) => Promise<void>;

/** An admin's actions on a person's account in their organisation: (de)activation, MFA reset, password reset. */
export function registerUserAccountRoutes(app: App, deps: AppDeps): void {
  const { db, clock, config, mailer } = deps;

  /** One audited action on a member of the caller's organisation; anyone else is a 404. */
  async function actOnMember(request: FastifyRequest, userId: string, action: string, work: AccountAction): Promise<StaffMemberRow> {
    const p = staffOf(request);
    const now = clock.now();
    return withAudit(request, db, clock, { action, entityType: 'user', entityId: userId }, async (tx) => {
      const member = await getStaffMember(tx, p.orgId, userId, { lock: true });
      if (!member) throw notFound('user');
      await work(tx, member, p, now);
      return (await getStaffMember(tx, p.orgId, userId))!;
    });
  }

  app.post('/api/v1/users/:userId/deactivate', { config: adminOnly, schema }, async (request) => {
    const member = await actOnMember(request, request.params.userId, 'user.deactivate', async (tx, m, by, now) => {
      if (m.id === by.userId) throw conflict('You cannot deactivate yourself. Ask another admin.', 'cannot_deactivate_self');
      if (m.status === 'deactivated') throw conflict('This person is already deactivated.', 'already_deactivated');
      const admins = await lockActiveAdminIds(tx, by.orgId);
      if (m.role === 'admin' && m.status === 'active' && admins.length <= 1) {
        throw conflict('A clinic needs at least one active admin.', 'last_admin');
      }
      if (await isOnCallSupervisor(tx, by.orgId, m.id)) {
        throw conflict('This person is the on-call supervisor. Choose another on-call supervisor first.', 'on_call_supervisor');
      }
      await setMembershipStatus(tx, by.orgId, m.id, 'deactivated', now);
      await withdrawInvitations(tx, by.orgId, m.id, now);
      await revokeUserSessions(tx, m.id, now, by.orgId);
    });
    return presentStaffMember(member);
  });

  app.post('/api/v1/users/:userId/reactivate', { config: adminOnly, schema }, async (request) => {
    const member = await actOnMember(request, request.params.userId, 'user.reactivate', async (tx, m, by, now) => {
      if (m.status !== 'deactivated') throw conflict('This person is not deactivated.', 'not_deactivated');
      // Reactivating a withdrawn invitation would make them a member without their consent.
      if (!m.hasJoined) throw conflict('This person never accepted their invitation. Invite them again instead.', 'not_joined');
      await setMembershipStatus(tx, by.orgId, m.id, 'active', now);
    });
    return presentStaffMember(member);
  });

  app.post('/api/v1/users/:userId/mfa-reset', { config: adminOnly, schema }, async (request) => {
    // Every session ends, in every organisation: they were opened with the factor now withdrawn.
    const member = await actOnMember(request, request.params.userId, 'user.mfa_reset', async (tx, m, _by, now) => {
      // Before they accept, the account (perhaps someone's at another clinic) is not this clinic's to change.
      if (!m.hasJoined) throw conflict('This person has not accepted their invitation yet, so there is no MFA here to reset.', 'not_joined');
      await clearMfa(tx, m.id);
      await revokeUserSessions(tx, m.id, now);
    });
    return presentStaffMember(member);
  });

  app.post('/api/v1/users/:userId/password-reset', { config: adminOnly, schema }, async (request) => {
    let token = '';
    const member = await actOnMember(request, request.params.userId, 'user.password_reset_sent', async (tx, m, _by, now) => {
      if (m.status !== 'active') throw conflict('Only an active member can be sent a password reset; invite or reactivate them first.', 'not_active');
      token = await issueUserToken(tx, { userId: m.id, kind: 'password_reset', now, validForMs: PASSWORD_RESET_VALID_MS });
    });
    try {
      await mailer.send(passwordResetEmail(config.publicUrl, member.email, token));
    } catch {
      throw unavailable('The reset email could not be sent. Try again in a moment.', 'mail_failed');
    }
    return presentStaffMember(member);
  });
}
