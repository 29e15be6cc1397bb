import { and, desc, eq, gt, inArray, isNull, or } from 'drizzle-orm';
import { instrumentShortName } from '@rapport/instruments';
import type { Queryable } from '../db/database';
import { assignments, memberships, users } from '../db/schema';
import { issueLink } from '../features/assignments/assignment-links';
import { DEMO_STAFF } from './demo.seed';

/**
 * Issue 4 item 11: a few questionnaires of the demo clinic waiting for their client, each with a
 * fresh link, for `rapport start` to print so anyone can answer as a client at once. Only a link's
 * hash is stored, so the links made at an earlier start cannot be shown again: each start makes new
 * ones (the earlier ones keep working until the questionnaire is submitted or expires, as every
 * link does). What is printed names the questionnaires only, never the (made-up) client.
 */
export async function demoPendingLinks(db: Queryable, now: Date, count = 3): Promise<Array<{ token: string; questionnaires: string }>> {
  const [admin] = await db
    .select({ orgId: memberships.orgId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(users.email, DEMO_STAFF[0]!.email))
    .limit(1);
  if (!admin) return [];
  const waiting = await db
    .select({ id: assignments.id, instrumentIds: assignments.instrumentIds })
    .from(assignments)
    .where(
      and(
        eq(assignments.orgId, admin.orgId),
        eq(assignments.respondent, 'client'),
        inArray(assignments.status, ['sent', 'opened']),
        or(isNull(assignments.expiresAt), gt(assignments.expiresAt, now)),
      ),
    )
    .orderBy(desc(assignments.sentAt), assignments.id)
    .limit(count);
  const links = [];
  for (const a of waiting) {
    const token = await issueLink(db, { orgId: admin.orgId, assignmentId: a.id, now });
    links.push({ token, questionnaires: a.instrumentIds.map(instrumentShortName).join(' + ') });
  }
  return links;
}
