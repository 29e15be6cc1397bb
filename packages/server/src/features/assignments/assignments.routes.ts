import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { App, AppDeps } from '../../app';
import { staffOf, withAudit } from '../../access/access';
import type { Tx } from '../../db/database';
import { appointments } from '../../db/schema';
import { badRequest, conflict, notFound } from '../../errors';
import { enqueueJob } from '../../jobs/job-runner';
import { currentConsents } from '../clients/clients.queries';
import { getEpisode, instrumentRespondents, resolveDays, resolveProtocol } from '../protocols/protocols.queries';
import {
  OPEN_SENT_STATUSES,
  countResends,
  isSentByMessage,
  getAssignment,
  insertAssignment,
  listAssignments,
  messagesFor,
  messagingContext,
  queueSend,
  setAssignment,
  type AssignmentRow,
} from './assignments.queries';
import { presentAssignment } from './assignments.present';
import {
  assignmentActionView,
  assignmentCreateBody,
  assignmentListParams,
  assignmentListQuery,
  assignmentParams,
  assignmentRescheduleBody,
  assignmentView,
} from './assignments.schema';
import { nextSendTime } from './quiet-hours';

const tags = ['assignments'];
const clientAccess = { access: { kind: 'client' } } as const;

/**
 * A client's questionnaires: the list with status, and a clinician's send now, schedule, move,
 * cancel and resend. Every call is audited against the client.
 */
