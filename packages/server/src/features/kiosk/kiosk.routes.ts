import type { App, AppDeps } from '../../app';
import { auditEventOf, staffOf, withAudit } from '../../access/access';
import { recordAudit } from '../../audit/audit.queries';
import { AppError, badRequest, conflict, notFound, unauthorized } from '../../errors';
import { setKioskCookie, setLinkCookie, startLinkSession } from '../questionnaire/link-session';
import { registerPageScope, sendPage, wantsJson } from '../questionnaire/page-scope';
import { getAssignment, isAnswerable, markOpened } from '../questionnaire/questionnaire.queries';
import { languageFromHeader, textFor } from '../questionnaire/questionnaire.text';
import { codePage, setupDonePage, setupPage } from './kiosk.pages';
import { presentDevice } from './kiosk.present';
import {
  createKioskCode,
  findDeviceByToken,
  listDevices,
  recordWrongCode,
  redeemKioskCode,
  registerDevice,
  resetWrongCodes,
  revokeDevice,
  unlockDevice,
} from './kiosk.queries';
import {
  assignmentParams,
  codeBody,
  deviceCreateBody,
  deviceCreatedView,
  deviceListView,
  deviceParams,
  deviceView,
  inSessionView,
  kioskCodeView,
  setupBody,
} from './kiosk.schema';

const tags = ['kiosk'];
const admins = { kind: 'staff', roles: ['admin'] } as const;
/** Per IP, on top of the per-device lock after 5 wrong codes. */
const codeRateLimit = { max: 30, timeWindow: 60_000 };

/**
 * Kiosk devices (admin), kiosk codes and the in-session hand-off (clinicians), and the kiosk's own
 * code-entry screen. Decision 0001, "Kiosk and in session".
 */
