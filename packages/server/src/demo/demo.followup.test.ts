import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context';
import { alerts, assignments, episodes, responseDiscussions, responses, sessionRatings, users } from '../db/schema';
import { alertAcknowledgement, discussedShare, questionnaireAdherence, type ReportScope } from '../features/reports/reports.queries';
import { DEMO_STAFF, seedDemo } from './demo.seed';

let ctx: TestContext;
let scope: ReportScope;
beforeAll(async () => {
  ctx = await createTestContext();
  const now = ctx.clock.now();
  const { orgId } = await seedDemo(ctx.db, { now });
  scope = { orgId, from: new Date(now.getTime() - 400 * 86_400_000).toISOString().slice(0, 10), to: now.toISOString().slice(0, 10) };
}, 120_000);
afterAll(() => ctx.close());

describe('demo follow-up history (the Reports screen)', () => {
  it('has questionnaires sent and mostly completed, some expired, and sessions rated by the therapist with a few skipped', async () => {
    const a = await questionnaireAdherence(ctx.db, scope);
    expect(a.completed / a.sent).toBeGreaterThan(0.6);
    expect(a.completed / a.sent).toBeLessThan(0.95);
    expect(a.expired / a.sent).toBeGreaterThan(0.08);
    expect(a.expired / a.sent).toBeLessThan(0.22);
    expect(a.sessionsRated).toBeGreaterThan(0.8 * a.sessionRatingsDue);
    expect(a.sessionsRated).toBeLessThan(a.sessionRatingsDue);
  });

  it('answers every completed response from a completed assignment sent and opened before it was started', async () => {
    const rows = await ctx.db.select({ r: responses, a: assignments }).from(responses).leftJoin(assignments, eq(assignments.id, responses.assignmentId)).where(eq(responses.orgId, scope.orgId));
    expect(rows.length).toBeGreaterThan(1000);
    for (const { r, a } of rows) {
      expect(a?.status).toBe('completed');
      expect(a!.respondent).toBe(r.respondent);
      expect(a!.instrumentIds).toContain(r.instrumentId);
      expect(a!.completedAt!.getTime()).toBeGreaterThanOrEqual(r.submittedAt!.getTime());
      if (r.respondent === 'client') {
        expect(a!.sentAt!.getTime()).toBeLessThanOrEqual(a!.openedAt!.getTime());
        expect(a!.openedAt!.getTime()).toBeLessThanOrEqual(r.startedAt!.getTime());
      }
    }
    const ratings = await ctx.db.select().from(sessionRatings).where(eq(sessionRatings.orgId, scope.orgId));
    expect(new Set(ratings.map((s) => s.outcome))).toEqual(new Set(['rated', 'skipped']));
    expect(ratings.filter((s) => s.outcome === 'rated').every((s) => s.therapistResponseId !== null)).toBe(true);
  });

  it('has most older alerts acknowledged within hours to days, some resolved with a note, and open work left', async () => {
    const ack = await alertAcknowledgement(ctx.db, scope);
    expect(ack.acknowledged / ack.raised).toBeGreaterThan(0.5);
    expect(ack.acknowledged).toBeLessThan(ack.raised);
    expect(ack.medianHours!).toBeGreaterThan(1);
    expect(ack.p90Hours!).toBeLessThan(60);
    const rows = await ctx.db.select().from(alerts).where(eq(alerts.orgId, scope.orgId));
    const resolved = rows.filter((r) => r.status === 'resolved');
    expect(resolved.length).toBeGreaterThan(0);
    expect(resolved.every((r) => r.resolutionAction && r.resolutionNote && r.resolvedAt! > r.acknowledgedAt! && r.resolvedAt! <= ctx.clock.now())).toBe(true);
    expect(rows.filter((r) => r.urgent).every((r) => r.status === 'open')).toBe(true);
    expect(rows.some((r) => r.status === 'open' && !r.urgent)).toBe(true);
  });

  it('leaves every clinician open alerts to acknowledge (their newest stays open) and the urgent risk alert open', async () => {
    const rows = await ctx.db
      .select({ status: alerts.status, urgent: alerts.urgent, createdAt: alerts.createdAt, email: users.email })
      .from(alerts)
      .innerJoin(episodes, eq(episodes.id, alerts.episodeId))
      .innerJoin(users, eq(users.id, episodes.primaryClinicianId))
      .where(eq(alerts.orgId, scope.orgId));
    expect(rows.some((r) => r.urgent && r.status === 'open')).toBe(true);
    for (const s of DEMO_STAFF.filter((m) => m.role === 'clinician')) {
      const mine = rows.filter((r) => r.email === s.email && !r.urgent);
      expect(mine.length, s.email).toBeGreaterThan(0);
      expect(mine.some((r) => r.status !== 'open'), `${s.email} has acknowledged alerts`).toBe(true);
      const newest = mine.reduce((a, b) => (b.createdAt > a.createdAt ? b : a));
      expect(mine.filter((r) => r.createdAt.getTime() === newest.createdAt.getTime()).some((r) => r.status === 'open'), `${s.email}'s newest alert is open`).toBe(true);
    }
  });

  it('has about half the client results marked discussed, at a session after they came in', async () => {
    const d = await discussedShare(ctx.db, scope);
    expect(d.discussed / d.results).toBeGreaterThan(0.4);
    expect(d.discussed / d.results).toBeLessThan(0.6);
    const rows = await ctx.db.select({ at: responseDiscussions.discussedAt, submittedAt: responses.submittedAt }).from(responseDiscussions).innerJoin(responses, eq(responses.id, responseDiscussions.responseId)).where(eq(responseDiscussions.orgId, scope.orgId));
    expect(rows.every((r) => r.at > r.submittedAt! && r.at <= ctx.clock.now())).toBe(true);
  });
});
