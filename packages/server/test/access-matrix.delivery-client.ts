import { randomUUID } from 'node:crypto';
import type { MatrixEntry, PrincipalName } from './access-matrix.table';

/**
 * Access-matrix rows for the client's side of delivery (questionnaire pages, kiosk, in session).
 * Staff sessions get nothing from the link and kiosk routes: those answer only to a link session
 * (`clientLink`) or a registered kiosk device (`kiosk`). Those two get what an anonymous caller
 * gets everywhere else, including every `/api/v1` route that reads client data.
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
const adminsOnly = (ok: number) => ({ ...all(403), anonymous: 401, deactivated: 401, admin: ok, otherOrgAdmin: ok });
const unknownToken = () => ({ token: 'A'.repeat(43) });
const noSuchDevice = () => ({ deviceId: randomUUID() });
const noSuchAssignment = () => ({ assignmentId: randomUUID() });

export const deliveryClientRows: Record<string, MatrixEntry> = {
  // Client pages: static assets are public; a token that names nothing is a 404 for everyone.
  'GET /q/app.css': { expect: all(200) },
  'GET /q/app.js': { expect: all(200) },
  'GET /q/theme.css': { expect: all(200) },
  'GET /q/:token': { expect: all(404), params: unknownToken },
  'POST /q/open': { expect: all(404), body: unknownToken },
  'GET /q/:token/stop': { expect: all(404), params: unknownToken },
  'POST /q/:token/stop': { expect: all(404), params: unknownToken },
  // Link-session routes: no staff session opens them.
  'GET /q': { expect: { ...all(401), clientLink: 200 } },
  'PUT /q/answers': { expect: { ...all(401), clientLink: 200 }, body: () => ({ instrumentId: 'phq9', itemId: 'phq9_1', value: 1 }) },
  'POST /q/submit': { expect: { ...all(401), clientLink: 200 }, fresh: true, body: () => ({ submissionId: randomUUID(), answers: { phq9: { phq9_1: 1 } } }) },
  'GET /q/stop': { expect: { ...all(401), clientLink: 200 } },
  'POST /q/stop': { expect: { ...all(401), clientLink: 200 }, fresh: true },
  // Kiosk screens: a registered device only; set-up takes a device token.
  'GET /kiosk/setup': { expect: all(200) },
  'POST /kiosk/setup': { expect: all(401), body: () => ({ token: 'not-a-device-token' }) },
  'GET /kiosk': { expect: { ...all(401), kiosk: 200 } },
  'POST /kiosk/code': { expect: { ...all(401), kiosk: 400 }, body: () => ({ code: '123456' }) },
  // Kiosk devices: admins of the device's clinic.
  'POST /api/v1/kiosk-devices': { expect: adminsOnly(201), body: () => ({ name: 'Matrix tablet' }) },
  'GET /api/v1/kiosk-devices': { expect: adminsOnly(200) },
  'POST /api/v1/kiosk-devices/:deviceId/unlock': { expect: adminsOnly(404), params: noSuchDevice },
  'DELETE /api/v1/kiosk-devices/:deviceId': { expect: adminsOnly(404), params: noSuchDevice },
  // Codes and hand-off for a client's questionnaire: the client's care team (the hand-off: clinicians only).
  'POST /api/v1/clients/:clientId/assignments/:assignmentId/kiosk-code': {
    expect: { ...all(404), anonymous: 401, deactivated: 401 },
    params: noSuchAssignment,
  },
  'POST /api/v1/clients/:clientId/assignments/:assignmentId/in-session': {
    expect: { anonymous: 401, deactivated: 401, clinicianOnTeam: 404, clinicianOffTeam: 404, supervisor: 403, admin: 403, otherOrgAdmin: 403 },
    params: noSuchAssignment,
  },
};