export function registerKioskRoutes(app: App, deps: AppDeps): void {
  const { db, clock, config, secretKey } = deps;

  app.post('/api/v1/kiosk-devices', { config: { access: admins }, schema: { tags, body: deviceCreateBody, response: { 201: deviceCreatedView } } }, async (request, reply) => {
    const p = staffOf(request);
    const { device, token } = await withAudit(request, db, clock, (r: Awaited<ReturnType<typeof registerDevice>>) => ({ action: 'kiosk_device.create', entityType: 'kiosk_device', entityId: r.device.id }), (tx) =>
      registerDevice(tx, { orgId: p.orgId, name: request.body.name, createdBy: p.userId, now: clock.now() }),
    );
    return reply.status(201).send({ ...presentDevice(device), token, setupUrl: `${config.publicUrl}/kiosk/setup#token=${token}` });
  });

  app.get('/api/v1/kiosk-devices', { config: { access: admins }, schema: { tags, response: { 200: deviceListView } } }, async (request) => {
    const p = staffOf(request);
    return { items: (await listDevices(db, p.orgId)).map(presentDevice) };
  });

  app.post('/api/v1/kiosk-devices/:deviceId/unlock', { config: { access: admins }, schema: { tags, params: deviceParams, response: { 200: deviceView } } }, async (request) => {
    const p = staffOf(request);
    const { deviceId } = request.params;
    const device = await withAudit(request, db, clock, { action: 'kiosk_device.unlock', entityType: 'kiosk_device', entityId: deviceId }, (tx) => unlockDevice(tx, p.orgId, deviceId));
    if (!device) throw notFound('kiosk device');
    return presentDevice(device);
  });

  app.delete('/api/v1/kiosk-devices/:deviceId', { config: { access: admins }, schema: { tags, params: deviceParams } }, async (request, reply) => {
    const p = staffOf(request);
    const { deviceId } = request.params;
    const revoked = await withAudit(request, db, clock, { action: 'kiosk_device.revoke', entityType: 'kiosk_device', entityId: deviceId }, (tx) => revokeDevice(tx, p.orgId, deviceId, clock.now()));
    if (!revoked) throw notFound('kiosk device');
    return reply.status(204).send();
  });

  /** The assignment of the route's client that a client can still answer, or the error to show. */
  async function answerableAssignment(tx: Parameters<typeof getAssignment>[0], orgId: string, clientId: string, assignmentId: string) {
    const assignment = await getAssignment(tx, orgId, assignmentId);
    if (!assignment || assignment.clientId !== clientId || assignment.respondent !== 'client') throw notFound('assignment');
    if (!isAnswerable(assignment, clock.now())) throw conflict('This questionnaire is completed, cancelled or expired.', 'questionnaire_closed');
    return assignment;
  }

  app.post(
    '/api/v1/clients/:clientId/assignments/:assignmentId/kiosk-code',
    { config: { access: { kind: 'client' } }, schema: { tags, params: assignmentParams, response: { 201: kioskCodeView } } },
    async (request, reply) => {
      const p = staffOf(request);
      const { clientId, assignmentId } = request.params;
      const made = await withAudit(request, db, clock, { action: 'assignment.kiosk_code.create', clientId, entityType: 'assignment', entityId: assignmentId }, async (tx) => {
        await answerableAssignment(tx, p.orgId, clientId, assignmentId);
        return createKioskCode(tx, { orgId: p.orgId, assignmentId, createdBy: p.userId, now: clock.now(), secretKey });
      });
      return reply.status(201).send({ code: made.code, expiresAt: made.expiresAt.toISOString() });
    },
  );

  app.post(
    '/api/v1/clients/:clientId/assignments/:assignmentId/in-session',
    { config: { access: { kind: 'client', roles: ['clinician'] } }, schema: { tags, params: assignmentParams, response: { 201: inSessionView } } },
    async (request, reply) => {
      const p = staffOf(request);
      const { clientId, assignmentId } = request.params;
      const now = clock.now();
      const session = await withAudit(request, db, clock, { action: 'assignment.in_session.start', clientId, entityType: 'assignment', entityId: assignmentId }, async (tx) => {
        const assignment = await answerableAssignment(tx, p.orgId, clientId, assignmentId);
        await markOpened(tx, assignment, now);
        return startLinkSession(tx, { orgId: p.orgId, assignmentId, via: 'in_session', now });
      });
      setLinkCookie(reply, config, session.token);
      return reply.status(201).send({ url: '/q?mode=handoff' });
    },
  );

  registerPageScope(app, (scope) => {
    scope.get('/kiosk/setup', { config: { access: { kind: 'public' } }, schema: { hide: true } }, async (request, reply) =>
      sendPage(reply, setupPage(languageFromHeader(request.headers['accept-language']))),
    );

    scope.post('/kiosk/setup', { config: { access: { kind: 'public' }, rateLimit: codeRateLimit }, schema: { hide: true, body: setupBody } }, async (request, reply) => {
      const device = await findDeviceByToken(db, request.body.token.trim());
      if (!device) throw unauthorized('This device token is not valid.', 'kiosk_required');
      setKioskCookie(reply, config, request.body.token.trim());
      return sendPage(reply, setupDonePage(languageFromHeader(request.headers['accept-language'])));
    });

    scope.get('/kiosk', { config: { access: { kind: 'kiosk' } }, schema: { hide: true } }, async (request, reply) =>
      sendPage(reply, codePage(languageFromHeader(request.headers['accept-language']))),
    );

    scope.post('/kiosk/code', { config: { access: { kind: 'kiosk' }, rateLimit: codeRateLimit }, schema: { hide: true, body: codeBody } }, async (request, reply) => {
      const p = request.principal;
      if (p.kind !== 'kiosk') throw unauthorized('This device is not set up as a kiosk, or it is locked.', 'kiosk_required');
      const lang = languageFromHeader(request.headers['accept-language']);
      const code = request.body.code.replace(/\s+/g, '');
      const now = clock.now();
      // A spent code and its audit event commit together; a wrong code writes only the denial below.
      const opened = /^\d{6}$/.test(code)
        ? await db.transaction(async (tx) => {
            const assignmentId = await redeemKioskCode(tx, { orgId: p.orgId, code, now, secretKey });
            if (!assignmentId) return null;
            const assignment = await getAssignment(tx, p.orgId, assignmentId);
            if (!assignment || !isAnswerable(assignment, now)) return null;
            await markOpened(tx, assignment, now);
            await resetWrongCodes(tx, p.deviceId);
            const session = await startLinkSession(tx, { orgId: p.orgId, assignmentId, via: 'kiosk', now });
            await recordAudit(tx, auditEventOf(request, clock, { action: 'kiosk.code.redeem', clientId: assignment.clientId, entityType: 'assignment', entityId: assignmentId }));
            return { token: session.token };
          })
        : null;
      if (opened) {
        setLinkCookie(reply, config, opened.token);
        return wantsJson(request) ? reply.send({ next: '/q' }) : reply.redirect('/q', 303);
      }
      const locked = await recordWrongCode(db, p.deviceId, now);
      await recordAudit(db, auditEventOf(request, clock, { action: 'kiosk.code.redeem', entityType: 'kiosk_device', entityId: p.deviceId }, { outcome: 'denied' }));
      if (locked) throw new AppError(403, 'kiosk_locked', textFor(lang).t.kioskUnavailable);
      if (wantsJson(request)) throw badRequest('That code did not work.', 'code', 'wrong_code');
      return sendPage(reply, codePage(lang, textFor(lang).t.kioskWrong), 400);
    });
  });
}
