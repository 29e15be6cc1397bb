import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvents } from '../../db/schema';
import { createTestContext, type TestContext } from '../../../test/context';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const patch = (cookie: string, payload: unknown) => ctx.app.inject({ method: 'PATCH', url: '/api/v1/organisation', headers: { cookie }, payload: payload as object });

describe('organisation settings', () => {
  it('shows any staff member their organisation with its full settings', async () => {
    const org = await ctx.buildOrganisation({ name: 'Northside Clinic', settings: { crisisResources: 'Call 999' } });
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/organisation', headers: { cookie: clinician.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: org.id, name: 'Northside Clinic', settings: { crisisResources: 'Call 999', timeZone: 'Europe/London', linkExpiryDays: 4 } });
  });

  it('refuses an anonymous caller', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/organisation' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthorized');
  });

  it('lets an admin rename the clinic and change settings merged over the current ones, and audits it', async () => {
    const org = await ctx.buildOrganisation({ settings: { crisisResources: 'Call 999' } });
    const admin = await ctx.buildStaff(org.id, 'admin');
    const res = await patch(admin.cookie, { name: 'Renamed Clinic', settings: { linkExpiryDays: 7, timeZone: 'Europe/Paris' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Renamed Clinic', settings: { linkExpiryDays: 7, timeZone: 'Europe/Paris', crisisResources: 'Call 999', reminderAfterDays: 2 } });
    const again = await ctx.app.inject({ method: 'GET', url: '/api/v1/organisation', headers: { cookie: admin.cookie } });
    expect(again.json().settings.timeZone).toBe('Europe/Paris');
    const events = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.action, 'organisation.update')));
    expect(events).toEqual([expect.objectContaining({ actorId: admin.userId, entityType: 'organisation', entityId: org.id, outcome: 'success' })]);
  });

  it.each(['clinician', 'supervisor'] as const)('forbids a %s to change the settings', async (role) => {
    const org = await ctx.buildOrganisation();
    const staff = await ctx.buildStaff(org.id, role);
    const res = await patch(staff.cookie, { name: 'Mine now' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: { code: 'forbidden', message: 'You are not allowed to do that.' } });
  });

  it('refuses an organisation id in the body: the organisation is always the caller\'s', async () => {
    const org = await ctx.buildOrganisation({ name: 'Mine' });
    const other = await ctx.buildOrganisation({ name: 'Theirs' });
    const admin = await ctx.buildStaff(org.id, 'admin');
    const res = await patch(admin.cookie, { id: other.id, name: 'Taken over' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field: 'id' });
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ settings: { colour: 'blue' } }, 'settings.colour'],
    [{ settings: { timeZone: 'Mars/Olympus' } }, 'settings.timeZone'],
    [{ settings: { linkExpiryDays: 31 } }, 'settings.linkExpiryDays'],
    [{ settings: { workingHours: { days: [1], start: '25:00', end: '18:00' } } }, 'settings.workingHours.start'],
    [{ settings: { languages: [] } }, 'settings.languages'],
    [{ settings: { unknownSetting: true } }, 'settings.unknownSetting'],
  ])('refuses invalid settings %j naming the field', async (payload, field) => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const res = await patch(admin.cookie, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field });
  });

  it('accepts every setting at once, as the clinic settings screen sends them, and keeps them', async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const settings = {
      colour: '#1D5C3A',
      timeZone: 'Europe/Paris',
      workingHours: { days: [1, 2, 3, 4, 5, 6], start: '09:00', end: '17:30' },
      mfaRequired: false,
      crisisResources: 'Appelez le 3114.',
      linkExpiryDays: null,
      reminderAfterDays: 3,
      quietHours: { start: '20:00', end: '09:00' },
      onCallSupervisorUserId: admin.userId,
      languages: ['fr'],
      urgentEscalationHours: 2,
      retentionYears: 20,
    };
    const res = await patch(admin.cookie, { name: 'Cabinet du Port', settings });
    expect(res.statusCode).toBe(200);
    const again = await ctx.app.inject({ method: 'GET', url: '/api/v1/organisation', headers: { cookie: admin.cookie } });
    expect(again.json()).toMatchObject({ name: 'Cabinet du Port', settings });
  });

  it.each([
    [{ urgentEscalationHours: 0 }, 'settings.urgentEscalationHours'],
    [{ urgentEscalationHours: null }, 'settings.urgentEscalationHours'],
    [{ retentionYears: 101 }, 'settings.retentionYears'],
    [{ quietHours: { start: '21:00', end: '8:00' } }, 'settings.quietHours.end'],
    [{ workingHours: { days: [8], start: '08:00', end: '18:00' } }, 'settings.workingHours.days.0'],
    [{ languages: ['de'] }, 'settings.languages.0'],
  ])('refuses %j naming the field the screen shows the error on', async (settings, field) => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const res = await patch(admin.cookie, { settings });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field });
  });

  it('accepts an active supervisor of the clinic as on-call supervisor', async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const supervisor = await ctx.buildStaff(org.id, 'supervisor');
    const res = await patch(admin.cookie, { settings: { onCallSupervisorUserId: supervisor.userId } });
    expect(res.statusCode).toBe(200);
    expect(res.json().settings.onCallSupervisorUserId).toBe(supervisor.userId);
  });

  it('refuses as on-call supervisor a clinician, a deactivated supervisor or another clinic\'s supervisor', async () => {
    const org = await ctx.buildOrganisation();
    const other = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const gone = await ctx.buildStaff(org.id, 'supervisor');
    await ctx.deactivate(org.id, gone.userId);
    const elsewhere = await ctx.buildStaff(other.id, 'supervisor');
    for (const candidate of [clinician, gone, elsewhere]) {
      const res = await patch(admin.cookie, { settings: { onCallSupervisorUserId: candidate.userId } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: { code: 'bad_request', message: 'The on-call supervisor must be an active supervisor or admin of this clinic.', field: 'settings.onCallSupervisorUserId' },
      });
    }
  });
});
