import { and, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/database';
import {
  alerts,
  appointments,
  assignmentLinks,
  assignments,
  careTeamMembers,
  clientConsents,
  clients,
  episodeOutcomes,
  episodes,
  jobs,
  kioskCodes,
  linkSessions,
  messages,
  protocols,
  responseDiscussions,
  responses,
  sessionRatings,
} from '../../db/schema';
import { recordAudit } from '../../audit/audit.queries';

/**
 * Why a client is erased. A closed set of codes, because the audit trail holds ids and codes only:
 * a free-text reason could carry personal data into the append-only table.
 */
export const erasureReasons = ['client_request', 'unlawful_processing', 'consent_withdrawn', 'retention_expired'] as const;
export type ErasureReason = (typeof erasureReasons)[number];

export type EraseClientInput = {
  orgId: string;
  clientId: string;
  /** The admin who asked; null when the retention job erases. */
  requestedBy: string | null;
  reason: ErasureReason;
  now: Date;
  requestId?: string | null;
};

/**
 * Every table that holds a `client_id` and what the erasure does with it. `audit_events` keeps its
 * rows (ids only, hash-chained); `clients` becomes the tombstone. The erasure test compares this
 * list with the database's own catalogue, so a new table keyed by client cannot be forgotten here.
 */
export const ERASED_CLIENT_TABLES = [
  'alerts',
  'appointments',
  'assignments',
  'care_team_members',
  'client_consents',
  'episode_outcomes',
  'episodes',
  'messages',
  'responses',
  'response_discussions',
  'session_ratings',
] as const;

/**
 * Erases one client: in ONE transaction, deletes every personal and health datum of the client in
 * every table (append-only completed responses included) and leaves the client row as a tombstone
 * holding only its id, organisation and `erased_at`. The audit trail is not touched (it holds ids
 * only, so its hash chain still verifies); the erasure itself is audited.
 *
 * This is the only code that sets `rapport.erasure` (migration 0003's trigger lets completed
 * responses change only then), and only for its own transaction (`set_config(..., true)`).
 * Returns false when there is no such (unerased) client in the organisation.
 */
export async function eraseClient(db: Db, input: EraseClientInput): Promise<boolean> {
  const { orgId, clientId, requestedBy, reason, now } = input;
  return db.transaction(async (tx) => {
    const [client] = await tx
      .select({ id: clients.id })
      .from(clients)
      .where(and(eq(clients.id, clientId), eq(clients.orgId, orgId), isNull(clients.erasedAt)))
      .for('update');
    if (!client) return false;

    const ids = async <T extends { id: string }>(rows: Promise<T[]>) => (await rows).map((r) => r.id);
    const episodeIds = await ids(tx.select({ id: episodes.id }).from(episodes).where(eq(episodes.clientId, clientId)));
    const assignmentIds = await ids(tx.select({ id: assignments.id }).from(assignments).where(eq(assignments.clientId, clientId)));
    const alertIds = await ids(tx.select({ id: alerts.id }).from(alerts).where(eq(alerts.clientId, clientId)));
    const responseIds = await ids(tx.select({ id: responses.id }).from(responses).where(eq(responses.clientId, clientId)));
    const appointmentIds = await ids(tx.select({ id: appointments.id }).from(appointments).where(eq(appointments.clientId, clientId)));
    // Every id that names this client's data, for rows that refer to it only inside a text key or a
    // JSON payload (jobs `remind:<assignmentId>`, messages `alert:<id>:urgent:<user>`).
    const mentioned = JSON.stringify([clientId, ...episodeIds, ...assignmentIds, ...alertIds, ...responseIds, ...appointmentIds]);
    const mentions = (text: SQL) => sql`exists (select 1 from jsonb_array_elements_text(${mentioned}::jsonb) m(id) where position(m.id in ${text}) > 0)`;

    await tx.delete(jobs).where(and(eq(jobs.orgId, orgId), mentions(sql`${jobs.key} || ${jobs.payload}::text`)));
    await tx.delete(messages).where(and(eq(messages.orgId, orgId), or(eq(messages.clientId, clientId), mentions(sql`${messages.key}`))));
    if (assignmentIds.length > 0) {
      await tx.delete(linkSessions).where(inArray(linkSessions.assignmentId, assignmentIds));
      await tx.delete(assignmentLinks).where(inArray(assignmentLinks.assignmentId, assignmentIds));
      await tx.delete(kioskCodes).where(inArray(kioskCodes.assignmentId, assignmentIds));
    }
    await tx.delete(sessionRatings).where(eq(sessionRatings.clientId, clientId));
    await tx.delete(responseDiscussions).where(eq(responseDiscussions.clientId, clientId));
    await tx.delete(alerts).where(eq(alerts.clientId, clientId));
    await tx.delete(episodeOutcomes).where(eq(episodeOutcomes.clientId, clientId));

    // Completed responses are append-only; this transaction alone may remove them.
    await tx.execute(sql`select set_config('rapport.erasure', 'on', true)`);
    await tx.delete(responses).where(eq(responses.clientId, clientId));
    await tx.execute(sql`select set_config('rapport.erasure', 'off', true)`);

    await tx.delete(assignments).where(eq(assignments.clientId, clientId));
    if (episodeIds.length > 0) await tx.delete(protocols).where(inArray(protocols.episodeId, episodeIds));
    await tx.delete(appointments).where(eq(appointments.clientId, clientId));
    await tx.delete(episodes).where(eq(episodes.clientId, clientId));
    await tx.delete(careTeamMembers).where(eq(careTeamMembers.clientId, clientId));
    await tx.delete(clientConsents).where(eq(clientConsents.clientId, clientId));

    await tx
      .update(clients)
      .set({
        givenName: '',
        familyName: '',
        preferredName: null,
        email: null,
        mobile: null,
        language: 'en',
        timeZone: null,
        dateOfBirth: null,
        status: 'inactive',
        externalRef: null,
        createdAt: now,
        updatedAt: now,
        erasedAt: now,
      })
      .where(eq(clients.id, clientId));

    await recordAudit(tx, {
      orgId,
      actorKind: requestedBy ? 'user' : 'system',
      actorId: requestedBy,
      action: `client.erase.${reason}`,
      clientId,
      entityType: 'client',
      entityId: clientId,
      requestId: input.requestId ?? null,
      outcome: 'success',
      at: now,
    });
    return true;
  });
}
