import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvents } from '../../db/schema';
import { createTestContext, type TestContext } from '../../../test/context';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

type Call = { method: 'GET' | 'POST' | 'PATCH'; url: string; cookie: string; payload?: object };
const call = ({ method, url, cookie, payload }: Call) => ctx.app.inject({ method, url, headers: { cookie }, ...(payload ? { payload } : {}) });

async function setUp() {
  const org = await ctx.buildOrganisation();
  const admin = await ctx.buildStaff(org.id, 'admin');
  const clinician = await ctx.buildStaff(org.id, 'clinician');
  const created = await call({ method: 'POST', url: '/api/v1/programmes', cookie: admin.cookie, payload: { name: 'Adult therapies', description: 'Step 2 and 3' } });
  return { org, admin, clinician, programme: created.json() as { id: string } };
}

describe('programmes', () => {
  it('lets an admin create a programme that every staff member then sees, audited', async () => {
    const { org, admin, clinician, programme } = await setUp();
    expect(programme).toMatchObject({ name: 'Adult therapies', description: 'Step 2 and 3', archivedAt: null });
    const list = await call({ method: 'GET', url: '/api/v1/programmes', cookie: clinician.cookie });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([expect.objectContaining({ id: programme.id, name: 'Adult therapies' })]);
    const events = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.entityType, 'programme')));
    expect(events).toEqual([expect.objectContaining({ action: 'programme.create', actorId: admin.userId, entityId: programme.id })]);
  });

  it('renames a programme and archives it, hiding it from the default list', async () => {
    const { org, admin, programme } = await setUp();
    const renamed = await call({ method: 'PATCH', url: `/api/v1/programmes/${programme.id}`, cookie: admin.cookie, payload: { name: 'Adults' } });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().name).toBe('Adults');
    ctx.clock.advanceMinutes(1);
    const archived = await call({ method: 'POST', url: `/api/v1/programmes/${programme.id}/archive`, cookie: admin.cookie });
    expect(archived.statusCode).toBe(200);
    expect(archived.json().archivedAt).toBe(ctx.clock.now().toISOString());
    expect((await call({ method: 'GET', url: '/api/v1/programmes', cookie: admin.cookie })).json().items).toEqual([]);
    const all = await call({ method: 'GET', url: '/api/v1/programmes?includeArchived=true', cookie: admin.cookie });
    expect(all.json().items.map((p: { id: string }) => p.id)).toEqual([programme.id]);
    const actions = (await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.entityId, programme.id)))).map((e) => e.action);
    expect(actions).toEqual(['programme.create', 'programme.update', 'programme.archive']);
  });

  it.each(['clinician', 'supervisor'] as const)('forbids a %s to create, rename or archive programmes', async (role) => {
    const { org, programme } = await setUp();
    const staff = await ctx.buildStaff(org.id, role);
    for (const req of [
      { method: 'POST' as const, url: '/api/v1/programmes', payload: { name: 'Mine' } },
      { method: 'PATCH' as const, url: `/api/v1/programmes/${programme.id}`, payload: { name: 'Mine' } },
      { method: 'POST' as const, url: `/api/v1/programmes/${programme.id}/archive` },
    ]) {
      const res = await call({ ...req, cookie: staff.cookie });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
  });

  it('hides another organisation\'s programme as 404', async () => {
    const { programme } = await setUp();
    const otherOrg = await ctx.buildOrganisation();
    const otherAdmin = await ctx.buildStaff(otherOrg.id, 'admin');
    for (const req of [
      { method: 'PATCH' as const, url: `/api/v1/programmes/${programme.id}`, payload: { name: 'Mine' } },
      { method: 'POST' as const, url: `/api/v1/programmes/${programme.id}/archive` },
    ]) {
      const res = await call({ ...req, cookie: otherAdmin.cookie });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such programme.' } });
    }
    expect((await call({ method: 'GET', url: '/api/v1/programmes', cookie: otherAdmin.cookie })).json().items).toEqual([]);
  });

  it('refuses a second live programme with the same name', async () => {
    const { admin } = await setUp();
    const res = await call({ method: 'POST', url: '/api/v1/programmes', cookie: admin.cookie, payload: { name: 'adult THERAPIES' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'programme_name_taken', field: 'name' });
  });

  it.each([
    [{}, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 'x'.repeat(201) }, 'name'],
    [{ name: 'Ok', description: 5 }, 'description'],
    [{ name: 'Ok', orgId: '00000000-0000-0000-0000-000000000000' }, 'orgId'],
  ])('refuses an invalid programme %j naming the field', async (payload, field) => {
    const { admin } = await setUp();
    const res = await call({ method: 'POST', url: '/api/v1/programmes', cookie: admin.cookie, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field });
  });
});
