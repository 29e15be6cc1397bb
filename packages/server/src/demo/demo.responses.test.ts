import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { SCORER_VERSION, scoreResponse } from '@rapport/instruments';
import { createTestContext, type TestContext } from '../../test/context';
import { alerts, clients, responses } from '../db/schema';
import { seedDemo } from './demo.seed';

let ctx: TestContext;
let orgId: string;
beforeAll(async () => {
  ctx = await createTestContext();
  ({ orgId } = await seedDemo(ctx.db, { now: ctx.clock.now(), clients: 10 }));
});
afterAll(() => ctx.close());

describe('demo responses', () => {
  it('writes completed, scored questionnaires for every client with visits, as a submission stores them', async () => {
    const rows = await ctx.db.select().from(responses).where(eq(responses.orgId, orgId));
    expect(rows.length).toBeGreaterThan(50);
    expect(new Set(rows.map((r) => r.instrumentId))).toEqual(new Set(['phq9', 'gad7', 'core10', 'rapport_alliance', 'rapport_alliance_therapist']));
    for (const r of rows) {
      const result = scoreResponse(r.instrumentId, r.answers);
      expect(r).toMatchObject({ status: 'completed', scorerVersion: SCORER_VERSION, total: String(result.total), bandId: result.band?.id ?? null });
      expect(r.submittedAt!.getTime()).toBeLessThanOrEqual(ctx.clock.now().getTime());
    }
    const therapist = rows.filter((r) => r.instrumentId === 'rapport_alliance_therapist');
    expect(therapist.every((r) => r.respondent === 'clinician' && r.respondentUserId)).toBe(true);
  });

  it('has exactly one endorsed PHQ-9 item 9, with its open urgent alert', async () => {
    const rows = await ctx.db.select().from(responses).where(eq(responses.orgId, orgId));
    const flagged = rows.filter((r) => (r.flags ?? []).length > 0);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toMatchObject({ instrumentId: 'phq9', answers: expect.objectContaining({ phq9_9: 1 }) });
    const raised = await ctx.db.select().from(alerts).where(and(eq(alerts.orgId, orgId), eq(alerts.kind, 'risk_item')));
    expect(raised).toMatchObject([{ kind: 'risk_item', urgent: true, status: 'open', responseId: flagged[0]!.id, clientId: flagged[0]!.clientId }]);
  });

  it('gives each client the same course on every run (seeded, not tied to random ids)', async () => {
    const again = await createTestContext();
    try {
      const second = await seedDemo(again.db, { now: again.clock.now(), clients: 10 });
      const summary = async (db: TestContext['db'], org: string) =>
        (
          await db
            .select({ email: clients.email, instrumentId: responses.instrumentId, total: responses.total, submittedAt: responses.submittedAt })
            .from(responses)
            .innerJoin(clients, eq(clients.id, responses.clientId))
            .where(eq(responses.orgId, org))
        )
          .map((r) => `${r.email} ${r.instrumentId} ${r.total} ${r.submittedAt!.toISOString()}`)
          .sort();
      expect(await summary(again.db, second.orgId)).toEqual(await summary(ctx.db, orgId));
    } finally {
      await again.close();
    }
  });
});
