import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { calibrationReport } from '@rapport/analysis';
import { createTestContext, type TestContext } from '../../test/context';
import { alerts, episodeOutcomes, episodes, memberships, users } from '../db/schema';
import { calibrationPairs } from '../features/alliance/alliance-read.queries';
import { seedDemo } from './demo.seed';

let ctx: TestContext;
let orgId: string;
beforeAll(async () => {
  ctx = await createTestContext();
  ({ orgId } = await seedDemo(ctx.db, { now: ctx.clock.now() }));
}, 120_000);
afterAll(() => ctx.close());

describe('demo data for alliance intelligence and alerts (issue 5)', () => {
  it('raises every kind of alert the response-driven rules can raise, with the rules version', async () => {
    const rows = await ctx.db.select().from(alerts).where(eq(alerts.orgId, orgId));
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['risk_item', 'alliance_rupture', 'therapist_over_client', 'low_alliance', 'reliable_deterioration', 'not_on_track', 'dropout_risk']));
    const ruptures = rows.filter((r) => r.kind === 'alliance_rupture').map((r) => (r.evidence.repair as { status: string }).status);
    expect(ruptures).toContain('repaired');
    expect(ruptures).toContain('unrepaired');
  });

  it('has an experienced therapist who overestimates the alliance and a trainee who underestimates it', async () => {
    const staff = await ctx.db.select({ userId: users.id, email: users.email, consent: memberships.calibrationConsent }).from(users).innerJoin(memberships, eq(memberships.userId, users.id)).where(eq(memberships.orgId, orgId));
    const byEmail = new Map(staff.map((s) => [s.email, s]));
    const pairs = await calibrationPairs(ctx.db, orgId);
    const morgan = calibrationReport(pairs.get(byEmail.get('morgan@demo.rapport.local')!.userId)!).overall;
    const jordan = calibrationReport(pairs.get(byEmail.get('jordan@demo.rapport.local')!.userId)!).overall;
    expect(morgan.confidenceInterval!.lower).toBeGreaterThan(0);
    expect(jordan.confidenceInterval!.upper).toBeLessThan(0);
    expect(byEmail.get('morgan@demo.rapport.local')!.consent).toBe(true);
  });

  it('has finished episodes (completed and dropped out) with stored outcomes, enough for the validity report', async () => {
    const closed = (await ctx.db.select().from(episodes).where(eq(episodes.orgId, orgId))).filter((e) => e.endedOn);
    expect(closed.length).toBeGreaterThanOrEqual(50);
    expect(closed.map((e) => e.endReason)).toEqual(expect.arrayContaining(['completed', 'dropped_out']));
    const outcomes = await ctx.db.select().from(episodeOutcomes).where(eq(episodeOutcomes.orgId, orgId));
    const final = outcomes.filter((o) => o.episodeClosed);
    expect(final).toHaveLength(closed.length);
    expect(final.filter((o) => o.talkingTherapies !== null).length).toBeGreaterThan(40);
    expect(final.some((o) => o.clinicalSignificance !== null)).toBe(true);
  });
});
