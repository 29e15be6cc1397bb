import { createHmac } from 'node:crypto';
import { and, asc, count, eq, gt, isNull, lte, max } from 'drizzle-orm';
import type { Queryable } from '../db/database';
import { memberships, organisations, signInFailures, userTokens, users } from '../db/schema';
import { hashToken, randomToken } from '../lib/crypto';

export async function findUserByEmail(db: Queryable, email: string) {
  const [user] = await db.select().from(users).where(eq(users.email, email.toLowerCase())).limit(1);
  return user ?? null;
}

export async function findUser(db: Queryable, userId: string) {
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  return user ?? null;
}

/** The user's active memberships with their organisation's name and MFA policy, oldest first. */
export async function activeMemberships(db: Queryable, userId: string) {
  return db
    .select({ orgId: memberships.orgId, role: memberships.role, name: organisations.name, settings: organisations.settings })
    .from(memberships)
    .innerJoin(organisations, eq(organisations.id, memberships.orgId))
    .where(and(eq(memberships.userId, userId), eq(memberships.status, 'active')))
    .orderBy(asc(memberships.createdAt));
}

/**
 * The key failed sign-ins are counted under: an HMAC of the (lower-cased) email address with the
 * server key. A plain hash of an address could be reversed by hashing guessed addresses.
 */
export function failureKeyOf(secretKey: string, email: string): string {
  return createHmac('sha256', Buffer.from(secretKey, 'hex')).update(`rapport sign-in failures v1:${email.trim().toLowerCase()}`).digest('hex');
}

/** Failed sign-ins for this address in the window, and the latest one. */
export async function recentFailures(db: Queryable, emailKey: string, since: Date) {
  const [row] = await db
    .select({ n: count(), last: max(signInFailures.at) })
    .from(signInFailures)
    .where(and(eq(signInFailures.emailKey, emailKey), gt(signInFailures.at, since)));
  return { count: Number(row?.n ?? 0), last: row?.last ? new Date(row.last) : null };
}

/**
 * Records a failure for this address and deletes every failure (of any address) older than the
 * window, which no longer counts: the table holds at most one window of failures, however many
 * addresses are tried.
 */
export async function recordFailure(db: Queryable, emailKey: string, at: Date, windowMs: number) {
  await db.insert(signInFailures).values({ emailKey, at });
  await db.delete(signInFailures).where(lte(signInFailures.at, new Date(at.getTime() - windowMs)));
}

export async function clearFailures(db: Queryable, emailKey: string) {
  await db.delete(signInFailures).where(eq(signInFailures.emailKey, emailKey));
}

/** Issues a single-use emailed token (invitation or password reset); returns the token itself. */
export async function issueUserToken(
  db: Queryable,
  input: { userId: string; orgId?: string | null; kind: 'invite' | 'password_reset'; now: Date; validForMs: number },
): Promise<string> {
  const token = randomToken(32);
  await db.insert(userTokens).values({
    userId: input.userId,
    orgId: input.orgId ?? null,
    kind: input.kind,
    tokenHash: hashToken(token),
    expiresAt: new Date(input.now.getTime() + input.validForMs),
  });
  return token;
}

/** A valid, unused, unexpired token, without using it up (null otherwise). */
export async function findUsableUserToken(db: Queryable, token: string, kind: 'invite' | 'password_reset', now: Date) {
  const [row] = await db
    .select()
    .from(userTokens)
    .where(and(eq(userTokens.tokenHash, hashToken(token)), eq(userTokens.kind, kind), isNull(userTokens.usedAt), gt(userTokens.expiresAt, now)))
    .limit(1);
  return row ?? null;
}

/** Marks a valid, unused, unexpired token used and returns it; null otherwise. Single use even under races. */
export async function consumeUserToken(db: Queryable, token: string, kind: 'invite' | 'password_reset', now: Date) {
  const [row] = await db
    .update(userTokens)
    .set({ usedAt: now })
    .where(and(eq(userTokens.tokenHash, hashToken(token)), eq(userTokens.kind, kind), isNull(userTokens.usedAt), gt(userTokens.expiresAt, now)))
    .returning();
  return row ?? null;
}

/** Voids every outstanding token of a kind for a user (a completed reset ends any other reset link). */
export async function voidUserTokens(db: Queryable, userId: string, kind: 'invite' | 'password_reset', now: Date) {
  await db
    .update(userTokens)
    .set({ usedAt: now })
    .where(and(eq(userTokens.userId, userId), eq(userTokens.kind, kind), isNull(userTokens.usedAt)));
}
