import { and, asc, desc, eq, gt, ilike, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { careTeamMembers, clientConsents, clients, memberships, users } from '../../db/schema';
import { auditEventCte, auditEventValues, type AuditEventInput } from '../../audit/audit.queries';

export type ClientRow = typeof clients.$inferSelect;
export type ClientInsert = Omit<typeof clients.$inferInsert, 'id' | 'orgId' | 'createdAt' | 'updatedAt'>;

export async function getClient(db: Queryable, orgId: string, clientId: string): Promise<ClientRow | null> {
  const [row] = await db.select().from(clients).where(and(eq(clients.orgId, orgId), eq(clients.id, clientId), isNull(clients.erasedAt))).limit(1);
  return row ?? null;
}

export async function insertClient(db: Queryable, orgId: string, values: ClientInsert, now: Date): Promise<ClientRow> {
  const [row] = await db.insert(clients).values({ ...values, orgId, createdAt: now, updatedAt: now }).returning();
  return row!;
}

export async function updateClient(db: Queryable, orgId: string, clientId: string, values: Partial<ClientInsert>, now: Date) {
  const [row] = await db
    .update(clients)
    .set({ ...values, updatedAt: now })
    .where(and(eq(clients.orgId, orgId), eq(clients.id, clientId)))
    .returning();
  return row ?? null;
}

type Cursor = { f: string; g: string; id: string };
export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
export function decodeCursor(raw: string): Cursor | null {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    return typeof c.f === 'string' && typeof c.g === 'string' && typeof c.id === 'string' ? c : null;
  } catch {
    return null;
  }
}

/**
 * One page of clients ordered by family name, given name, id (keyset pagination: stable under
 * inserts, constant cost per page), with its audit event. `careTeamOf` limits the list to one
 * clinician's care teams.
 *
 * This is the busiest read, so it is one prepared statement per combination of filters, built
 * once per database handle, and the audit event is inserted by the same statement
 * (`auditEventCte`): the page and its event commit together, in one round trip
 * (bench/clients-list.bench.ts measures it).
 */
