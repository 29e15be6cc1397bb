import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../../test/context';
import { appointments, clients, episodes } from '../../db/schema';
import { defaultOrganisationSettings } from '../organisations/organisations.schema';
import { RETENTION_JOB } from './lifecycle.jobs';
import { enqueueJob } from '../../jobs/job-runner';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext();
});
afterEach(async () => {
  await ctx.close();
});

/** Four clients: past retention with closed episodes, past retention with an open episode, recent, and past retention with no episode at all. */
async function seed(retentionYears?: number) {
  const org = await ctx.buildOrganisation(retentionYears ? { settings: { retentionYears } } : {});
  const admin = await ctx.buildStaff(org.id, 'admin');
  const clinician = await ctx.buildStaff(org.id, 'clinician');
  const longAgo = new Date('2017-01-10T09:00:00Z');
  const old = await ctx.buildClient(org.id, { createdAt: longAgo, updatedAt: longAgo });
  const openEpisode = await ctx.buildClient(org.id, { createdAt: longAgo, updatedAt: longAgo });
  const recent = await ctx.buildClient(org.id, { createdAt: longAgo, updatedAt: longAgo });
  const neverSeen = await ctx.buildClient(org.id, { createdAt: longAgo, updatedAt: longAgo });
  await ctx.db.insert(episodes).values([
    { orgId: org.id, clientId: old.id, primaryClinicianId: clinician.userId, startedOn: '2017-01-10', endedOn: '2017-06-01', endReason: 'completed', createdAt: longAgo },
    { orgId: org.id, clientId: openEpisode.id, primaryClinicianId: clinician.userId, startedOn: '2017-01-10', createdAt: longAgo },
    { orgId: org.id, clientId: recent.id, primaryClinicianId: clinician.userId, startedOn: '2017-01-10', endedOn: '2017-06-01', endReason: 'completed', createdAt: longAgo },
  ]);
  // The recent client came back for an appointment last year.
  await ctx.db.insert(appointments).values({ orgId: org.id, clientId: recent.id, clinicianId: clinician.userId, startsAt: new Date('2025-05-01T10:00:00Z'), createdAt: longAgo, updatedAt: longAgo });
  return { org, admin, old, openEpisode, recent, neverSeen };
}

describe('retention', () => {
  it('defaults to 8 years', () => {
    expect(defaultOrganisationSettings.retentionYears).toBe(8);
  });

  it('lists, as a dry run, the clients past retention whose episodes are all closed, and erases nothing', async () => {
    const s = await seed();
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/retention/candidates', headers: { cookie: s.admin.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      retentionYears: 8,
      cutoff: '2018-03-02T09:00:00.000Z',
      items: [
        { clientId: s.neverSeen.id, lastActivityAt: '2017-01-10T09:00:00.000Z' },
        { clientId: s.old.id, lastActivityAt: '2017-06-01T00:00:00.000Z' },
      ].sort((a, b) => a.lastActivityAt.localeCompare(b.lastActivityAt) || a.clientId.localeCompare(b.clientId)),
    });
    const [still] = await ctx.db.select({ erasedAt: clients.erasedAt }).from(clients).where(eq(clients.id, s.old.id));
    expect(still!.erasedAt).toBeNull();
  });

  it("follows the organisation's own period", async () => {
    const s = await seed(10);
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/retention/candidates', headers: { cookie: s.admin.cookie } });
    expect(res.json()).toMatchObject({ retentionYears: 10, cutoff: '2016-03-02T09:00:00.000Z', items: [] });
  });

  it('erases them in the daily job, through the erasure path, as the system', async () => {
    const s = await seed();
    await enqueueJob(ctx.db, { kind: RETENTION_JOB, key: 'retention-test', runAt: ctx.clock.now() });
    await ctx.jobs.drain();
    const rows = await ctx.db.select({ id: clients.id, erasedAt: clients.erasedAt, givenName: clients.givenName }).from(clients).where(eq(clients.orgId, s.org.id));
    const erased = rows.filter((r) => r.erasedAt).map((r) => r.id).sort();
    expect(erased).toEqual([s.old.id, s.neverSeen.id].sort());
    expect(rows.filter((r) => r.erasedAt).every((r) => r.givenName === '')).toBe(true);
    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/clients?status=all', headers: { cookie: s.admin.cookie } });
    expect(list.json().items.map((c: { id: string }) => c.id).sort()).toEqual([s.openEpisode.id, s.recent.id].sort());
  });

  it('is for admins only', async () => {
    const s = await seed();
    const supervisor = await ctx.buildStaff(s.org.id, 'supervisor');
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/retention/candidates', headers: { cookie: supervisor.cookie } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
  });
});
