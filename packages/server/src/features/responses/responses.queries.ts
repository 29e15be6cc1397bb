import { and, desc, eq, isNotNull, notInArray, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Queryable } from '../../db/database';
import { appointments, responseDiscussions, responses, users } from '../../db/schema';

/** Where a page of a client's responses ends: the last row's completion time (to the microsecond, UTC) and id. */
export type ResponseCursor = { t: string; id: string };

export const encodeResponseCursor = (c: ResponseCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

/** The cursor a previous page handed out, or null when it is not one. */
export function decodeResponseCursor(raw: string): ResponseCursor | null {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<ResponseCursor>;
    const isUuid = typeof c.id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(c.id);
    return typeof c.t === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(c.t) && !Number.isNaN(Date.parse(c.t)) && isUuid ? { t: c.t, id: c.id! } : null;
  } catch {
    return null;
  }
}

export type ResponseListFilter = {
  orgId: string;
  clientId: string;
  instrumentId?: string | undefined;
  /** Responses the caller may not see yet (blind rating, `allianceVisibility`): left out in SQL, so pages stay full. */
  hiddenResponseIds: ReadonlySet<string>;
  limit: number;
  after: ResponseCursor | null;
};

const respondentUser = alias(users, 'respondent_user');
const discussedByUser = alias(users, 'discussed_by_user');
const superseding = alias(responses, 'superseding');

/**
 * One page of a client's completed responses, newest first, each with its session, its discussion
 * and the names of who answered (a clinician) and who discussed it. A response corrected by a later
 * completed one is left out: only the latest version is listed. Keyset paging on (submitted_at, id),
 * which `responses_client_idx` (org, client, instrument, submitted_at) serves for one client.
 */
export async function listClientResponses(db: Queryable, f: ResponseListFilter) {
  const position = sql<string>`to_char(${responses.submittedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  const keyset: SQL | undefined = f.after ? sql`(${responses.submittedAt}, ${responses.id}) < (${f.after.t}::timestamptz, ${f.after.id}::uuid)` : undefined;
  const rows = await db
    .select({
      response: responses,
      position,
      appointmentStartsAt: appointments.startsAt,
      respondentName: respondentUser.displayName,
      discussion: responseDiscussions,
      discussedByName: discussedByUser.displayName,
    })
    .from(responses)
    .leftJoin(appointments, and(eq(appointments.id, responses.appointmentId), eq(appointments.orgId, responses.orgId)))
    .leftJoin(respondentUser, eq(respondentUser.id, responses.respondentUserId))
    .leftJoin(responseDiscussions, and(eq(responseDiscussions.responseId, responses.id), eq(responseDiscussions.orgId, responses.orgId)))
    .leftJoin(discussedByUser, eq(discussedByUser.id, responseDiscussions.discussedBy))
    .where(
      and(
        eq(responses.orgId, f.orgId),
        eq(responses.clientId, f.clientId),
        eq(responses.status, 'completed'),
        isNotNull(responses.submittedAt),
        f.instrumentId ? eq(responses.instrumentId, f.instrumentId) : undefined,
        f.hiddenResponseIds.size > 0 ? notInArray(responses.id, [...f.hiddenResponseIds]) : undefined,
        // One hashed set of this client's corrected ids, not a lookup per row (there is no index on supersedes_id).
        notInArray(
          responses.id,
          db
            .select({ id: superseding.supersedesId })
            .from(superseding)
            .where(and(eq(superseding.orgId, f.orgId), eq(superseding.clientId, f.clientId), eq(superseding.status, 'completed'), isNotNull(superseding.supersedesId))),
        ),
        keyset,
      ),
    )
    .orderBy(desc(responses.submittedAt), desc(responses.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > f.limit && last ? encodeResponseCursor({ t: last.position, id: last.response.id }) : null;
  return { items: page, nextCursor };
}

export type ClientResponseRow = Awaited<ReturnType<typeof listClientResponses>>['items'][number];