export function registerAssignmentRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;
  const base = '/api/v1/clients/:clientId/assignments';

  async function present(tx: Tx, row: AssignmentRow) {
    const sent = await messagesFor(tx, row.orgId, [row.id]);
    return presentAssignment(row, sent.get(row.id) ?? []);
  }

  /** The assignment of this client, or a 404 (another client's, another organisation's). */
  async function mustGet(tx: Tx, orgId: string, clientId: string, assignmentId: string) {
    const row = await getAssignment(tx, orgId, clientId, assignmentId);
    if (!row) throw notFound('assignment');
    return row;
  }

  /** A chosen channel must be one the client consented to and can be reached on (issue 6). */
  async function assertReachable(tx: Tx, orgId: string, client: { id: string; email: string | null; mobile: string | null }, channel: 'email' | 'sms') {
    const consents = await currentConsents(tx, orgId, client.id);
    if (!consents.some((c) => c.channel === channel && c.granted)) {
      throw badRequest(`The client has not consented to ${channel === 'email' ? 'email' : 'text messages'}.`, 'channel', 'no_consent');
    }
    if (channel === 'email' && !client.email) throw badRequest('The client has no email address.', 'channel', 'no_address');
    if (channel === 'sms' && !client.mobile) throw badRequest('The client has no mobile number.', 'channel', 'no_address');
    if (channel === 'sms' && !deps.sms) throw badRequest('Text messages are not set up for this clinic.', 'channel', 'sms_unavailable');
  }

  async function quietOf(tx: Tx, clientId: string) {
    const context = await messagingContext(tx, clientId);
    return { timeZone: context!.timeZone, quietHours: context!.settings.quietHours };
  }

  app.get(
    base,
    { config: clientAccess, schema: { tags, params: assignmentListParams, querystring: assignmentListQuery, response: { 200: z.object({ items: z.array(assignmentView) }) } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const rows = await withAudit(request, db, clock, { action: 'assignment.list', clientId, entityType: 'assignment' }, (tx) =>
        listAssignments(tx, p.orgId, clientId, request.query.status),
      );
      return { items: rows.map(({ row, messages }) => presentAssignment(row, messages)) };
    },
  );

  app.post(
    base,
    { config: clientAccess, schema: { tags, params: assignmentListParams, body: assignmentCreateBody, response: { 201: assignmentActionView } } },
    async (request, reply) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const body = request.body;
      const now = clock.now();
      const result = await withAudit(
        request,
        db,
        clock,
        (r: { assignment: { id: string } }) => ({ action: 'assignment.create', clientId, entityType: 'assignment', entityId: r.assignment.id }),
        async (tx) => {
          const respondents = await instrumentRespondents(tx, p.orgId, body.instrumentIds);
          body.instrumentIds.forEach((id, i) => {
            if (!respondents.has(id)) throw badRequest(`Unknown instrument: ${id}.`, `instrumentIds.${i}`, 'unknown_instrument');
          });
          const respondent = respondents.get(body.instrumentIds[0]!)!;
          body.instrumentIds.forEach((id, i) => {
            if (respondents.get(id) !== respondent) throw badRequest('Every instrument of one assignment must have the same respondent.', `instrumentIds.${i}`, 'respondent_mismatch');
          });
          const episode = body.episodeId ? await getEpisode(tx, p.orgId, clientId, body.episodeId) : null;
          if (body.episodeId && !episode) throw badRequest('No such episode for this client.', 'episodeId', 'unknown_episode');
          if (body.appointmentId) {
            const [appointment] = await tx
              .select({ id: appointments.id })
              .from(appointments)
              .where(and(eq(appointments.orgId, p.orgId), eq(appointments.clientId, clientId), eq(appointments.id, body.appointmentId)))
              .limit(1);
            if (!appointment) throw badRequest('No such appointment for this client.', 'appointmentId', 'unknown_appointment');
          }
          const context = (await messagingContext(tx, clientId))!;
          const protocol = await resolveProtocol(tx, p.orgId, episode ?? { id: '', programmeId: null });
          const byClinician = respondent === 'clinician';
          const channel = body.channel ?? (byClinician ? 'in_session' : 'link');
          if (byClinician && channel !== 'in_session') throw badRequest('A clinician questionnaire is answered in session.', 'channel', 'answered_in_session');
          if (channel === 'email' || channel === 'sms') await assertReachable(tx, p.orgId, context.client, channel);
          const row = (await insertAssignment(tx, {
            orgId: p.orgId,
            clientId,
            episodeId: episode?.id ?? null,
            appointmentId: body.appointmentId ?? null,
            instrumentIds: body.instrumentIds,
            respondent,
            respondentUserId: byClinician ? p.userId : null,
            channel,
            status: 'scheduled',
            scheduledFor: body.scheduledFor ? new Date(body.scheduledFor) : now,
            reminderAfterDays: byClinician ? null : resolveDays(protocol.reminderAfterDays, context.settings.reminderAfterDays),
            expiryDays: byClinician ? null : resolveDays(protocol.expiryDays, context.settings.linkExpiryDays),
            createdBy: p.userId,
            createdAt: now,
            updatedAt: now,
          }))!;
          const sendAt = isSentByMessage(channel) ? await queueSend(tx, row, { timeZone: context.timeZone, quietHours: context.settings.quietHours }) : null;
          return { assignment: await present(tx, row), sendAt: sendAt?.toISOString() ?? null };
        },
      );
      return reply.status(201).send(result);
    },
  );

  app.post(
    `${base}/:assignmentId/send`,
    { config: clientAccess, schema: { tags, params: assignmentParams, response: { 202: assignmentActionView } } },
    async (request, reply) => {
      const p = staffOf(request);
      const { clientId, assignmentId } = request.params;
      const result = await withAudit(request, db, clock, { action: 'assignment.send_now', clientId, entityType: 'assignment', entityId: assignmentId }, async (tx) => {
        const current = await mustGet(tx, p.orgId, clientId, assignmentId);
        if (!isSentByMessage(current.channel)) throw conflict('This questionnaire is answered in session or at the kiosk, not sent.', 'answered_in_session');
        if (current.status !== 'scheduled') throw conflict('Only a scheduled questionnaire can be sent now; use resend once it has been sent.', 'not_scheduled');
        const now = clock.now();
        const row = await setAssignment(tx, assignmentId, { scheduledFor: now, updatedAt: now });
        const sendAt = await queueSend(tx, row, await quietOf(tx, clientId));
        return { assignment: await present(tx, row), sendAt: sendAt.toISOString() };
      });
      return reply.status(202).send(result);
    },
  );

  app.patch(
    `${base}/:assignmentId`,
    { config: clientAccess, schema: { tags, params: assignmentParams, body: assignmentRescheduleBody, response: { 200: assignmentActionView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId, assignmentId } = request.params;
      return withAudit(request, db, clock, { action: 'assignment.reschedule', clientId, entityType: 'assignment', entityId: assignmentId }, async (tx) => {
        const current = await mustGet(tx, p.orgId, clientId, assignmentId);
        if (current.status !== 'scheduled') throw conflict('Only a scheduled questionnaire can be moved.', 'not_scheduled');
        const row = await setAssignment(tx, assignmentId, { scheduledFor: new Date(request.body.scheduledFor), updatedAt: clock.now() });
        const sendAt = isSentByMessage(row.channel) ? await queueSend(tx, row, await quietOf(tx, clientId)) : null;
        return { assignment: await present(tx, row), sendAt: sendAt?.toISOString() ?? null };
      });
    },
  );

  app.post(
    `${base}/:assignmentId/cancel`,
    { config: clientAccess, schema: { tags, params: assignmentParams, response: { 200: assignmentView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId, assignmentId } = request.params;
      return withAudit(request, db, clock, { action: 'assignment.cancel', clientId, entityType: 'assignment', entityId: assignmentId }, async (tx) => {
        const current = await mustGet(tx, p.orgId, clientId, assignmentId);
        if (current.status === 'cancelled') return present(tx, current);
        if (current.status !== 'scheduled' && !OPEN_SENT_STATUSES.includes(current.status)) {
          throw conflict(`A ${current.status} questionnaire cannot be cancelled.`, 'not_cancellable');
        }
        const now = clock.now();
        return present(tx, await setAssignment(tx, assignmentId, { status: 'cancelled', cancelledAt: now, cancelReason: 'staff', updatedAt: now }));
      });
    },
  );

  app.post(
    `${base}/:assignmentId/resend`,
    { config: clientAccess, schema: { tags, params: assignmentParams, response: { 202: assignmentActionView } } },
    async (request, reply) => {
      const p = staffOf(request);
      const { clientId, assignmentId } = request.params;
      const result = await withAudit(request, db, clock, { action: 'assignment.resend', clientId, entityType: 'assignment', entityId: assignmentId }, async (tx) => {
        const current = await mustGet(tx, p.orgId, clientId, assignmentId);
        if (!isSentByMessage(current.channel)) throw conflict('This questionnaire is answered in session or at the kiosk, not sent.', 'answered_in_session');
        if (!OPEN_SENT_STATUSES.includes(current.status)) {
          throw conflict('Only a questionnaire that was sent and is not finished can be sent again.', 'not_resendable');
        }
        // Each resend is its own message kind, so it goes once; a double click queues one job.
        const n = (await countResends(tx, p.orgId, assignmentId)) + 1;
        const quiet = await quietOf(tx, clientId);
        const sendAt = nextSendTime(clock.now(), quiet.timeZone, quiet.quietHours);
        await enqueueJob(tx, { kind: 'assignment.send', key: `resend:${assignmentId}:${n}`, runAt: sendAt, orgId: p.orgId, payload: { assignmentId, resend: n } });
        return { assignment: await present(tx, current), sendAt: sendAt.toISOString() };
      });
      return reply.status(202).send(result);
    },
  );
}
