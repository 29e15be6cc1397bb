import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { clients, episodes } from '../../db/schema';

export type EpisodeRow = typeof episodes.$inferSelect;
type EpisodeValues = Pick<typeof episodes.$inferInsert, 'programmeId' | 'primaryClinicianId' | 'presentingProblem' | 'startedOn'>;

export async function listEpisodes(db: Queryable, orgId: string, clientId: string): Promise<EpisodeRow[]> {
  return db
    .select()
    .from(episodes)
    .where(and(eq(episodes.orgId, orgId), eq(episodes.clientId, clientId)))
    .orderBy(desc(episodes.startedOn), desc(episodes.createdAt));
}

export async function getEpisode(db: Queryable, orgId: string, clientId: string, episodeId: string, options: { lock?: boolean } = {}) {
  const query = db
    .select()
    .from(episodes)
    .where(and(eq(episodes.orgId, orgId), eq(episodes.clientId, clientId), eq(episodes.id, episodeId)))
    .limit(1);
  const [row] = options.lock ? await query.for('update') : await query;
  return row ?? null;
}

/** The client's open episode (at most one), or null. */
export async function findOpenEpisode(db: Queryable, orgId: string, clientId: string): Promise<EpisodeRow | null> {
  const [row] = await db
    .select()
    .from(episodes)
    .where(and(eq(episodes.orgId, orgId), eq(episodes.clientId, clientId), isNull(episodes.endedOn)))
    .orderBy(desc(episodes.startedOn))
    .limit(1);
  return row ?? null;
}

/**
 * Locks the client's row for the rest of the transaction. Rules about a client's episodes ("at
 * most one open") are checked after this, so two requests cannot both pass the check.
 */
export async function lockClient(db: Queryable, orgId: string, clientId: string): Promise<void> {
  await db.select({ id: clients.id }).from(clients).where(and(eq(clients.orgId, orgId), eq(clients.id, clientId))).for('update');
}

export async function insertEpisode(db: Queryable, orgId: string, clientId: string, values: EpisodeValues, now: Date): Promise<EpisodeRow> {
  const [row] = await db.insert(episodes).values({ ...values, orgId, clientId, createdAt: now }).returning();
  return row!;
}

export async function updateEpisode(db: Queryable, orgId: string, episodeId: string, values: Partial<EpisodeValues>): Promise<EpisodeRow> {
  const [row] = Object.keys(values).length
    ? await db.update(episodes).set(values).where(and(eq(episodes.orgId, orgId), eq(episodes.id, episodeId))).returning()
    : await db.select().from(episodes).where(and(eq(episodes.orgId, orgId), eq(episodes.id, episodeId)));
  return row!;
}

export async function closeEpisode(
  db: Queryable,
  orgId: string,
  episodeId: string,
  values: { endedOn: string; endReason: NonNullable<EpisodeRow['endReason']> },
): Promise<EpisodeRow> {
  const [row] = await db.update(episodes).set(values).where(and(eq(episodes.orgId, orgId), eq(episodes.id, episodeId))).returning();
  return row!;
}
