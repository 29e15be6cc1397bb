import { and, asc, count, desc, eq, gte, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/database';
import { clients, episodes, responses } from '../../db/schema';
import { raiseAlerts } from '../alerts/alerts.queries';
import { riskAlertsFor } from '../alerts/alert-rules';
import { evaluateResponseAlerts } from '../alerts/alert-engine';
import { scoredResponseColumns, type ResolvedInstrument } from '../instruments/org-instruments';

export type ClientRow = typeof clients.$inferSelect;
export type ResponseRow = typeof responses.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The organisation's client with this id; null for another organisation's (or no) client, and for an erased client's tombstone. */
export async function findClient(db: Queryable, orgId: string, clientId: string): Promise<ClientRow | null> {
  if (!UUID.test(clientId)) return null;
  const [row] = await db
    .select()
    .from(clients)
    .where(and(eq(clients.orgId, orgId), eq(clients.id, clientId), isNull(clients.erasedAt)))
    .limit(1);
  return row ?? null;
}

/** A completed response of the organisation; null otherwise (in-progress answers are not published). */
export async function findCompletedResponse(db: Queryable, orgId: string, responseId: string): Promise<ResponseRow | null> {
  if (!UUID.test(responseId)) return null;
  const [row] = await db
    .select()
    .from(responses)
    .where(and(eq(responses.orgId, orgId), eq(responses.id, responseId), eq(responses.status, 'completed')))
    .limit(1);
  return row ?? null;
}

/** Bounds on `submitted_at`: `from` inclusive, `to` exclusive. */
export type TimeBound = { from?: Date; to?: Date };

/** Which of a client's completed responses a search asks for. */
export type ResponseFilter = { orgId: string; clientId: string; instrumentIds?: readonly string[]; submitted?: readonly TimeBound[] };

function responseConditions(input: ResponseFilter): SQL {
  const conditions: (SQL | undefined)[] = [eq(responses.orgId, input.orgId), eq(responses.clientId, input.clientId), eq(responses.status, 'completed')];
  if (input.instrumentIds) conditions.push(input.instrumentIds.length > 0 ? inArray(responses.instrumentId, [...input.instrumentIds]) : eq(responses.id, '00000000-0000-0000-0000-000000000000'));
  for (const bound of input.submitted ?? []) {
    if (bound.from) conditions.push(gte(responses.submittedAt, bound.from));
    if (bound.to) conditions.push(lt(responses.submittedAt, bound.to));
  }
  return and(...conditions)!;
}

/** How many responses the filter matches. */
export async function countCompletedResponses(db: Queryable, input: ResponseFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(responses).where(responseConditions(input));
  return Number(row?.n ?? 0);
}

/**
 * The sort key of a response: `submitted_at` in whole microseconds (as text, so no precision is
 * lost to a JavaScript Date) and the id.
 */
const submittedMicros = sql<string>`(extract(epoch from ${responses.submittedAt}) * 1000000)::bigint::text`;

/**
 * One keyset page of the filter's responses in (submitted_at, id) order: at most `limit`, strictly
 * after the key `[micros, id]` when one is given. Each row comes with its own key.
 */
export async function pageCompletedResponses(
  db: Queryable,
  input: ResponseFilter & { limit: number; after?: readonly [micros: string, id: string] | null },
): Promise<{ row: ResponseRow; key: [string, string] }[]> {
  const after = input.after
    ? sql`(${responses.submittedAt}, ${responses.id}) > (timestamptz 'epoch' + ${input.after[0]}::bigint * interval '1 microsecond', ${input.after[1]}::uuid)`
    : undefined;
  const rows = await db
    .select({ row: responses, micros: submittedMicros })
    .from(responses)
    .where(and(responseConditions(input), after))
    .orderBy(asc(responses.submittedAt), asc(responses.id))
    .limit(input.limit);
  return rows.map(({ row, micros }) => ({ row, key: [micros, row.id] }));
}

/** The instruments the filter's responses are of (each once). */
export async function completedResponseInstruments(db: Queryable, input: ResponseFilter): Promise<string[]> {
  const rows = await db.selectDistinct({ instrumentId: responses.instrumentId }).from(responses).where(responseConditions(input));
  return rows.map((r) => r.instrumentId);
}

/** A score an instrument's responses can carry: the total (`subscale` null) or one subscale. */
export type ScorePart = { instrumentId: string; subscale: string | null };

/**
 * Whether a response is of the part's instrument and has that score: a total, or a number as the
 * subscale's `score` in the `subscales` column. Exactly what `toObservations` makes an Observation of.
 */
function hasScore(part: ScorePart): SQL {
  const present =
    part.subscale === null
      ? isNotNull(responses.total)
      : sql`coalesce(jsonb_typeof(${responses.subscales} -> ${part.subscale}::text -> 'score') = 'number', false)`;
  return and(eq(responses.instrumentId, part.instrumentId), present)!;
}

/** How many of these scores the filter's responses carry (one Observation each), counted in the database. */
export async function countScores(db: Queryable, input: ResponseFilter, parts: readonly ScorePart[]): Promise<number> {
  if (parts.length === 0) return 0;
  const counts = sql.join(
    parts.map((part) => sql`count(*) filter (where ${hasScore(part)})`),
    sql` + `,
  );
  const [row] = await db
    .select({ n: sql<string>`${counts}` })
    .from(responses)
    .where(and(responseConditions(input), or(...parts.map(hasScore))));
  return Number(row?.n ?? 0);
}

/** What an Observation is made of: a response's scores, without its answers or scoring details. */
const scoreColumns = {
  id: responses.id,
  clientId: responses.clientId,
  instrumentId: responses.instrumentId,
  total: responses.total,
  bandLabel: responses.bandLabel,
  subscales: responses.subscales,
  prorated: responses.prorated,
  submittedAt: responses.submittedAt,
};
export type ScoreRow = { [K in keyof typeof scoreColumns]: ResponseRow[K] };

/**
 * One keyset page, in (submitted_at, id) order, of the filter's responses carrying at least one of
 * these scores: at most `limit`, from the key `[micros, id]` when one is given (that response
 * included when `inclusive`, since the Observations after a cursor may start within it). Only the
 * score columns are read. Each row comes with its own key.
 */
export async function pageScoreRows(
  db: Queryable,
  input: ResponseFilter & { parts: readonly ScorePart[]; limit: number; from: readonly [micros: string, id: string] | null; inclusive: boolean },
): Promise<{ row: ScoreRow; key: [string, string] }[]> {
  if (input.parts.length === 0) return [];
  const from = input.from
    ? sql`(${responses.submittedAt}, ${responses.id}) ${input.inclusive ? sql`>=` : sql`>`} (timestamptz 'epoch' + ${input.from[0]}::bigint * interval '1 microsecond', ${input.from[1]}::uuid)`
    : undefined;
  const rows = await db
    .select({ row: scoreColumns, micros: submittedMicros })
    .from(responses)
    .where(and(responseConditions(input), or(...input.parts.map(hasScore)), from))
    .orderBy(asc(responses.submittedAt), asc(responses.id))
    .limit(input.limit);
  return rows.map(({ row, micros }) => ({ row, key: [micros, row.id] }));
}

/** The client's open episode (the latest started), or null: where a response sent in through FHIR belongs. */
export async function openEpisodeId(db: Queryable, orgId: string, clientId: string): Promise<string | null> {
  const [row] = await db
    .select({ id: episodes.id })
    .from(episodes)
    .where(and(eq(episodes.orgId, orgId), eq(episodes.clientId, clientId), isNull(episodes.endedOn)))
    .orderBy(desc(episodes.startedOn), desc(episodes.createdAt))
    .limit(1);
  return row?.id ?? null;
}

/**
 * Stores a QuestionnaireResponse sent in through FHIR exactly as a client's submission is stored
 * (`completeAssignment`): the same scoring (`instrument.score`), the same score columns
 * (`scoredResponseColumns`), the same urgent risk alerts (`riskAlertsFor` + `raiseAlerts`, with
 * their notification jobs) and the same alert engine (`evaluateResponseAlerts`), in the caller's
 * transaction. It has no assignment, appointment or channel; it joins the client's open episode.
 * Throws `InstrumentError` for answers the instrument refuses.
 */
export async function storeFhirResponse(
  tx: Tx,
  input: { orgId: string; clientId: string; instrument: ResolvedInstrument; answers: Record<string, number | null>; authored: Date; now: Date },
): Promise<{ response: ResponseRow; alertIds: string[] }> {
  const { orgId, clientId, instrument, answers, now } = input;
  const score = instrument.score(answers);
  const episodeId = await openEpisodeId(tx, orgId, clientId);
  const [row] = await tx
    .insert(responses)
    .values({
      orgId,
      clientId,
      episodeId,
      instrumentId: instrument.instrumentId,
      instrumentVersion: instrument.version,
      respondent: 'client',
      status: 'completed',
      answers,
      ...scoredResponseColumns(score, instrument.definition),
      startedAt: input.authored,
      submittedAt: input.authored,
      createdAt: now,
    })
    .returning();
  const response = row!;
  const raised = await raiseAlerts(tx, riskAlertsFor(score, instrument.definition, { orgId, clientId, episodeId, responseId: response.id, answers }), now);
  const evaluated = await evaluateResponseAlerts(tx, { responseIds: [response.id], now });
  return { response, alertIds: [...raised, ...evaluated].map((a) => a.id) };
}
