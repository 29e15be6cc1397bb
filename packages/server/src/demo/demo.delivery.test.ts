import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context';
import { assignmentLinks, assignments, messages, protocols } from '../db/schema';
import { sweepProtocols } from '../features/assignments/assignments.sweep';
import { seedDemo } from './demo.seed';
import { demoPendingLinks } from './demo.links';

let ctx: TestContext;
let other: TestContext;
let orgId: string;
let otherOrgId: string;
beforeAll(async () => {
  [ctx, other] = await Promise.all([createTestContext(), createTestContext()]);
  ({ orgId } = await seedDemo(ctx.db, { now: ctx.clock.now(), clients: 12 }));
  ({ orgId: otherOrgId } = await seedDemo(other.db, { now: other.clock.now(), clients: 12 }));
});
afterAll(async () => {
  await ctx.close();
  await other.close();
});

const signature = async (c: TestContext, id: string) =>
  (await c.db.select().from(assignments).where(eq(assignments.orgId, id)))
    .map((a) => `${a.respondent} ${a.instrumentIds.join('+')} ${a.status} ${a.scheduledFor.toISOString()}`)
    .sort();

describe('demo delivery', () => {
  it('gives the clinic a default, a programme and an episode protocol', async () => {
    const rows = await ctx.db.select().from(protocols).where(eq(protocols.orgId, orgId));
    expect(rows.map((r) => (r.episodeId ? 'episode' : r.programmeId ? 'programme' : 'organisation')).sort()).toEqual(['episode', 'organisation', 'programme']);
  });

  it('has questionnaires in flight: sent with their message and link, waiting to go, and expired', async () => {
    const rows = await ctx.db.select().from(assignments).where(eq(assignments.orgId, orgId));
    const statuses = new Set(rows.map((r) => r.status));
    for (const s of ['scheduled', 'sent', 'expired'] as const) expect(statuses).toContain(s);
    for (const sent of rows.filter((r) => r.status === 'sent' || r.status === 'opened')) {
      const [message] = await ctx.db.select().from(messages).where(eq(messages.key, `assignment:${sent.id}:invite`));
      expect(message).toMatchObject({ status: 'sent', channel: 'email' });
      const links = await ctx.db.select().from(assignmentLinks).where(and(eq(assignmentLinks.assignmentId, sent.id)));
      expect(links).toHaveLength(1);
    }
  });

  it('leaves the protocol sweep nothing to add at the moment it was seeded', async () => {
    const counts = await sweepProtocols(ctx.db, ctx.clock.now());
    expect(counts).toMatchObject({ created: 0, moved: 0, cancelled: 0 });
  });

  it('is the same on every machine (seeded)', async () => {
    expect(await signature(ctx, orgId)).toEqual(await signature(other, otherOrgId));
  });
});

describe('demo links printed at start-up', () => {
  let own: TestContext;
  beforeAll(async () => {
    own = await createTestContext();
    await seedDemo(own.db, { now: own.clock.now(), clients: 12 });
  });
  afterAll(() => own.close());

  it('gives fresh links to a few questionnaires waiting for their client, naming only the questionnaires, each opening the client page', async () => {
    const links = await demoPendingLinks(own.db, own.clock.now());
    expect(links).toHaveLength(3);
    for (const link of links) {
      expect(Object.keys(link).sort()).toEqual(['questionnaires', 'token']);
      expect(link.questionnaires).toMatch(/^(PHQ-9|GAD-7|CORE-10|[A-Za-z0-9-]+)( \+ [A-Za-z0-9 -]+)*$/);
      const page = await own.app.inject({ method: 'GET', url: `/q/${link.token}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('action="/q/open"');
      const opened = await own.app.inject({ method: 'POST', url: '/q/open', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${link.token}` });
      expect(opened.statusCode).toBe(303);
    }
    // Another start makes other links (the stored hashes cannot be shown again).
    const again = await demoPendingLinks(own.db, own.clock.now());
    expect(again.map((l) => l.token)).not.toEqual(links.map((l) => l.token));
  });
});
