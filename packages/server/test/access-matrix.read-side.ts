import type { MatrixEntry, PrincipalName } from './access-matrix.table';

/**
 * Access-matrix rows for the read side of issues 5 and 6: a client's alliance series, trajectories,
 * dropout risk, episode outcome and completed responses with their items (its care team,
 * supervisors and admins); calibration (one's own; a
 * consenting therapist's for supervisors and admins, else 404: the world's target has not consented);
 * the score-validity report (admins).
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

export const readSideRows: Record<string, MatrixEntry> = {
  'GET /api/v1/clients/:clientId/alliance': { expect: clientSeers(200) },
  'GET /api/v1/clients/:clientId/trajectories': { expect: clientSeers(200), query: 'instrumentId=phq9' },
  'GET /api/v1/clients/:clientId/dropout-risk': { expect: clientSeers(200) },
  'GET /api/v1/clients/:clientId/episodes/:episodeId/outcome': { expect: clientSeers(200) },
  'GET /api/v1/clients/:clientId/responses': { expect: clientSeers(200), query: 'limit=5' },
  'GET /api/v1/me/calibration': { expect: anyStaff(200) },
  'GET /api/v1/users/:userId/calibration': { expect: { ...anyStaff(403), supervisor: 404, admin: 404, otherOrgAdmin: 404 } },
  'GET /api/v1/reports/score-validity': { expect: { ...anyStaff(403), admin: 200, otherOrgAdmin: 200 } },
};
