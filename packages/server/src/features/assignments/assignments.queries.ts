import { and, asc, desc, eq, inArray, like, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { appointments, assignments, clients, episodes, messages, organisations, type AssignmentStatus, type Channel } from '../../db/schema';
import { enqueueJob } from '../../jobs/job-runner';
import { nextSendTime } from './quiet-hours';

export type AssignmentRow = typeof assignments.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;

/** Statuses in which the client has been sent a link and has not finished. */
export const OPEN_SENT_STATUSES: readonly AssignmentStatus[] = ['sent', 'opened', 'in_progress'];

/** Whether an assignment on this channel is sent as a message (not answered in session or at the kiosk). */
export const isSentByMessage = (channel: Channel): boolean => channel !== 'in_session' && channel !== 'kiosk';

/** The at-most-once key of a message about an assignment (design 0001). */
export const messageKey = (assignmentId: string, kind: 'invite' | 'reminder' | `resend:${number}`) => `assignment:${assignmentId}:${kind}`;

export async function getAssignment(db: Queryable, orgId: string, clientId: string, assignmentId: string): Promise<AssignmentRow | null> {
  const [row] = await db
    .select()
    .from(assignments)
    .where(and(eq(assignments.orgId, orgId), eq(assignments.clientId, clientId), eq(assignments.id, assignmentId)))
    .limit(1);
  return row ?? null;
}

/** The assignment locked for update (a status change), by id alone: background jobs know only the id. */
export async function lockAssignment(db: Queryable, assignmentId: string): Promise<AssignmentRow | null> {
  const [row] = await db.select().from(assignments).where(eq(assignments.id, assignmentId)).for('update').limit(1);
  return row ?? null;
}

/** A client's assignments, newest first, with the messages sent about each. */
export async function listAssignments(db: Queryable, orgId: string, clientId: string, status?: AssignmentStatus) {
  const rows = await db
    .select()
    .from(assignments)
    .where(and(eq(assignments.orgId, orgId), eq(assignments.clientId, clientId), status ? eq(assignments.status, status) : undefined))
    .orderBy(desc(assignments.scheduledFor), desc(assignments.id))
    .limit(500);
  const sent = await messagesFor(db, orgId, rows.map((r) => r.id));
  return rows.map((row) => ({ row, messages: sent.get(row.id) ?? [] }));
}

/** Messages about these assignments, grouped by assignment id. */
export async function messagesFor(db: Queryable, orgId: string, assignmentIds: string[]): Promise<Map<string, MessageRow[]>> {
  const out = new Map<string, MessageRow[]>();
  if (assignmentIds.length === 0) return out;
  const keys = sql.join(
    assignmentIds.map((id) => sql`${`assignment:${id}:%`}`),
    sql`, `,
  );
  const rows = await db
    .select()
    .from(messages)
    .where(and(eq(messages.orgId, orgId), sql`${messages.key} like any (array[${keys}])`))
    .orderBy(asc(messages.createdAt));
  for (const m of rows) {
    const id = m.key.split(':')[1]!;
    out.set(id, [...(out.get(id) ?? []), m]);
  }
  return out;
}

/** How many resends an assignment has had (each is its own message kind, so each goes once). */
export async function countResends(db: Queryable, orgId: string, assignmentId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(messages)
    .where(and(eq(messages.orgId, orgId), like(messages.key, `assignment:${assignmentId}:resend:%`)));
  return Number(row?.n ?? 0);
}

export type NewAssignment = typeof assignments.$inferInsert;

/**
 * Inserts an assignment. With a dedupe key, a second insert for the same client and key does
 * nothing and returns null (the protocol already made it).
 */
export async function insertAssignment(db: Queryable, values: NewAssignment): Promise<AssignmentRow | null> {
  const [row] = await db
    .insert(assignments)
    .values(values)
    .onConflictDoNothing({ target: [assignments.clientId, assignments.dedupeKey] })
    .returning();
  return row ?? null;
}

export async function setAssignment(db: Queryable, assignmentId: string, values: Partial<NewAssignment>): Promise<AssignmentRow> {
  const [row] = await db.update(assignments).set(values).where(eq(assignments.id, assignmentId)).returning();
  return row!;
}

/** The time zone and quiet hours that apply to a client's messages: the client's zone, else the organisation's. */
export async function messagingContext(db: Queryable, clientId: string) {
  const [row] = await db
    .select({ client: clients, orgName: organisations.name, settings: organisations.settings })
    .from(clients)
    .innerJoin(organisations, eq(organisations.id, clients.orgId))
    .where(eq(clients.id, clientId))
    .limit(1);
  if (!row) return null;
  return { ...row, timeZone: row.client.timeZone ?? row.settings.timeZone };
}

/**
 * Queues the job that sends an assignment's first message, at its scheduled time moved out of
 * quiet hours. The job key names the scheduled time, so moving an assignment queues a new job and
 * the old one finds the time changed and does nothing.
 */
export async function queueSend(db: Queryable, assignment: Pick<AssignmentRow, 'id' | 'orgId' | 'scheduledFor'>, quiet: { timeZone: string; quietHours: { start: string; end: string } }) {
  const runAt = nextSendTime(assignment.scheduledFor, quiet.timeZone, quiet.quietHours);
  await enqueueJob(db, {
    kind: 'assignment.send',
    key: `send:${assignment.id}:${assignment.scheduledFor.getTime()}`,
    runAt,
    orgId: assignment.orgId,
    payload: { assignmentId: assignment.id, scheduledFor: assignment.scheduledFor.toISOString() },
  });
  return runAt;
}

/** Assignments of these clients with these dedupe keys (what a protocol already made). */
export async function assignmentsByKey(db: Queryable, clientId: string, keys: string[]): Promise<Map<string, AssignmentRow>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .select()
    .from(assignments)
    .where(and(eq(assignments.clientId, clientId), inArray(assignments.dedupeKey, keys)))
    .for('update');
  return new Map(rows.map((r) => [r.dedupeKey!, r]));
}

/**
 * Episodes the sweep must look at: open (or closed within the look-back), and with something that
 * may be due — opened or closed recently, or an appointment starting from the look-back to a week
 * and an hour ahead (the longest `hoursBefore`), or changed recently.
 */
export async function episodesToSweep(db: Queryable, now: Date, lookbackMs: number) {
  const since = new Date(now.getTime() - lookbackMs);
  const sinceDate = since.toISOString().slice(0, 10);
  const until = new Date(now.getTime() + (168 + 1) * 3_600_000);
  return db
    .select()
    .from(episodes)
    .where(
      and(
        sql`(${episodes.endedOn} is null or ${episodes.endedOn} >= ${sinceDate})`,
        sql`(${episodes.createdAt} >= ${since} or ${episodes.endedOn} >= ${sinceDate} or exists (
          select 1 from ${appointments} a where a.episode_id = ${episodes.id}
            and ((a.starts_at >= ${since} and a.starts_at <= ${until}) or a.updated_at >= ${since})))`,
      ),
    )
    .orderBy(asc(episodes.orgId), asc(episodes.id));
}

export async function episodeAppointments(db: Queryable, episodeId: string) {
  return db.select().from(appointments).where(eq(appointments.episodeId, episodeId)).orderBy(asc(appointments.startsAt));
}
