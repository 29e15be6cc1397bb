import type { App, AppDeps } from '../../app';
import { staffOf, withAudit } from '../../access/access';
import { badRequest, notFound } from '../../errors';
import { getOrganisation, getOrganisationForUpdate, isActiveMemberWithRole, updateOrganisation } from './organisations.queries';
import { presentOrganisation } from './organisations.present';
import { defaultOrganisationSettings, organisationSettingsSchema, organisationUpdateBody, organisationView } from './organisations.schema';

const tags = ['organisation'];

/** The caller's organisation: everyone reads it (crisis resources, time zone); admins change it. */
export function registerOrganisationRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  app.get(
    '/api/v1/organisation',
    { config: { access: { kind: 'staff' } }, schema: { tags, response: { 200: organisationView } } },
    async (request) => {
      const org = await getOrganisation(db, staffOf(request).orgId);
      if (!org) throw notFound('organisation');
      return presentOrganisation(org);
    },
  );

  app.patch(
    '/api/v1/organisation',
    { config: { access: { kind: 'staff', roles: ['admin'] } }, schema: { tags, body: organisationUpdateBody, response: { 200: organisationView } } },
    async (request) => {
      const p = staffOf(request);
      const { name, settings } = request.body;
      const org = await withAudit(request, db, clock, { action: 'organisation.update', entityType: 'organisation', entityId: p.orgId }, async (tx) => {
        const current = await getOrganisationForUpdate(tx, p.orgId);
        if (!current) throw notFound('organisation');
        const merged = organisationSettingsSchema.safeParse({ ...defaultOrganisationSettings, ...current.settings, ...settings });
        if (!merged.success) {
          const issue = merged.error.issues[0]!;
          throw badRequest(issue.message, ['settings', ...issue.path.map(String)].join('.'), 'validation_failed');
        }
        const onCall = merged.data.onCallSupervisorUserId;
        if (settings?.onCallSupervisorUserId && onCall && !(await isActiveMemberWithRole(tx, p.orgId, onCall, ['supervisor', 'admin']))) {
          throw badRequest('The on-call supervisor must be an active supervisor or admin of this clinic.', 'settings.onCallSupervisorUserId');
        }
        return updateOrganisation(tx, p.orgId, { ...(name !== undefined ? { name } : {}), settings: merged.data }, clock.now());
      });
      return presentOrganisation(org);
    },
  );
}
