import { and, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { memberships, organisations, type OrganisationSettings, type Role } from '../../db/schema';
import { defaultOrganisationSettings } from './organisations.schema';

export type OrganisationRow = typeof organisations.$inferSelect;

export async function createOrganisation(db: Queryable, input: { name: string; settings?: Partial<OrganisationSettings> }, now: Date) {
  const [row] = await db
    .insert(organisations)
    .values({ name: input.name, settings: { ...defaultOrganisationSettings, ...input.settings }, createdAt: now, updatedAt: now })
    .returning();
  return row!;
}

export async function getOrganisation(db: Queryable, orgId: string) {
  const [row] = await db.select().from(organisations).where(eq(organisations.id, orgId)).limit(1);
  return row ?? null;
}

/**
 * Reads the organisation row locked for update, so two admins saving settings at once cannot
 * lose each other's change (each merge starts from the settings the other committed).
 */
export async function getOrganisationForUpdate(db: Queryable, orgId: string) {
  const [row] = await db.select().from(organisations).where(eq(organisations.id, orgId)).for('update').limit(1);
  return row ?? null;
}

export async function updateOrganisation(db: Queryable, orgId: string, values: { name?: string; settings?: OrganisationSettings }, now: Date) {
  const [row] = await db
    .update(organisations)
    .set({ ...values, updatedAt: now })
    .where(eq(organisations.id, orgId))
    .returning();
  return row!;
}

/** Whether the user is an active member of the organisation with one of these roles. */
export async function isActiveMemberWithRole(db: Queryable, orgId: string, userId: string, roles: readonly Role[]): Promise<boolean> {
  const [row] = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId), eq(memberships.status, 'active'), inArray(memberships.role, [...roles])))
    .limit(1);
  return !!row;
}
