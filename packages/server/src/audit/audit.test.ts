import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq, sql } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context';
import { auditEvents, auditSeals } from '../db/schema';
import { recordAudit } from './audit.queries';
import { SEAL_SETTLE_MS, sealAuditEvents, verifyAuditChain } from './audit-chain';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The database's refusal message, whichever driver wrapped it. */
async function refusal(statement: Promise<unknown>): Promise<string> {
  try {
    await statement;
  } catch (error) {
    const e = error as Error & { cause?: Error };
    return `${e.message} ${e.cause?.message ?? ''}`;
  }
  throw new Error('the statement was not refused');
}

async function eventsOf(orgId: string) {
  return ctx.db.select().from(auditEvents).where(eq(auditEvents.orgId, orgId)).orderBy(asc(auditEvents.id));
}

describe('audit trail', () => {
  it.each([
    ['UPDATE audit_events', sql`update audit_events set action = 'rewritten'`],
    ['DELETE audit_events', sql`delete from audit_events`],
    ['TRUNCATE audit_events', sql`truncate audit_events cascade`],
    ['UPDATE audit_seals', sql`update audit_seals set hash = 'rewritten'`],
    ['DELETE audit_seals', sql`delete from audit_seals`],
    ['TRUNCATE audit_seals', sql`truncate audit_seals`],
  ])('the database refuses %s', async (_name, statement) => {
    const org = await ctx.buildOrganisation();
    await recordAudit(ctx.db, { orgId: org.id, actorKind: 'system', actorId: null, action: 'test.event', outcome: 'success', at: ctx.clock.now() });
    ctx.clock.advance(SEAL_SETTLE_MS + 1000);
    await sealAuditEvents(ctx.db, ctx.clock.now());
    expect(await refusal(ctx.db.execute(statement))).toMatch(/append-only/);
    expect((await eventsOf(org.id)).map((e) => e.action)).toEqual(['test.event']);
  });

  it('records who read a client, with action, client, organisation, request id and outcome', async () => {
    const org = await ctx.buildOrganisation();
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${client.id}`, headers: { cookie: clinician.cookie } });
    expect(res.statusCode).toBe(200);
    const events = await eventsOf(org.id);
    expect(events).toEqual([
      expect.objectContaining({
        orgId: org.id,
        actorKind: 'user',
        actorId: clinician.userId,
        action: 'client.read',
        clientId: client.id,
        outcome: 'success',
        requestId: expect.stringMatching(UUID),
        at: ctx.clock.now(),
      }),
    ]);
  });

  it("records a clinician's attempt to open a client off their care team as denied, against that client", async () => {
    const org = await ctx.buildOrganisation();
    const outsider = await ctx.buildStaff(org.id, 'clinician');
    const client = await ctx.buildClient(org.id);
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${client.id}`, headers: { cookie: outsider.cookie } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such client.' } });
    expect(await eventsOf(org.id)).toEqual([
      expect.objectContaining({ actorId: outsider.userId, clientId: client.id, entityType: 'client', entityId: client.id, outcome: 'denied', requestId: expect.stringMatching(UUID) }),
    ]);
  });

  it("records another organisation's probe as denied in the prober's organisation, without linking the client", async () => {
    const home = await ctx.buildOrganisation();
    const client = await ctx.buildClient(home.id);
    const other = await ctx.buildOrganisation();
    const prober = await ctx.buildStaff(other.id, 'admin');
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${client.id}`, headers: { cookie: prober.cookie } });
    expect(res.statusCode).toBe(404);
    expect(await eventsOf(home.id)).toEqual([]);
    expect(await eventsOf(other.id)).toEqual([expect.objectContaining({ actorId: prober.userId, clientId: null, entityId: client.id, outcome: 'denied' })]);
  });

  it("lets an admin list a client's access history, denied attempts included, and refuses a clinician", async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const outsider = await ctx.buildStaff(org.id, 'clinician');
    const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
    await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${client.id}`, headers: { cookie: clinician.cookie } });
    await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${client.id}`, headers: { cookie: outsider.cookie } });

    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${client.id}/audit`, headers: { cookie: admin.cookie } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.map((e: { actorId: string; outcome: string }) => [e.actorId, e.outcome])).toEqual([
      [outsider.userId, 'denied'],
      [clinician.userId, 'success'],
    ]);
    expect(body.items[1]).toMatchObject({ action: 'client.read', actorKind: 'user', at: ctx.clock.now().toISOString() });

    const refused = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${client.id}/audit`, headers: { cookie: clinician.cookie } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ error: { code: 'forbidden', message: 'You are not allowed to do that.' } });
  });
});

describe('audit hash chain', () => {
  it("seals each organisation's settled events in id order and leaves younger ones for later", async () => {
    const [a, b] = [await ctx.buildOrganisation(), await ctx.buildOrganisation()];
    for (let i = 0; i < 3; i++) {
      for (const org of [a, b]) await recordAudit(ctx.db, { orgId: org.id, actorKind: 'system', actorId: null, action: `test.${i}`, outcome: 'success', at: ctx.clock.now() });
    }
    ctx.clock.advance(SEAL_SETTLE_MS + 1000);
    await recordAudit(ctx.db, { orgId: a.id, actorKind: 'system', actorId: null, action: 'test.young', outcome: 'success', at: ctx.clock.now() });
    await sealAuditEvents(ctx.db, ctx.clock.now());

    for (const org of [a, b]) {
      const seals = await ctx.db
        .select({ seal: auditSeals, action: auditEvents.action })
        .from(auditSeals)
        .innerJoin(auditEvents, eq(auditEvents.id, auditSeals.eventId))
        .where(eq(auditSeals.chainKey, org.id))
        .orderBy(asc(auditSeals.eventId));
      expect(seals.map((s) => s.action)).toEqual(['test.0', 'test.1', 'test.2']);
      expect(seals[0]!.seal.prevHash).toBe('0'.repeat(64));
      for (let i = 1; i < seals.length; i++) expect(seals[i]!.seal.prevHash).toBe(seals[i - 1]!.seal.hash);
    }
    const result = await verifyAuditChain(ctx.db);
    expect(result).toMatchObject({ ok: true, problems: [] });
    expect(result.unsealed).toBeGreaterThanOrEqual(1);

    // The background job seals the rest once it has settled.
    ctx.clock.advance(SEAL_SETTLE_MS + 60_000);
    await ctx.jobs.drain();
    const [young] = await ctx.db
      .select({ id: auditSeals.eventId })
      .from(auditSeals)
      .innerJoin(auditEvents, eq(auditEvents.id, auditSeals.eventId))
      .where(and(eq(auditSeals.chainKey, a.id), eq(auditEvents.action, 'test.young')));
    expect(young).toBeDefined();
  });

  it('finds exactly the sealed event changed behind the application\'s back', async () => {
    const org = await ctx.buildOrganisation();
    for (let i = 0; i < 4; i++) {
      await recordAudit(ctx.db, { orgId: org.id, actorKind: 'system', actorId: null, action: `test.${i}`, outcome: 'denied', at: ctx.clock.now() });
    }
    ctx.clock.advance(SEAL_SETTLE_MS + 1000);
    await sealAuditEvents(ctx.db, ctx.clock.now());
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true);

    const [target] = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.action, 'test.2')));
    // As the database owner, switching the guard off for one statement.
    await ctx.db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_events disable trigger audit_events_append_only`);
      await tx.execute(sql`update audit_events set outcome = 'success' where id = ${target!.id}`);
      await tx.execute(sql`alter table audit_events enable trigger audit_events_append_only`);
    });

    const result = await verifyAuditChain(ctx.db);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ eventId: target!.id, chainKey: org.id, problem: 'event changed after it was sealed' }]);
    // The guard is back on.
    expect(await refusal(ctx.db.execute(sql`update audit_events set outcome = 'denied' where id = ${target!.id}`))).toMatch(/append-only/);
  });
});
