import { and, asc, eq, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { memberships, organisations, recoveryCodes, userTokens, users, type Role } from '../../db/schema';

type MembershipStatus = (typeof memberships.$inferSelect)['status'];

/**
 * Until a member accepts the invitation, the organisation sees the name its admin typed and no MFA:
 * the account may be someone's at another clinic, and nothing of it is this one's to see before they
 * join (see `memberships.invitedDisplayName`).
 */
const shownName = sql<string>`coalesce(${memberships.invitedDisplayName}, ${users.displayName})`;
const staffColumns = {
  id: users.id,
  email: users.email,
  displayName: shownName,
  mfaEnabledAt: sql<Date | null>`case when ${memberships.invitedDisplayName} is null then ${users.mfaEnabledAt} end`.mapWith(users.mfaEnabledAt),
  hasJoined: sql<boolean>`${memberships.invitedDisplayName} is null`.mapWith(Boolean),
  locale: users.locale,
  role: memberships.role,
  status: memberships.status,
  experienceYears: memberships.experienceYears,
  trainee: memberships.trainee,
  calibrationConsent: memberships.calibrationConsent,
  joinedAt: memberships.createdAt,
  deactivatedAt: memberships.deactivatedAt,
};

/** A person as a member of one organisation: identity from `users`, role and status from `memberships`. */
export type StaffMemberRow = {
  id: string;
  email: string;
  displayName: string;
  mfaEnabledAt: Date | null;
  /** They accepted an invitation to this organisation (or were added without one). */
  hasJoined: boolean;
  locale: string;
  role: Role;
  status: MembershipStatus;
  experienceYears: number | null;
  trainee: boolean;
  calibrationConsent: boolean;
  joinedAt: Date;
  deactivatedAt: Date | null;
};

export async function listStaff(db: Queryable, orgId: string, status: MembershipStatus | 'all'): Promise<StaffMemberRow[]> {
  return db
    .select(staffColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), status === 'all' ? undefined : eq(memberships.status, status)))
    .orderBy(asc(shownName), asc(users.id));
}

/** One member of the organisation (any status), or null: another organisation's user does not exist here. */
export async function getStaffMember(db: Queryable, orgId: string, userId: string, options: { lock?: boolean } = {}): Promise<StaffMemberRow | null> {
  const query = db
    .select(staffColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .limit(1);
  const [row] = options.lock ? await query.for('update', { of: memberships }) : await query;
  return row ?? null;
}

/** The organisation's active admins, locked so two concurrent demotions cannot remove the last one. */
export async function lockActiveAdminIds(db: Queryable, orgId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'admin'), eq(memberships.status, 'active')))
    .for('update');
  return rows.map((r) => r.userId);
}

/**
 * Finds the user by email or creates one without a password (they choose it when accepting),
 * then adds an `invited` membership showing the typed name. Returns null when they already belong
 * to the organisation; an outstanding or withdrawn (deactivated before it was accepted) invitation
 * is simply invited again. `hasPassword`: they already
 * have an account they sign in with, and accept with its password (which stays as it is).
 */
export async function inviteStaff(
  db: Queryable,
  input: { orgId: string; email: string; displayName: string; role: Role; experienceYears?: number | null; trainee?: boolean; now: Date },
): Promise<{ userId: string; isNewUser: boolean; hasPassword: boolean } | null> {
  const inserted = await db
    .insert(users)
    .values({ email: input.email, displayName: input.displayName, createdAt: input.now })
    .onConflictDoNothing()
    .returning({ id: users.id });
  const isNewUser = inserted.length > 0;
  const [user] = isNewUser
    ? inserted.map((u) => ({ ...u, passwordHash: null }))
    : await db.select({ id: users.id, passwordHash: users.passwordHash }).from(users).where(eq(users.email, input.email)).limit(1);
  const userId = user!.id;
  const hasPassword = !!user!.passwordHash;
  const values = { role: input.role, experienceYears: input.experienceYears ?? null, trainee: input.trainee ?? false, invitedDisplayName: input.displayName };
  const added = await db
    .insert(memberships)
    .values({ orgId: input.orgId, userId, status: 'invited', createdAt: input.now, ...values })
    .onConflictDoNothing()
    .returning({ id: memberships.id });
  if (added.length > 0) return { userId, isNewUser, hasPassword };
  const again = await db
    .update(memberships)
    .set({ ...values, status: 'invited', deactivatedAt: null })
    .where(
      and(
        eq(memberships.orgId, input.orgId),
        eq(memberships.userId, userId),
        or(eq(memberships.status, 'invited'), and(eq(memberships.status, 'deactivated'), isNotNull(memberships.invitedDisplayName))),
      ),
    )
    .returning({ id: memberships.id });
  return again.length > 0 ? { userId, isNewUser: false, hasPassword } : null;
}

