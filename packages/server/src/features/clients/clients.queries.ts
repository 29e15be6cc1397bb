import { and, asc, desc, eq, gt, ilike, inArray, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { careTeamMembers, clientConsents, clients, memberships, users } from '../../db/schema';

export type ClientRow = typeof clients.$inferSelect;
export type ClientInsert = Omit<typeof clients.$inferInsert, 'id' | 'orgId' | 'createdAt' | 'updatedAt'>;

export async function getClient(db: Queryable, orgId: string, clientId: string): Promise<ClientRow | null> {
  const [row] = await db.select().from(clients).where(and(eq(clients.orgId, orgId), eq(clients.id, clientId))).limit(1);
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
 * inserts, constant cost per page). `careTeamOf` limits the list to one clinician's care teams.
 */
export async function listClients(
  db: Queryable,
  input: { orgId: string; careTeamOf?: string; q?: string; status: 'active' | 'inactive' | 'all'; limit: number; after?: Cursor | null },
) {
  const { orgId, careTeamOf, q, status, limit, after } = input;
  const pattern = q ? `%${q.replace(/[\\%_]/g, (m) => '\\' + m)}%` : undefined;
  const rows = await db
    .select({ id: clients.id, givenName: clients.givenName, familyName: clients.familyName, preferredName: clients.preferredName, status: clients.status })
    .from(clients)
    .where(
      and(
        eq(clients.orgId, orgId),
        status === 'all' ? undefined : eq(clients.status, status),
        careTeamOf
          ? sql`exists (select 1 from ${careTeamMembers} where ${careTeamMembers.clientId} = ${clients.id} and ${careTeamMembers.userId} = ${careTeamOf})`
          : undefined,
        pattern
          ? or(ilike(clients.familyName, pattern), ilike(clients.givenName, pattern), ilike(clients.preferredName, pattern), ilike(clients.externalRef, pattern))
          : undefined,
        after
          ? or(
              gt(clients.familyName, after.f),
              and(eq(clients.familyName, after.f), gt(clients.givenName, after.g)),
              and(eq(clients.familyName, after.f), eq(clients.givenName, after.g), gt(clients.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(asc(clients.familyName), asc(clients.givenName), asc(clients.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor({ f: last.familyName, g: last.givenName, id: last.id }) : null;
  return { items: page, nextCursor };
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
