import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { appointments, auditEvents, careTeamMembers, clients, episodes, memberships, responses, users } from '../../db/schema';
import type { AuditEventInput } from '../../audit/audit.queries';

/** The clinic's clients (tombstones excluded) with any of these external ids or emails (emails compared lower-cased). */
export async function findClientsByReference(db: Queryable, orgId: string, reference: { externalIds: string[]; emails: string[] }) {
  const { externalIds, emails } = reference;
  if (externalIds.length === 0 && emails.length === 0) return [];
  return db
    .select({ id: clients.id, externalRef: clients.externalRef, email: sql<string | null>`lower(${clients.email})` })
    .from(clients)
    .where(
      and(
        eq(clients.orgId, orgId),
        isNull(clients.erasedAt),
        or(
          externalIds.length ? inArray(clients.externalRef, externalIds) : undefined,
          emails.length ? inArray(sql`lower(${clients.email})`, emails) : undefined,
        ),
      ),
    );
}

/** Active staff of the clinic by lower-cased email → user id. */
export async function findActiveStaffByEmail(db: Queryable, orgId: string, emails: string[]): Promise<Map<string, string>> {
  if (emails.length === 0) return new Map();
  const rows = await db
    .select({ userId: users.id, email: sql<string>`lower(${users.email})` })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.orgId, orgId), eq(memberships.status, 'active')))
    .where(inArray(sql`lower(${users.email})`, emails));
  return new Map(rows.map((r) => [r.email, r.userId]));
}

export type EpisodeSpan = { id: string; clientId: string; startedOn: string; endedOn: string | null };

export async function findEpisodesOf(db: Queryable, orgId: string, clientIds: string[]): Promise<EpisodeSpan[]> {
  if (clientIds.length === 0) return [];
  return db
    .select({ id: episodes.id, clientId: episodes.clientId, startedOn: episodes.startedOn, endedOn: episodes.endedOn })
    .from(episodes)
    .where(and(eq(episodes.orgId, orgId), inArray(episodes.clientId, clientIds)));
}

/** `clientId|clinicianId|startsAt(ms)` of the clinic's appointments of these clients at these instants. */
export async function existingAppointmentKeys(db: Queryable, orgId: string, clientIds: string[], instants: Date[]): Promise<Set<string>> {
  if (clientIds.length === 0) return new Set();
  const rows = await db
    .select({ clientId: appointments.clientId, clinicianId: appointments.clinicianId, startsAt: appointments.startsAt })
    .from(appointments)
    .where(and(eq(appointments.orgId, orgId), inArray(appointments.clientId, clientIds), inArray(appointments.startsAt, instants)));
  return new Set(rows.map((r) => appointmentKey(r.clientId, r.clinicianId, r.startsAt)));
}
export const appointmentKey = (clientId: string, clinicianId: string, startsAt: Date) => `${clientId}|${clinicianId}|${startsAt.getTime()}`;

/** `clientId|instrumentId|submittedAt(ms)` of completed responses of these clients at these instants. */
export async function existingResponseKeys(db: Queryable, orgId: string, clientIds: string[], instants: Date[]): Promise<Set<string>> {
  if (clientIds.length === 0) return new Set();
  const rows = await db
    .select({ clientId: responses.clientId, instrumentId: responses.instrumentId, submittedAt: responses.submittedAt })
    .from(responses)
    .where(and(eq(responses.orgId, orgId), eq(responses.status, 'completed'), inArray(responses.clientId, clientIds), inArray(responses.submittedAt, instants)));
  return new Set(rows.map((r) => responseKey(r.clientId, r.instrumentId, r.submittedAt!)));
}
export const responseKey = (clientId: string, instrumentId: string, at: Date) => `${clientId}|${instrumentId}|${at.getTime()}`;

export async function insertClients(db: Queryable, rows: (typeof clients.$inferInsert)[]) {
  if (rows.length === 0) return [];
  return db.insert(clients).values(rows).returning({ id: clients.id });
}

export async function insertCareTeam(db: Queryable, rows: (typeof careTeamMembers.$inferInsert)[]) {
  if (rows.length === 0) return;
  await db.insert(careTeamMembers).values(rows).onConflictDoNothing();
}

export async function insertAppointments(db: Queryable, rows: (typeof appointments.$inferInsert)[]) {
  if (rows.length === 0) return [];
  return db.insert(appointments).values(rows).returning({ id: appointments.id });
}

export async function insertResponses(db: Queryable, rows: (typeof responses.$inferInsert)[]) {
  if (rows.length === 0) return [];
  return db.insert(responses).values(rows).returning({ id: responses.id });
}

/** Many audit events in one statement (one per imported row), ids only. */
export async function recordAuditEvents(db: Queryable, events: AuditEventInput[]) {
  if (events.length === 0) return;
  await db.insert(auditEvents).values(
    events.map((e) => ({
      orgId: e.orgId,
      actorKind: e.actorKind,
      actorId: e.actorId,
      action: e.action,
      clientId: e.clientId ?? null,
      entityType: e.entityType ?? null,
      entityId: e.entityId ?? null,
      requestId: e.requestId ?? null,
      outcome: e.outcome,
      at: e.at,
    })),
  );
}