export async function listClients(
  db: Queryable,
  input: { orgId: string; careTeamOf?: string; q?: string; status: 'active' | 'inactive' | 'all'; limit: number; after?: Cursor | null },
  audit: AuditEventInput,
) {
  const { orgId, careTeamOf, q, status, limit, after } = input;
  const pattern = q ? `%${q.replace(/[\\%_]/g, (m) => '\\' + m)}%` : undefined;
  const shape: ListShape = { status: status !== 'all', careTeam: !!careTeamOf, search: !!pattern, after: !!after };
  const rows = await clientListStatement(db, shape).execute({
    ...auditEventValues(audit),
    orgId,
    status,
    careTeamOf,
    pattern,
    afterFamily: after?.f,
    afterGiven: after?.g,
    afterId: after?.id,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor({ f: last.familyName, g: last.givenName, id: last.id }) : null;
  return { items: page, nextCursor };
}

/** Which optional conditions a list query has: each combination is its own prepared statement. */
type ListShape = { status: boolean; careTeam: boolean; search: boolean; after: boolean };

const listStatements = new WeakMap<Queryable, Map<string, ReturnType<typeof prepareClientList>>>();
function clientListStatement(db: Queryable, shape: ListShape) {
  let byShape = listStatements.get(db);
  if (!byShape) listStatements.set(db, (byShape = new Map()));
  const key = Object.entries(shape).map(([k, on]) => (on ? k : '')).filter(Boolean).join('_') || 'all';
  let statement = byShape.get(key);
  if (!statement) byShape.set(key, (statement = prepareClientList(db, shape, `clients_list_${key}`)));
  return statement;
}

function prepareClientList(db: Queryable, shape: ListShape, name: string) {
  const p = sql.placeholder;
  const pattern = p('pattern');
  return db
    .with(auditEventCte(db))
    .select({ id: clients.id, givenName: clients.givenName, familyName: clients.familyName, preferredName: clients.preferredName, status: clients.status })
    .from(clients)
    .where(
      and(
        eq(clients.orgId, p('orgId')),
        // An erased client's tombstone is in no list.
        isNull(clients.erasedAt),
        shape.status ? eq(clients.status, p('status')) : undefined,
        shape.careTeam
          ? sql`exists (select 1 from ${careTeamMembers} where ${careTeamMembers.clientId} = ${clients.id} and ${careTeamMembers.userId} = ${p('careTeamOf')})`
          : undefined,
        shape.search
          ? or(ilike(clients.familyName, pattern), ilike(clients.givenName, pattern), ilike(clients.preferredName, pattern), ilike(clients.externalRef, pattern))
          : undefined,
        shape.after
          ? or(
              gt(clients.familyName, p('afterFamily')),
              and(eq(clients.familyName, p('afterFamily')), gt(clients.givenName, p('afterGiven'))),
              and(eq(clients.familyName, p('afterFamily')), eq(clients.givenName, p('afterGiven')), gt(clients.id, p('afterId'))),
            )
          : undefined,
      ),
    )
    .orderBy(asc(clients.familyName), asc(clients.givenName), asc(clients.id))
    .limit(p('limit'))
    .prepare(name);
}

/** The consent in force for each channel: the latest record per channel. */
export async function currentConsents(db: Queryable, orgId: string, clientId: string) {
  const rows = await db
    .select()
    .from(clientConsents)
    .where(and(eq(clientConsents.orgId, orgId), eq(clientConsents.clientId, clientId)))
    .orderBy(desc(clientConsents.recordedAt), desc(clientConsents.id));
  const latest = new Map<string, (typeof rows)[number]>();
  for (const r of rows) if (!latest.has(r.channel)) latest.set(r.channel, r);
  return [...latest.values()];
}

export async function consentHistory(db: Queryable, orgId: string, clientId: string) {
  return db
    .select()
    .from(clientConsents)
    .where(and(eq(clientConsents.orgId, orgId), eq(clientConsents.clientId, clientId)))
    .orderBy(desc(clientConsents.recordedAt));
}

export async function recordConsent(db: Queryable, values: typeof clientConsents.$inferInsert) {
  const [row] = await db.insert(clientConsents).values(values).returning();
  return row!;
}

export async function listCareTeam(db: Queryable, orgId: string, clientId: string) {
  return db
    .select({ userId: careTeamMembers.userId, displayName: users.displayName, role: memberships.role, addedAt: careTeamMembers.addedAt })
    .from(careTeamMembers)
    .innerJoin(users, eq(users.id, careTeamMembers.userId))
    .innerJoin(memberships, and(eq(memberships.userId, careTeamMembers.userId), eq(memberships.orgId, careTeamMembers.orgId)))
    .where(and(eq(careTeamMembers.orgId, orgId), eq(careTeamMembers.clientId, clientId)))
    .orderBy(asc(users.displayName));
}

/** Which of these users are active staff of the organisation (care-team members must be). */
export async function activeStaffIds(db: Queryable, orgId: string, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.status, 'active'), inArray(memberships.userId, userIds)));
  return new Set(rows.map((r) => r.userId));
}

export async function addCareTeamMembers(db: Queryable, orgId: string, clientId: string, userIds: string[], now: Date) {
  if (userIds.length === 0) return;
  await db
    .insert(careTeamMembers)
    .values(userIds.map((userId) => ({ orgId, clientId, userId, addedAt: now })))
    .onConflictDoNothing();
}

export async function removeCareTeamMember(db: Queryable, orgId: string, clientId: string, userId: string) {
  const removed = await db
    .delete(careTeamMembers)
    .where(and(eq(careTeamMembers.orgId, orgId), eq(careTeamMembers.clientId, clientId), eq(careTeamMembers.userId, userId)))
    .returning({ userId: careTeamMembers.userId });
  return removed.length > 0;
}