export async function updateMembership(
  db: Queryable,
  orgId: string,
  userId: string,
  values: { role?: Role; experienceYears?: number | null; trainee?: boolean; calibrationConsent?: boolean },
): Promise<void> {
  if (Object.keys(values).length === 0) return;
  await db.update(memberships).set(values).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
}

export async function setMembershipStatus(db: Queryable, orgId: string, userId: string, status: 'active' | 'deactivated', now: Date): Promise<void> {
  await db
    .update(memberships)
    .set({ status, deactivatedAt: status === 'deactivated' ? now : null })
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
}

/** Makes the user's unused invitations to this organisation unusable (used now). */
export async function withdrawInvitations(db: Queryable, orgId: string, userId: string, now: Date): Promise<void> {
  await db
    .update(userTokens)
    .set({ usedAt: now })
    .where(and(eq(userTokens.userId, userId), eq(userTokens.orgId, orgId), eq(userTokens.kind, 'invite'), isNull(userTokens.usedAt)));
}

/** Removes the user's second factor and recovery codes; they enrol again at their next sign-in. */
export async function clearMfa(db: Queryable, userId: string): Promise<void> {
  await db.update(users).set({ mfaSecret: null, mfaEnabledAt: null }).where(eq(users.id, userId));
  await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
}

export async function setUserLocale(db: Queryable, userId: string, locale: string): Promise<void> {
  await db.update(users).set({ locale }).where(eq(users.id, userId));
}

/** A person's own urgent-alert SMS settings (on `users`: the same number and consent in every clinic they belong to). */
export type UrgentSmsSettings = { alertMobile: string | null; smsUrgentAlerts: boolean; smsUrgentAlertsSetAt: Date | null };

export async function getUrgentSmsSettings(db: Queryable, userId: string, options: { lock?: boolean } = {}): Promise<UrgentSmsSettings> {
  const query = db
    .select({ alertMobile: users.alertMobile, smsUrgentAlerts: users.smsUrgentAlerts, smsUrgentAlertsSetAt: users.smsUrgentAlertsSetAt })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  const [row] = options.lock ? await query.for('update') : await query;
  return row ?? { alertMobile: null, smsUrgentAlerts: false, smsUrgentAlertsSetAt: null };
}

export async function setUrgentSmsSettings(db: Queryable, userId: string, values: UrgentSmsSettings): Promise<void> {
  await db.update(users).set(values).where(eq(users.id, userId));
}

/**
 * The mobile numbers to text about an urgent item, by user id: only those of `userIds` who consented
 * and have a number. The numbers are personal data: pass them to the SMS transport, never to a log.
 */
export async function urgentSmsNumbers(db: Queryable, userIds: string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .select({ userId: users.id, mobile: users.alertMobile })
    .from(users)
    .where(and(inArray(users.id, userIds), eq(users.smsUrgentAlerts, true), isNotNull(users.alertMobile)));
  return new Map(rows.map((r) => [r.userId, r.mobile!]));
}

/** Whether the organisation's settings name this user as the on-call supervisor. */
export async function isOnCallSupervisor(db: Queryable, orgId: string, userId: string): Promise<boolean> {
  const [row] = await db.select({ settings: organisations.settings }).from(organisations).where(eq(organisations.id, orgId)).limit(1);
  return row?.settings.onCallSupervisorUserId === userId;
}
