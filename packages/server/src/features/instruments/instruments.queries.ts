import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { orgInstruments, users } from '../../db/schema';

export type OrgInstrumentRow = typeof orgInstruments.$inferSelect;
export type OrgInstrumentKind = OrgInstrumentRow['kind'];

/**
 * Stores a new version of an organisation's content pack or custom instrument: each upload is the
 * next version for that organisation, kind and instrument (never an overwrite), so a stored
 * response can always be traced to the wording or definition it was answered on.
 */
export async function insertOrgInstrumentVersion(
  db: Queryable,
  values: { orgId: string; kind: OrgInstrumentKind; instrumentId: string; document: Record<string, unknown>; uploadedBy: string; now: Date },
): Promise<OrgInstrumentRow> {
  const { orgId, kind, instrumentId } = values;
  const nextVersion = sql<number>`(select coalesce(max(${orgInstruments.version}), 0) + 1 from ${orgInstruments} where ${orgInstruments.orgId} = ${orgId} and ${orgInstruments.kind} = ${kind} and ${orgInstruments.instrumentId} = ${instrumentId})`;
  const [row] = await db
    .insert(orgInstruments)
    .values({ orgId, kind, instrumentId, version: nextVersion, document: values.document, uploadedBy: values.uploadedBy, createdAt: values.now })
    .returning();
  return row!;
}

/** Every version of one kind for an organisation, newest first, with the uploader's name. */
export async function listOrgInstrumentVersions(db: Queryable, orgId: string, kind: OrgInstrumentKind) {
  return db
    .select({ row: orgInstruments, uploadedByName: users.displayName })
    .from(orgInstruments)
    .leftJoin(users, eq(users.id, orgInstruments.uploadedBy))
    .where(and(eq(orgInstruments.orgId, orgId), eq(orgInstruments.kind, kind)))
    .orderBy(orgInstruments.instrumentId, desc(orgInstruments.version));
}

/**
 * The current (latest, not retired) content pack and custom instrument for each of these
 * instruments, in one query: what {@link resolveInstrument} applies.
 */
export async function currentOrgInstruments(db: Queryable, orgId: string, instrumentIds?: readonly string[]): Promise<OrgInstrumentRow[]> {
  return db
    .selectDistinctOn([orgInstruments.kind, orgInstruments.instrumentId])
    .from(orgInstruments)
    .where(
      and(
        eq(orgInstruments.orgId, orgId),
        isNull(orgInstruments.retiredAt),
        instrumentIds ? inArray(orgInstruments.instrumentId, [...instrumentIds]) : undefined,
      ),
    )
    .orderBy(orgInstruments.kind, orgInstruments.instrumentId, desc(orgInstruments.version));
}
