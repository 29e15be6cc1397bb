import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { programmes } from '../../db/schema';

export type ProgrammeRow = typeof programmes.$inferSelect;

export async function listProgrammes(db: Queryable, orgId: string, includeArchived: boolean): Promise<ProgrammeRow[]> {
  return db
    .select()
    .from(programmes)
    .where(and(eq(programmes.orgId, orgId), includeArchived ? undefined : isNull(programmes.archivedAt)))
    .orderBy(asc(programmes.name), asc(programmes.id));
}

export async function getProgramme(db: Queryable, orgId: string, programmeId: string): Promise<ProgrammeRow | null> {
  const [row] = await db.select().from(programmes).where(and(eq(programmes.orgId, orgId), eq(programmes.id, programmeId))).limit(1);
  return row ?? null;
}

/** Whether another live (not archived) programme of the organisation already has this name, ignoring case. */
export async function isProgrammeNameTaken(db: Queryable, orgId: string, name: string, exceptId?: string): Promise<boolean> {
  const [row] = await db
    .select({ id: programmes.id })
    .from(programmes)
    .where(
      and(
        eq(programmes.orgId, orgId),
        isNull(programmes.archivedAt),
        sql`lower(${programmes.name}) = lower(${name})`,
        exceptId ? ne(programmes.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  return !!row;
}

export async function insertProgramme(db: Queryable, orgId: string, values: { name: string; description?: string | null }, now: Date) {
  const [row] = await db
    .insert(programmes)
    .values({ orgId, name: values.name, description: values.description ?? null, createdAt: now })
    .returning();
  return row!;
}

export async function updateProgramme(db: Queryable, orgId: string, programmeId: string, values: { name?: string; description?: string | null }) {
  if (Object.keys(values).length === 0) return getProgramme(db, orgId, programmeId);
  const [row] = await db
    .update(programmes)
    .set(values)
    .where(and(eq(programmes.orgId, orgId), eq(programmes.id, programmeId)))
    .returning();
  return row ?? null;
}

/** Archives a programme (kept for history: episodes still point at it). Archiving twice keeps the first date. */
export async function archiveProgramme(db: Queryable, orgId: string, programmeId: string, now: Date) {
  const [row] = await db
    .update(programmes)
    .set({ archivedAt: sql`coalesce(${programmes.archivedAt}, ${now})` })
    .where(and(eq(programmes.orgId, orgId), eq(programmes.id, programmeId)))
    .returning();
  return row ?? null;
}
