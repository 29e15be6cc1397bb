import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { apiTokens, type ApiTokenScope } from '../../db/schema';
import { hashToken, randomToken } from '../../lib/crypto';

export type ApiTokenRow = typeof apiTokens.$inferSelect;

/** Prefix of every API token, so a leaked one is recognisable (secret scanners, logs). */
export const API_TOKEN_PREFIX = 'rpt_';

/** Makes a token: 256 random bits, returned once; only its SHA-256 is stored. */
export async function createApiToken(
  db: Queryable,
  input: { orgId: string; name: string; scopes: ApiTokenScope[]; createdBy: string; expiresAt: Date; now: Date },
): Promise<{ row: ApiTokenRow; token: string }> {
  const token = `${API_TOKEN_PREFIX}${randomToken(32)}`;
  const [row] = await db
    .insert(apiTokens)
    .values({
      orgId: input.orgId,
      name: input.name,
      scopes: [...new Set(input.scopes)],
      tokenHash: hashToken(token),
      createdBy: input.createdBy,
      createdAt: input.now,
      expiresAt: input.expiresAt,
    })
    .returning();
  return { row: row!, token };
}

export async function listApiTokens(db: Queryable, orgId: string): Promise<ApiTokenRow[]> {
  return db.select().from(apiTokens).where(eq(apiTokens.orgId, orgId)).orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
}

/** Revokes a token of the organisation (idempotent: a revoked token keeps its first revocation time); null when there is none. */
export async function revokeApiToken(db: Queryable, input: { orgId: string; tokenId: string; now: Date }): Promise<ApiTokenRow | null> {
  const [revoked] = await db
    .update(apiTokens)
    .set({ revokedAt: input.now })
    .where(and(eq(apiTokens.orgId, input.orgId), eq(apiTokens.id, input.tokenId), isNull(apiTokens.revokedAt)))
    .returning();
  if (revoked) return revoked;
  const [existing] = await db.select().from(apiTokens).where(and(eq(apiTokens.orgId, input.orgId), eq(apiTokens.id, input.tokenId))).limit(1);
  return existing ?? null;
}

/**
 * The live token a bearer secret names: not revoked, not expired at `now`. Records its use at most
 * once a minute (so a busy integration does not write on every request). Null otherwise.
 */
export async function findActiveApiToken(db: Queryable, token: string, now: Date): Promise<ApiTokenRow | null> {
  if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return null;
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hashToken(token))).limit(1);
  if (!row || row.revokedAt || row.expiresAt <= now) return null;
  const minuteAgo = new Date(now.getTime() - 60_000);
  if (!row.lastUsedAt || row.lastUsedAt < minuteAgo) {
    await db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(apiTokens.id, row.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, minuteAgo))));
  }
  return row;
}
