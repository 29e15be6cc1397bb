import { WORLD_PASSWORD, type World } from './access-matrix.world';
import { deliveryClientRows } from './access-matrix.delivery-client';
import { deliveryStaffRows } from './access-matrix.delivery-staff';
import { readSideRows } from './access-matrix.read-side';
import { fhirRows } from './access-matrix.fhir';
import { allianceRows } from './access-matrix.alliance';
import { lifecycleRows } from './access-matrix.lifecycle';
import { reportRows } from './access-matrix.reports';
import { importRows } from './access-matrix.imports';

/**
 * Who the access matrix sends requests as, and how each one signs its requests.
 *
 * Adding a principal (a client's link session, a kiosk device, an API token) is one line here. A
 * principal with `unlisted: 'anonymous'` expects, on every route whose row does not name it, what
 * an anonymous caller gets there; name it in a row only where it differs (its own routes).
 */
export const principals = {
  anonymous: { headers: (_w: World) => ({}) },
  clinicianOnTeam: { headers: (w: World) => ({ cookie: w.clinicianOnTeam.cookie }) },
  clinicianOffTeam: { headers: (w: World) => ({ cookie: w.clinicianOffTeam.cookie }) },
  supervisor: { headers: (w: World) => ({ cookie: w.supervisor.cookie }) },
  admin: { headers: (w: World) => ({ cookie: w.admin.cookie }) },
  otherOrgAdmin: { headers: (w: World) => ({ cookie: w.otherOrgAdmin.cookie }) },
  deactivated: { headers: (w: World) => ({ cookie: w.deactivated.cookie }) },
  /** A client's link session for the world's open questionnaire. */
  clientLink: { headers: (w: World) => ({ cookie: `rapport_q=${w.linkSessionToken}` }), unlisted: 'anonymous' },
  /** A registered, unlocked kiosk device of the world's organisation. */
  kiosk: { headers: (w: World) => ({ cookie: `rapport_kiosk=${w.kioskToken}` }), unlisted: 'anonymous' },
  /** The first organisation's API token (fhir:read, fhir:write): an organisation-level principal, anonymous outside the FHIR API. */
  apiToken: { headers: (w: World) => ({ authorization: `Bearer ${w.apiToken}` }), unlisted: 'anonymous' },
} satisfies Record<string, PrincipalDefinition>;

export type PrincipalDefinition = {
  headers: (w: World) => Record<string, string>;
  /** Where a row does not name this principal, expect what this other principal gets. */
  unlisted?: 'anonymous';
};
export type PrincipalName = keyof typeof principals;

export type MatrixEntry = {
  /** Expected status per principal. */
  expect: Partial<Record<PrincipalName, number>>;
  /** A minimal valid body, so validation never hides the access decision. */
  body?: (w: World) => unknown;
  /** A minimal valid query string (without `?`), or one made from the world (a search naming its client). */
  query?: string | ((w: World) => string);
  /** The body's media type when it is not JSON (an import's CSV). */
  contentType?: string;
  /** Path parameters other than the defaults of {@link defaultParams}. */
  params?: (w: World) => Record<string, string>;
  /**
   * Success changes state another principal's request depends on (sign-out ends the session,
   * a single-use token is spent, a user is deactivated): every principal gets a fresh world.
   */
  fresh?: boolean;
};

/** What each path parameter names unless a row says otherwise. */
export function defaultParams(w: World): Record<string, string> {
  return {
    clientId: w.clientId,
    userId: w.target.userId,
    programmeId: w.programmeId,
    episodeId: w.episodeId,
    appointmentId: w.appointmentId,
  };
}

