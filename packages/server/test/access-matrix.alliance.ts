import { randomUUID } from 'node:crypto';
import type { MatrixEntry, PrincipalName } from './access-matrix.table';
import type { World } from './access-matrix.world';

/**
 * Access-matrix rows for issue 5's write side: session ratings (only the clinician asked for the
 * rating may give or skip it: others who can see the client get 403), "discussed with the client",
 * and resolving an alert.
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
/** The rater alone; supervisors and admins see the client but may not rate for the clinician. */
const raterOnly = (ok: number) => ({ ...clientSeers(403), clinicianOnTeam: ok });
const rating = (w: World) => ({ assignmentId: w.ratingAssignmentId });
const answers = {
  rapport_alliance_therapist: {
    rapport_alliance_therapist_goals: 8,
    rapport_alliance_therapist_tasks: 8,
    rapport_alliance_therapist_bond: 9,
    rapport_alliance_therapist_overall: 8,
  },
};

export const allianceRows: Record<string, MatrixEntry> = {
  'GET /api/v1/clients/:clientId/ratings/pending': { expect: clientSeers(200) },
  'POST /api/v1/clients/:clientId/assignments/:assignmentId/rating': { expect: raterOnly(200), params: rating, body: () => ({ submissionId: randomUUID(), answers }), fresh: true },
  'POST /api/v1/clients/:clientId/assignments/:assignmentId/rating/skip': { expect: raterOnly(200), params: rating, fresh: true },
  'POST /api/v1/clients/:clientId/responses/:responseId/discussed': { expect: clientSeers(200), params: (w) => ({ responseId: w.responseId }), body: () => ({ note: 'Talked it through.' }) },
  'POST /api/v1/clients/:clientId/alerts/:alertId/resolve': {
    expect: clientSeers(200),
    params: (w) => ({ alertId: w.alertId }),
    body: () => ({ action: 'safety_plan', note: 'Safety plan reviewed.' }),
    fresh: true,
  },
};
