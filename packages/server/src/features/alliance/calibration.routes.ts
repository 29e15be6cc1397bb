import { calibrationReport, pooledCalibration, DEFAULT_MIN_POOLED_THERAPISTS, RULES_VERSION, type CalibrationReport, type CalibrationStats } from '@rapport/analysis';
import type { App, AppDeps } from '../../app';
import { staffOf, withAudit } from '../../access/access';
import type { Tx } from '../../db/database';
import { notFound } from '../../errors';
import { calibrationPairs, therapistMembership } from './alliance-read.queries';
import { calibrationView, userParams } from './alliance-read.schema';

const tags = ['alliance'];

function presentStats(s: CalibrationStats) {
  return {
    n: s.n,
    meanGap: s.meanGap,
    sdGap: s.sdGap,
    confidenceInterval: s.confidenceInterval ? { lower: s.confidenceInterval.lower, upper: s.confidenceInterval.upper, level: s.confidenceInterval.level } : null,
    therapistAboveCount: s.therapistAboveCount,
    therapistAboveShare: s.therapistAboveShare,
    correlation: s.correlation,
  };
}

/** A report without its sums (the organisation's pooled sums stay on the server). */
function presentReport(r: CalibrationReport) {
  return { thresholdPercent: r.thresholdPercent, overall: presentStats(r.overall), byMonth: r.byMonth.map((m) => ({ month: m.month, ...presentStats(m) })) };
}

/**
 * One therapist's calibration (issue 5 item 4) with the organisation's pooled figures beside it only
 * when at least five therapists contribute. The pooled block carries totals only: no therapist is
 * named, and no one else's report leaves the server.
 */
async function calibrationFor(tx: Tx, orgId: string, userId: string) {
  const byTherapist = await calibrationPairs(tx, orgId);
  const reports = [...byTherapist.values()].map((pairs) => calibrationReport(pairs));
  const pooled = pooledCalibration(reports, DEFAULT_MIN_POOLED_THERAPISTS);
  return {
    userId,
    report: presentReport(calibrationReport(byTherapist.get(userId) ?? [])),
    organisation: pooled ? { ...presentReport(pooled), therapists: pooled.therapists } : null,
    minTherapists: DEFAULT_MIN_POOLED_THERAPISTS,
    rulesVersion: RULES_VERSION,
  };
}

/**
 * Calibration reports: a therapist's own (private to them), and a supervisor's or admin's view of a
 * therapist who consented (`memberships.calibration_consent`); without consent the report does not
 * exist for them (404, revealing nothing). Both audited.
 */
export function registerCalibrationRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  app.get('/api/v1/me/calibration', { config: { access: { kind: 'staff' } }, schema: { tags, response: { 200: calibrationView } } }, async (request) => {
    const p = staffOf(request);
    return withAudit(request, db, clock, { action: 'calibration.read', entityType: 'user', entityId: p.userId }, (tx) => calibrationFor(tx, p.orgId, p.userId));
  });

  app.get(
    '/api/v1/users/:userId/calibration',
    { config: { access: { kind: 'staff', roles: ['supervisor', 'admin'] } }, schema: { tags, params: userParams, response: { 200: calibrationView } } },
    async (request) => {
      const p = staffOf(request);
      const { userId } = request.params;
      return withAudit(request, db, clock, { action: 'calibration.read', entityType: 'user', entityId: userId }, async (tx) => {
        const membership = await therapistMembership(tx, p.orgId, userId);
        if (!membership || !membership.calibrationConsent) throw notFound('calibration report');
        return calibrationFor(tx, p.orgId, userId);
      });
    },
  );
}
