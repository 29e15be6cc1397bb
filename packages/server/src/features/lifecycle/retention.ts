import { sql } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/database';
import { organisations } from '../../db/schema';
import { defaultOrganisationSettings } from '../organisations/organisations.schema';
import { eraseClient } from './erasure';

export type RetentionCandidate = { clientId: string; lastActivityAt: Date };

/** The moment before which a client's last activity counts as past retention. */
export function retentionCutoff(now: Date, retentionYears: number): Date {
  const cutoff = new Date(now);
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - retentionYears);
  return cutoff;
}

/**
 * Clients of the organisation due for erasure under its retention period: every episode closed (or
 * none), and the last activity (the client record's creation or change, an appointment, a
 * questionnaire sent or answered, an episode's start or end) before the cutoff.
 */
export async function findRetentionCandidates(db: Queryable, orgId: string, cutoff: Date): Promise<RetentionCandidate[]> {
  const result = (await db.execute(sql`
    select id as client_id, last_activity_at from (
      select c.id, greatest(
        c.created_at, c.updated_at,
        (select max(a.starts_at) from appointments a where a.client_id = c.id),
        (select max(coalesce(r.submitted_at, r.started_at)) from responses r where r.client_id = c.id),
        (select max(s.created_at) from assignments s where s.client_id = c.id),
        (select max(coalesce(e.ended_on, e.started_on))::timestamptz from episodes e where e.client_id = c.id)
      ) as last_activity_at
      from clients c
      where c.org_id = ${orgId} and c.erased_at is null
        and not exists (select 1 from episodes e where e.client_id = c.id and e.ended_on is null)
    ) activity
    where last_activity_at < ${cutoff.toISOString()}::timestamptz
    order by last_activity_at, id`)) as unknown as { rows: Array<{ client_id: string; last_activity_at: string | Date }> };
  return result.rows.map((r) => ({ clientId: r.client_id, lastActivityAt: new Date(r.last_activity_at) }));
}

/** An organisation's retention period in years (settings stored before the field existed get the default). */
export function retentionYearsOf(settings: Partial<typeof defaultOrganisationSettings>): number {
  return settings.retentionYears ?? defaultOrganisationSettings.retentionYears;
}

/**
 * The daily retention run: for every organisation, erases (through the one erasure path, as the
 * system, reason `retention_expired`) each client past its retention period. Returns how many.
 */
export async function runRetention(db: Db, now: Date): Promise<number> {
  let erased = 0;
  const orgs = await db.select({ id: organisations.id, settings: organisations.settings }).from(organisations);
  for (const org of orgs) {
    const cutoff = retentionCutoff(now, retentionYearsOf(org.settings));
    for (const candidate of await findRetentionCandidates(db, org.id, cutoff)) {
      if (await eraseClient(db, { orgId: org.id, clientId: candidate.clientId, requestedBy: null, reason: 'retention_expired', now })) erased++;
    }
  }
  return erased;
}
