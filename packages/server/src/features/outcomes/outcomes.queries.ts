import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { episodeOutcomes } from '../../db/schema';
import { loadEpisodes } from '../alliance/episode-data';
import { episodeOutcomeOf } from './outcomes.compute';

export type EpisodeOutcomeRow = typeof episodeOutcomes.$inferSelect;

/**
 * Computes the episode's outcome from its stored scores and appointments and stores it (one row per
 * episode, replaced each time): final when the episode is closed, provisional while it is open.
 * Returns null when the episode is not this organisation's.
 */
export async function refreshEpisodeOutcome(db: Queryable, orgId: string, episodeId: string, now: Date): Promise<EpisodeOutcomeRow | null> {
  const [data] = await loadEpisodes(db, { orgId, episodeIds: [episodeId] });
  if (!data) return null;
  const values = { ...episodeOutcomeOf(data), computedAt: now };
  const [row] = await db
    .insert(episodeOutcomes)
    .values({ orgId, clientId: data.clientId, episodeId, ...values })
    .onConflictDoUpdate({ target: episodeOutcomes.episodeId, set: values })
    .returning();
  return row!;
}

/** The stored outcome of an episode of this client, or null. */
export async function getEpisodeOutcome(db: Queryable, orgId: string, clientId: string, episodeId: string): Promise<EpisodeOutcomeRow | null> {
  const [row] = await db
    .select()
    .from(episodeOutcomes)
    .where(and(eq(episodeOutcomes.orgId, orgId), eq(episodeOutcomes.clientId, clientId), eq(episodeOutcomes.episodeId, episodeId)))
    .limit(1);
  return row ?? null;
}
