import type { MatrixEntry, PrincipalName } from './access-matrix.table';

/**
 * Access-matrix rows for issue 7's imports: admins only, into their own organisation (the other
 * organisation's admin imports into theirs, so 200 too). A dry run of a one-row clients CSV, so the
 * shared world is not changed.
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

export const importRows: Record<string, MatrixEntry> = {
  'POST /api/v1/imports/:kind': {
    expect: { ...anyStaff(403), admin: 200, otherOrgAdmin: 200 },
    params: () => ({ kind: 'clients' }),
    query: 'dryRun=true',
    contentType: 'text/csv',
    body: () => 'given_name,family_name\r\nAda,Lovelace\r\n',
  },
};
