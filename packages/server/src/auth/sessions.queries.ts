import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db/database';
import { memberships, sessions, type Role } from '../db/schema';
import { hashToken, randomToken } from '../lib/crypto';

export type SessionPolicy = { idleMinutes: number; absoluteHours: number };
export type SessionStage = (typeof sessions.$inferSelect)['stage'];

/** Starts a session and returns the cookie token (256 bits); only its hash is stored. */
export async function createSession(
  db: Queryable,
  input: { userId: string; orgId: string; stage: SessionStage; now: Date; policy: SessionPolicy },
): Promise<{ token: string; sessionId: string }> {
  const token = randomToken(32);
  const [row] = await db
    .insert(sessions)
    .values({
      tokenHash: hashToken(token),
      userId: input.userId,
      orgId: input.orgId,
      stage: input.stage,
      lastSeenAt: input.now,
      expiresAt: new Date(input.now.getTime() + input.policy.absoluteHours * 3_600_000),
    })
    .returning({ id: sessions.id });
  return { token, sessionId: row!.id };
}

export type ActiveSession = {
  sessionId: string;
  userId: string;
  orgId: string;
  role: Role;
  stage: SessionStage;
  lastSeenAt: Date;
};

/**
 * The live session for a cookie token, or null: unknown, revoked, past its absolute or idle
 * limit, or the user's membership is no longer active (a deactivated user's next request is 401).
 */
export async function findActiveSession(db: Queryable, token: string, now: Date, policy: SessionPolicy): Promise<ActiveSession | null> {
  const [row] = await sessionLookup(db).execute({ tokenHash: hashToken(token) });
  if (!row || row.revokedAt || row.status !== 'active') return null;
  if (row.expiresAt <= now) return null;
  if (row.lastSeenAt.getTime() + policy.idleMinutes * 60_000 <= now.getTime()) return null;
  return { sessionId: row.sessionId, userId: row.userId, orgId: row.orgId, role: row.role, stage: row.stage, lastSeenAt: row.lastSeenAt };
}

/**
 * The session lookup runs on every request, so it is built once per database handle as a
 * prepared statement (Drizzle's `prepare`) instead of rebuilding the same SQL each time.
 */
const sessionLookups = new WeakMap<Queryable, ReturnType<typeof prepareSessionLookup>>();
function sessionLookup(db: Queryable) {
  let prepared = sessionLookups.get(db);
  if (!prepared) sessionLookups.set(db, (prepared = prepareSessionLookup(db)));
  return prepared;
}
function prepareSessionLookup(db: Queryable) {
  return db
    .select({
      sessionId: sessions.id,
      userId: sessions.userId,
      orgId: sessions.orgId,
      stage: sessions.stage,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      revokedAt: sessions.revokedAt,
      role: memberships.role,
      status: memberships.status,
    })
    .from(sessions)
    .innerJoin(memberships, and(eq(memberships.userId, sessions.userId), eq(memberships.orgId, sessions.orgId)))
    .where(eq(sessions.tokenHash, sql.placeholder('tokenHash')))
    .limit(1)
    .prepare('find_active_session');
}

/** Records activity for the idle timeout; at most once a minute per session to spare writes. */
export async function touchSession(db: Queryable, session: ActiveSession, now: Date): Promise<void> {
  if (now.getTime() - session.lastSeenAt.getTime() < 60_000) return;
  await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, session.sessionId));
}

export async function revokeSession(db: Queryable, sessionId: string, now: Date): Promise<void> {
  await db.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/** Ends every session of a user (password reset, deactivation, MFA reset), or only in one organisation. */
export async function revokeUserSessions(db: Queryable, userId: string, now: Date, orgId?: string): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), orgId ? eq(sessions.orgId, orgId) : sql`true`));
}
