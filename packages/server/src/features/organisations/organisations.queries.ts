import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { organisations, type OrganisationSettings } from '../../db/schema';
import { defaultOrganisationSettings } from './organisations.schema';

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
