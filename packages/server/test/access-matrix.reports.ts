import type { MatrixEntry, PrincipalName } from './access-matrix.table';

/**
 * Access-matrix rows for issue 7's reports: the outcome report and its CSV (any staff member: a
 * clinician gets their own caseload), and a client's PDF progress report (the client's care team,
 * supervisors and admins).
 */
const all = (status: number): Partial<Record<PrincipalName, number>> => ({
  anonymous: status,
  clinicianOnTeam: status,
  clinicianOffTeam: status,
  supervisor: status,
  admin: status,
  otherOrgAdmin: status,
  deactivated: status,
});
const anyStaff = (ok: number) => ({ ...all(ok), anonymous: 401, deactivated: 401 });
const clientSeers = (ok: number) => ({ ...anyStaff(ok), clinicianOffTeam: 404, otherOrgAdmin: 404 });
const period = 'from=2026-01-01&to=2026-03-31';

export const reportRows: Record<string, MatrixEntry> = {
  'GET /api/v1/reports/outcomes': { expect: anyStaff(200), query: period },
  'GET /api/v1/reports/outcomes.csv': { expect: anyStaff(200), query: period },
  'GET /api/v1/clients/:clientId/report.pdf': { expect: clientSeers(200) },
};
