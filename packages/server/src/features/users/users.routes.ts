import { z } from 'zod';
import type { App, AppDeps } from '../../app';
import { staffOf, withAudit } from '../../access/access';
import { badRequest, conflict, notFound, unavailable } from '../../errors';
import { issueUserToken } from '../../auth/auth.queries';
import { getOrganisation } from '../organisations/organisations.queries';
import { getStaffMember, getUrgentSmsSettings, inviteStaff, isOnCallSupervisor, listStaff, lockActiveAdminIds, setUrgentSmsSettings, setUserLocale, updateMembership, withdrawInvitations } from './users.queries';
import { presentMeSettings, presentStaffMember } from './users.present';
import { inviteBody, meSettingsBody, meSettingsView, staffListQuery, staffMemberView, userIdParams, userUpdateBody } from './users.schema';
import { invitationEmail, INVITATION_VALID_MS } from './users.mail';
import { registerUserAccountRoutes } from './user-account.routes';

const tags = ['users'];
const adminOnly = { access: { kind: 'staff', roles: ['admin'] } } as const;

/** The organisation's staff: list, invite, change role and experience; and each person's own settings. */
export function registerUserRoutes(app: App, deps: AppDeps): void {
  const { db, clock, config, mailer } = deps;
  const smsAvailable = deps.sms !== null;

  app.get(
    '/api/v1/users',
    {
      config: { access: { kind: 'staff', roles: ['admin', 'supervisor'] } },
      schema: { tags, querystring: staffListQuery, response: { 200: z.object({ items: z.array(staffMemberView) }) } },
    },
    async (request) => {
      const p = staffOf(request);
      const rows = await withAudit(request, db, clock, { action: 'users.list', entityType: 'user' }, (tx) => listStaff(tx, p.orgId, request.query.status));
      return { items: rows.map(presentStaffMember) };
    },
  );

  app.post(
    '/api/v1/users/invite',
    { config: adminOnly, schema: { tags, body: inviteBody, response: { 201: staffMemberView } } },
    async (request, reply) => {
      const p = staffOf(request);
      const now = clock.now();
      const { member, token, organisationName, existingAccount } = await withAudit(
        request,
        db,
        clock,
        (result: { member: { id: string } }) => ({ action: 'user.invite', entityType: 'user', entityId: result.member.id }),
        async (tx) => {
          const invited = await inviteStaff(tx, { orgId: p.orgId, ...request.body, now });
          if (!invited) throw conflict('This person already belongs to this clinic; reactivate them if they were deactivated.', 'already_member', 'email');
          // A resend replaces the earlier link: only the newest invitation email can be used.
          await withdrawInvitations(tx, p.orgId, invited.userId, now);
          const inviteToken = await issueUserToken(tx, { userId: invited.userId, orgId: p.orgId, kind: 'invite', now, validForMs: INVITATION_VALID_MS });
          const org = await getOrganisation(tx, p.orgId);
          return { member: (await getStaffMember(tx, p.orgId, invited.userId))!, token: inviteToken, organisationName: org!.name, existingAccount: invited.hasPassword };
        },
      );
      try {
        await mailer.send(invitationEmail(config.publicUrl, member.email, organisationName, token, { existingAccount }));
      } catch {
        throw unavailable('The invitation was saved but its email could not be sent. Invite them again to retry.', 'mail_failed');
      }
      return reply.status(201).send(presentStaffMember(member));
    },
  );

  app.patch(
    '/api/v1/users/:userId',
    { config: adminOnly, schema: { tags, params: userIdParams, body: userUpdateBody, response: { 200: staffMemberView } } },
    async (request) => {
      const p = staffOf(request);
      const { userId } = request.params;
      const member = await withAudit(request, db, clock, { action: 'user.update', entityType: 'user', entityId: userId }, async (tx) => {
        const admins = await lockActiveAdminIds(tx, p.orgId);
        const current = await getStaffMember(tx, p.orgId, userId, { lock: true });
        if (!current) throw notFound('user');
        const { role } = request.body;
        if (role && role !== 'admin' && admins.length === 1 && admins[0] === userId) {
          throw conflict('A clinic needs at least one active admin. Make someone else an admin first.', 'last_admin', 'role');
        }
        if (role === 'clinician' && (await isOnCallSupervisor(tx, p.orgId, userId))) {
          throw conflict('This person is the on-call supervisor. Choose another on-call supervisor first.', 'on_call_supervisor', 'role');
        }
        await updateMembership(tx, p.orgId, userId, request.body);
        return (await getStaffMember(tx, p.orgId, userId))!;
      });
      return presentStaffMember(member);
    },
  );

  app.get(
    '/api/v1/me/settings',
    { config: { access: { kind: 'staff' } }, schema: { tags, response: { 200: meSettingsView } } },
    async (request) => {
      const p = staffOf(request);
      const member = await getStaffMember(db, p.orgId, p.userId);
      if (!member) throw notFound('user');
      return presentMeSettings(member, await getUrgentSmsSettings(db, p.userId), smsAvailable);
    },
  );

  app.patch(
    '/api/v1/me/settings',
    { config: { access: { kind: 'staff' } }, schema: { tags, body: meSettingsBody, response: { 200: meSettingsView } } },
    async (request) => {
      const p = staffOf(request);
      const { locale, calibrationConsent, alertMobile, smsUrgentAlerts } = request.body;
      // The audit event names the user only: never the number (staff personal data).
      const { member, sms } = await withAudit(request, db, clock, { action: 'user.settings.update', entityType: 'user', entityId: p.userId }, async (tx) => {
        if (locale) await setUserLocale(tx, p.userId, locale);
        if (calibrationConsent !== undefined) await updateMembership(tx, p.orgId, p.userId, { calibrationConsent });
        if (alertMobile !== undefined || smsUrgentAlerts !== undefined) {
          const current = await getUrgentSmsSettings(tx, p.userId, { lock: true });
          const mobile = alertMobile === undefined ? current.alertMobile : alertMobile;
          const consent = smsUrgentAlerts ?? current.smsUrgentAlerts;
          if (consent && !mobile) throw badRequest('Enter your mobile number to be texted about urgent items.', 'alertMobile', 'alert_mobile_required');
          const setAt = consent === current.smsUrgentAlerts ? current.smsUrgentAlertsSetAt : clock.now();
          await setUrgentSmsSettings(tx, p.userId, { alertMobile: mobile, smsUrgentAlerts: consent, smsUrgentAlertsSetAt: setAt });
        }
        return { member: (await getStaffMember(tx, p.orgId, p.userId))!, sms: await getUrgentSmsSettings(tx, p.userId) };
      });
      return presentMeSettings(member, sms, smsAvailable);
    },
  );

  registerUserAccountRoutes(app, deps);
}