// Shorthands for the common rows, spelled out in full so each row reads as the matrix it is.
const everyone = (status: number) => ({
  anonymous: status,
  clinicianOnTeam: status,
  clinicianOffTeam: status,
  supervisor: status,
  admin: status,
  otherOrgAdmin: status,
  deactivated: status,
});
/** Any signed-in, active staff member of any organisation. */
const anyStaff = (ok: number) => ({ ...everyone(ok), anonymous: 401, deactivated: 401 });
/** Admins only: the first organisation's admin, and the other organisation's admin where the route acts on its own organisation. */
const adminsOnly = (ok: number) => ({ ...anyStaff(403), admin: ok, otherOrgAdmin: ok });
/** Admins only, acting on an object of the first organisation: another organisation's admin gets a 404. */
const ownAdminOnly = (ok: number) => ({ ...adminsOnly(ok), otherOrgAdmin: 404 });
let invitee = 0;

/** Staff who can see the fixture client: its care team, and its organisation's supervisors and admins. */
const clientSeers = (ok: number) => ({ ...anyStaff(ok), clinicianOffTeam: 404, otherOrgAdmin: 404 });

/** Admins only: any admin acts on their own organisation; everyone else is refused. */
const admins = (ok: number) => ({ ...anyStaff(403), admin: ok, otherOrgAdmin: ok });

/** A valid licensed content pack (the ISI is structure only in Rapport). */
const matrixContentPack = {
  format: 'rapport-content-pack',
  instrumentId: 'isi',
  licence: { holder: 'Matrix clinic', reference: 'M-1' },
  languages: ['en'],
  items: Object.fromEntries(
    [1, 2, 3, 4, 5, 6, 7].map((n) => [`isi_${n}`, { text: { en: `Item ${n}` }, options: Object.fromEntries([0, 1, 2, 3, 4].map((v) => [String(v), { en: `${v}` }])) }]),
  ),
};

/** A valid custom instrument of a clinic. */
const matrixCustomInstrument = {
  id: 'matrix_check',
  version: '1.0.0',
  names: { short: 'Matrix', full: 'Matrix check' },
  construct: 'Access',
  respondent: 'client',
  timeFrame: 'today',
  items: [{ id: 'matrix_check_1', text: { en: 'How are you?' }, response: { kind: 'options', options: [{ value: 0, label: { en: 'Fine' } }, { value: 1, label: { en: 'Not fine' } }] } }],
  scoring: { method: 'sum', missing: { rule: 'none', source: 'matrix' } },
  range: { min: 0, max: 1 },
  direction: 'higher-is-worse',
  licence: { status: 'clinic-owned', mayShipWording: true, source: 'matrix' },
  citation: 'Matrix.',
  validation: { status: 'not-validated', warning: { en: 'Not validated.' } },
};

/**
 * Every route in the app's route table and what each principal gets from it. A route without a
 * row, or a row without a route, fails the access-matrix test.
 */
