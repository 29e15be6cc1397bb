import { createHmac, randomInt } from 'node:crypto';
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { kioskCodes, kioskDevices } from '../../db/schema';
import { hashToken, randomToken } from '../../lib/crypto';

export type KioskDeviceRow = typeof kioskDevices.$inferSelect;

/** Issue 4 §3: a kiosk code is valid 30 minutes, once. */
export const KIOSK_CODE_VALID_MS = 30 * 60_000;
/** Issue 4 §3: the device locks after 5 wrong codes, until an admin unlocks it. */
export const KIOSK_MAX_FAILURES = 5;

/**
 * The stored form of a kiosk code. Six digits are guessable offline from a plain hash, so codes are
 * HMAC-SHA256 with the server key, bound to the organisation.
 */
export function kioskCodeHash(secretKey: string, orgId: string, code: string): string {
  return createHmac('sha256', Buffer.from(secretKey, 'hex')).update(`${orgId}:${code}`).digest('hex');
}

/** Registers a device; the token (48 random bytes) is returned once and only its hash is kept. */
export async function registerDevice(db: Queryable, input: { orgId: string; name: string; createdBy: string; now: Date }) {
  const token = randomToken(48);
  const [device] = await db
    .insert(kioskDevices)
    .values({ orgId: input.orgId, name: input.name, tokenHash: hashToken(token), createdBy: input.createdBy, createdAt: input.now })
    .returning();
  return { device: device!, token };
}

export async function listDevices(db: Queryable, orgId: string): Promise<KioskDeviceRow[]> {
  return db.select().from(kioskDevices).where(eq(kioskDevices.orgId, orgId)).orderBy(asc(kioskDevices.createdAt), asc(kioskDevices.id));
}

export async function unlockDevice(db: Queryable, orgId: string, deviceId: string): Promise<KioskDeviceRow | null> {
  const [row] = await db
    .update(kioskDevices)
    .set({ failedAttempts: 0, lockedAt: null })
    .where(and(eq(kioskDevices.orgId, orgId), eq(kioskDevices.id, deviceId), isNull(kioskDevices.revokedAt)))
    .returning();
  return row ?? null;
}

export async function revokeDevice(db: Queryable, orgId: string, deviceId: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(kioskDevices)
    .set({ revokedAt: now })
    .where(and(eq(kioskDevices.orgId, orgId), eq(kioskDevices.id, deviceId), isNull(kioskDevices.revokedAt)))
    .returning({ id: kioskDevices.id });
  return rows.length > 0;
}

/** The device a setup token names, if it is still registered. */
export async function findDeviceByToken(db: Queryable, token: string) {
  const [row] = await db.select().from(kioskDevices).where(and(eq(kioskDevices.tokenHash, hashToken(token)), isNull(kioskDevices.revokedAt))).limit(1);
  return row ?? null;
}

/**
 * Makes a 6-digit code for an assignment. A code that collides with another live code of the same
 * clinic is drawn again, so a code always names exactly one assignment.
 */
export async function createKioskCode(db: Queryable, input: { orgId: string; assignmentId: string; createdBy: string; now: Date; secretKey: string }) {
  const expiresAt = new Date(input.now.getTime() + KIOSK_CODE_VALID_MS);
  for (;;) {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const codeHash = kioskCodeHash(input.secretKey, input.orgId, code);
    const [live] = await db
      .select({ id: kioskCodes.id })
      .from(kioskCodes)
      .where(and(eq(kioskCodes.orgId, input.orgId), eq(kioskCodes.codeHash, codeHash), isNull(kioskCodes.usedAt), gt(kioskCodes.expiresAt, input.now)))
      .limit(1);
    if (live) continue;
    await db.insert(kioskCodes).values({ orgId: input.orgId, assignmentId: input.assignmentId, codeHash, expiresAt, createdBy: input.createdBy, createdAt: input.now });
    return { code, expiresAt };
  }
}

/** Spends a live code of the device's clinic; returns its assignment id, or null for a wrong, used or expired code. */
export async function redeemKioskCode(db: Queryable, input: { orgId: string; code: string; now: Date; secretKey: string }): Promise<string | null> {
  const codeHash = kioskCodeHash(input.secretKey, input.orgId, input.code);
  const [row] = await db
    .update(kioskCodes)
    .set({ usedAt: input.now })
    .where(and(eq(kioskCodes.orgId, input.orgId), eq(kioskCodes.codeHash, codeHash), isNull(kioskCodes.usedAt), gt(kioskCodes.expiresAt, input.now)))
    .returning({ assignmentId: kioskCodes.assignmentId });
  return row?.assignmentId ?? null;
}

/** Counts a wrong code; the fifth locks the device. Returns whether it is now locked. */
export async function recordWrongCode(db: Queryable, deviceId: string, now: Date): Promise<boolean> {
  const [row] = await db
    .update(kioskDevices)
    .set({
      failedAttempts: sql`${kioskDevices.failedAttempts} + 1`,
      lockedAt: sql`case when ${kioskDevices.failedAttempts} + 1 >= ${KIOSK_MAX_FAILURES} then coalesce(${kioskDevices.lockedAt}, ${now}) else ${kioskDevices.lockedAt} end`,
    })
    .where(eq(kioskDevices.id, deviceId))
    .returning({ lockedAt: kioskDevices.lockedAt });
  return !!row?.lockedAt;
}

export async function resetWrongCodes(db: Queryable, deviceId: string): Promise<void> {
  await db.update(kioskDevices).set({ failedAttempts: 0 }).where(eq(kioskDevices.id, deviceId));
}
