import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context';
import { auditEvents } from '../../db/schema';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

/** The list is one prepared statement per filter shape that also inserts its audit event. */
describe('client list statement', () => {
  it.each([
    ['admin, no filter', 'admin', ''],
    ['admin, every status', 'admin', 'status=all'],
    ['admin, search', 'admin', 'q=zed'],
    ['clinician, search and every status', 'clinician', 'q=zed&status=all'],
  ] as const)('records exactly one audit event for each page it reads (%s)', async (_name, role, query) => {
    const org = await ctx.buildOrganisation();
    const reader = await ctx.buildStaff(org.id, role);
    const team = role === 'clinician' ? [reader.userId] : [];
    for (let i = 0; i < 5; i++) await ctx.buildClient(org.id, { familyName: `Zed${i}`, givenName: 'A', status: i === 4 ? 'inactive' : 'active' }, team);
    await ctx.buildClient(org.id, { familyName: 'Other' }, []);
    const names: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/clients?limit=2${query ? `&${query}` : ''}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await ctx.app.inject({ method: 'GET', url, headers: { cookie: reader.cookie } });
      expect(res.statusCode).toBe(200);
      names.push(...res.json().items.map((c: { familyName: string }) => c.familyName));
      cursor = res.json().nextCursor;
      pages++;
    } while (cursor);
    const everyStatus = query.includes('status=all');
    const searched = query.includes('q=zed');
    const expected = [...(searched || role === 'clinician' ? [] : ['Other']), 'Zed0', 'Zed1', 'Zed2', 'Zed3', ...(everyStatus ? ['Zed4'] : [])];
    expect(names).toEqual(expected);
    const events = await ctx.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.action, 'clients.list')));
    expect(events).toHaveLength(pages);
    expect(events.every((e) => e.actorId === reader.userId && e.actorKind === 'user' && e.outcome === 'success' && e.entityType === 'client' && !!e.requestId)).toBe(true);
    expect(new Set(events.map((e) => e.requestId)).size).toBe(pages);
  });
});
