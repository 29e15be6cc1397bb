import type { MatrixEntry, PrincipalName } from './access-matrix.table';
import type { World } from './access-matrix.world';

/**
 * Access-matrix rows for the staff side of delivery: measurement protocols (admins write,
 * supervisors read, an episode's own protocol by its care team) and a client's assignments (its
 * care team, supervisors and admins).
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
/** Admins write; another organisation's admin cannot see this organisation's protocol. */
const protocolAdmins = (ok: number) => ({ ...anyStaff(403), admin: ok, otherOrgAdmin: 404 });
const protocolReaders = (ok: number) => ({ ...anyStaff(403), supervisor: ok, admin: ok });

const rule = { id: 'phq9-before', instrumentIds: ['phq9'], respondent: 'client', trigger: { kind: 'before_each', hoursBefore: 24 } };
const protocolParams = (w: World) => ({ protocolId: w.protocolId });
const later = '2026-12-01T10:00:00Z';

export const deliveryStaffRows: Record<string, MatrixEntry> = {
  // Protocols
  'GET /api/v1/protocols': { expect: { ...protocolReaders(200), otherOrgAdmin: 200 } },
  'POST /api/v1/protocols': { expect: { ...protocolAdmins(201), otherOrgAdmin: 201 }, body: () => ({ name: 'Matrix default', rules: [rule] }) },
  'POST /api/v1/protocols/preview': { expect: anyStaff(200), body: () => ({ rules: [rule], appointments: [{ startsAt: later }] }) },
  'GET /api/v1/protocols/:protocolId': { expect: { ...protocolReaders(200), otherOrgAdmin: 404 }, params: protocolParams },
  'PUT /api/v1/protocols/:protocolId': { expect: protocolAdmins(200), params: protocolParams, body: () => ({ name: 'Renamed', rules: [rule] }) },
  'POST /api/v1/protocols/:protocolId/archive': { expect: protocolAdmins(200), params: protocolParams, fresh: true },
  'GET /api/v1/clients/:clientId/episodes/:episodeId/protocol': { expect: clientSeers(200) },
  'PUT /api/v1/clients/:clientId/episodes/:episodeId/protocol': { expect: clientSeers(200), body: () => ({ rules: [rule] }) },
  'DELETE /api/v1/clients/:clientId/episodes/:episodeId/protocol': { expect: clientSeers(204) },

  // Assignments
  'GET /api/v1/clients/:clientId/assignments': { expect: clientSeers(200) },
  'POST /api/v1/clients/:clientId/assignments': { expect: clientSeers(201), body: () => ({ instrumentIds: ['phq9'], scheduledFor: later }) },
  'PATCH /api/v1/clients/:clientId/assignments/:assignmentId': {
    expect: clientSeers(200),
    params: (w) => ({ assignmentId: w.assignmentId }),
    body: () => ({ scheduledFor: later }),
  },
  'POST /api/v1/clients/:clientId/assignments/:assignmentId/send': { expect: clientSeers(202), params: (w) => ({ assignmentId: w.assignmentId }) },
  'POST /api/v1/clients/:clientId/assignments/:assignmentId/resend': { expect: clientSeers(202), params: (w) => ({ assignmentId: w.sentAssignmentId }) },
  'POST /api/v1/clients/:clientId/assignments/:assignmentId/cancel': {
    expect: clientSeers(200),
    params: (w) => ({ assignmentId: w.assignmentId }),
    fresh: true,
  },
};
