import type { MatrixEntry, PrincipalName } from './access-matrix.table';

/**
 * Access-matrix rows for issue 7's data lifecycle and research export: erasing a client (admins of
 * the client's organisation; the role is checked before the client, so other staff get 403 and
 * another organisation's admin 404), the retention dry run (admins, their own organisation) and the
 * responses CSV (admins and supervisors, their own organisation).
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

export const lifecycleRows: Record<string, MatrixEntry> = {
  'POST /api/v1/clients/:clientId/erase': {
    expect: { ...anyStaff(403), admin: 200, otherOrgAdmin: 404 },
    body: (w) => ({ confirmClientId: w.clientId, reason: 'client_request' }),
    fresh: true, // the world's client is gone afterwards
  },
  'GET /api/v1/retention/candidates': { expect: { ...anyStaff(403), admin: 200, otherOrgAdmin: 200 } },
  'GET /api/v1/exports/responses.csv': { expect: { ...anyStaff(403), supervisor: 200, admin: 200, otherOrgAdmin: 200 }, query: 'deidentified=true' },
};