export const accessMatrix: Record<string, MatrixEntry> = {
  // System
  'GET /': { expect: everyone(200) },
  // The web app's files and client-side routes (index.html for /clients/…, /admin/…: see web.test.ts).
  // The literal address `/*` is none of them, so everyone gets the standard 404 whether or not the app is built.
  'GET /*': { expect: everyone(404) },
  'GET /healthz': { expect: everyone(200) },
  // Gated by the control token in the data folder, not by a session: nobody here presents it.
  'POST /internal/backup': { expect: everyone(401) },

  // Sign-in and account
  'POST /api/v1/auth/sign-in': {
    expect: everyone(200),
    body: (w) => ({ email: w.signInUser.email, password: WORLD_PASSWORD }),
    fresh: true, // signing in ends the caller's current session
  },
  'POST /api/v1/auth/sign-out': { expect: anyStaff(204), fresh: true },
  'GET /api/v1/me': { expect: anyStaff(200) },
  'POST /api/v1/auth/password-reset': { expect: everyone(202), body: (w) => ({ email: w.signInUser.email }) },
  'POST /api/v1/auth/password-reset/complete': {
    expect: everyone(204),
    body: (w) => ({ token: w.passwordResetToken, password: 'a brand new passphrase' }),
    fresh: true,
  },
  // Holding the emailed token is the access: the details of a usable invitation, for anyone who has it.
  'POST /api/v1/auth/invitation/details': { expect: everyone(200), body: (w) => ({ token: w.invited.token }) },
  'POST /api/v1/auth/invitation/accept': {
    expect: everyone(204),
    body: (w) => ({ token: w.invited.token, password: 'a brand new passphrase' }),
    fresh: true,
  },
  'POST /api/v1/auth/mfa/enrol': { expect: anyStaff(200), fresh: true },
  'POST /api/v1/auth/mfa/enrol/confirm': {
    expect: anyStaff(200),
    body: async (w) => ({ code: await w.currentTotpCode() }),
    fresh: true,
  },
  // Only a session waiting for its second factor may verify; every session here is fully signed in.
  'POST /api/v1/auth/mfa/verify': { expect: everyone(401), body: () => ({ code: '123456' }) },

  // Organisation (always the caller's own)
  'GET /api/v1/organisation': { expect: anyStaff(200) },
  'PATCH /api/v1/organisation': { expect: adminsOnly(200), body: () => ({ name: 'Renamed Clinic' }) },

  // Programmes
  'GET /api/v1/programmes': { expect: anyStaff(200) },
  'POST /api/v1/programmes': { expect: adminsOnly(201), body: () => ({ name: 'Matrix programme' }) },
  'PATCH /api/v1/programmes/:programmeId': { expect: ownAdminOnly(200), body: () => ({ description: 'Renamed' }) },
  'POST /api/v1/programmes/:programmeId/archive': { expect: ownAdminOnly(200), fresh: true },

  // Staff
  'GET /api/v1/users': { expect: { ...adminsOnly(200), supervisor: 200 } },
  'POST /api/v1/users/invite': {
    expect: adminsOnly(201),
    body: () => ({ email: `invitee${++invitee}@clinic.test`, displayName: 'New Colleague', role: 'clinician' }),
  },
  'PATCH /api/v1/users/:userId': { expect: ownAdminOnly(200), body: () => ({ trainee: true }) },
  'GET /api/v1/me/settings': { expect: anyStaff(200) },
  'PATCH /api/v1/me/settings': { expect: anyStaff(200), body: () => ({ locale: 'fr' }) },
  'POST /api/v1/users/:userId/deactivate': { expect: ownAdminOnly(200), fresh: true },
  // Acts on the deactivated principal: reactivating it would change that column for later rows.
  'POST /api/v1/users/:userId/reactivate': { expect: ownAdminOnly(200), params: (w) => ({ userId: w.deactivated.userId }), fresh: true },
  'POST /api/v1/users/:userId/mfa-reset': { expect: ownAdminOnly(200) },
  'POST /api/v1/users/:userId/password-reset': { expect: ownAdminOnly(200) },

  // Clients
  'GET /api/v1/clients': { expect: anyStaff(200), query: 'limit=5' },
  'POST /api/v1/clients': { expect: anyStaff(201), body: () => ({ givenName: 'Matrix', familyName: 'Row' }) },
  // The caller's caseload; another clinician's or the whole organisation's for supervisors and admins only.
  'GET /api/v1/caseload': { expect: anyStaff(200), query: 'limit=5' },
  'GET /api/v1/clients/:clientId': { expect: clientSeers(200) },
  'PATCH /api/v1/clients/:clientId': { expect: clientSeers(200), body: () => ({ preferredName: 'Sam' }) },
  'GET /api/v1/clients/:clientId/consents': { expect: clientSeers(200) },
  'POST /api/v1/clients/:clientId/consents': { expect: clientSeers(201), body: () => ({ channel: 'email', granted: true }) },
  'GET /api/v1/clients/:clientId/care-team': { expect: clientSeers(200) },
  'PUT /api/v1/clients/:clientId/care-team/:userId': { expect: clientSeers(204), params: (w) => ({ userId: w.addable.userId }) },
  'DELETE /api/v1/clients/:clientId/care-team/:userId': {
    expect: { ...clientSeers(204), clinicianOnTeam: 403, clinicianOffTeam: 403 },
    fresh: true,
  },
  // Episodes of care
  'GET /api/v1/clients/:clientId/episodes': { expect: clientSeers(200) },
  // On the second client, which has no open episode yet (one open episode at a time).
  'POST /api/v1/clients/:clientId/episodes': {
    expect: clientSeers(201),
    params: (w) => ({ clientId: w.secondClientId }),
    body: (w) => ({ presentingProblem: 'depression', startedOn: '2026-03-01', primaryClinicianId: w.clinicianOnTeam.userId }),
    fresh: true,
  },
  'GET /api/v1/clients/:clientId/episodes/:episodeId': { expect: clientSeers(200) },
  'PATCH /api/v1/clients/:clientId/episodes/:episodeId': { expect: clientSeers(200), body: () => ({ presentingProblem: 'panic' }) },
  'POST /api/v1/clients/:clientId/episodes/:episodeId/close': {
    expect: clientSeers(200),
    body: () => ({ endedOn: '2026-03-01', endReason: 'completed' }),
    fresh: true,
  },

  'GET /api/v1/clients/:clientId/audit': {
    expect: { ...clientSeers(200), clinicianOnTeam: 403, clinicianOffTeam: 403, supervisor: 403 },
  },

  // Appointments
  'GET /api/v1/clients/:clientId/appointments': { expect: clientSeers(200) },
  'POST /api/v1/clients/:clientId/appointments': {
    expect: clientSeers(201),
    body: (w) => ({ startsAt: '2026-03-10T10:00:00+00:00', clinicianId: w.clinicianOnTeam.userId }),
  },
  'PATCH /api/v1/clients/:clientId/appointments/:appointmentId': { expect: clientSeers(200), body: () => ({ durationMinutes: 45 }) },
  'POST /api/v1/clients/:clientId/appointments/:appointmentId/attendance': {
    expect: clientSeers(200),
    body: () => ({ status: 'cancelled', cancelledBy: 'client' }),
    fresh: true,
  },
  'GET /api/v1/appointments': { expect: anyStaff(200), query: 'date=2026-03-03' },

  // Instruments: the catalogue and stateless scoring are public (rate limited, nothing stored)
  'GET /api/v1/instruments': { expect: everyone(200) },
  'GET /api/v1/instruments/:instrumentId': { expect: everyone(200), params: () => ({ instrumentId: 'phq9' }) },
  'POST /api/v1/instruments/:instrumentId/score': {
    expect: everyone(200),
    params: () => ({ instrumentId: 'phq9' }),
    body: () => ({ answers: { phq9_1: 1, phq9_9: 0 } }),
  },
  // Each organisation's own content packs and instruments: any staff member reads, admins upload.
  'GET /api/v1/content-packs': { expect: anyStaff(200) },
  'POST /api/v1/content-packs': { expect: admins(201), body: () => matrixContentPack },
  'GET /api/v1/custom-instruments': { expect: anyStaff(200) },
  'POST /api/v1/custom-instruments': { expect: admins(201), body: () => matrixCustomInstrument },

  // Alerts
  'GET /api/v1/alerts': { expect: anyStaff(200) },
  'GET /api/v1/clients/:clientId/alerts': { expect: clientSeers(200) },
  'POST /api/v1/clients/:clientId/alerts/:alertId/acknowledge': { expect: clientSeers(200), params: (w) => ({ alertId: w.alertId }) },

  // Delivery, the client's side: questionnaire pages, kiosk, in session (its own file).
  ...deliveryClientRows,
  // Delivery, the staff side: protocols and a client's assignments (its own file).
  ...deliveryStaffRows,
  ...readSideRows,
  // Issue 7: API tokens (admins) and the FHIR API (tokens only) (its own file).
  ...fhirRows,
  // Issue 5, the write side: session ratings, discussed, resolve (its own file).
  ...allianceRows,
  // Issue 7: outcome reports and a client's PDF (its own file).
  ...reportRows,
  // Issue 7: erasure, retention and the research export (its own file).
  ...lifecycleRows,
  // Issue 7: CSV and iCal imports (admins) (its own file).
  ...importRows,
};
