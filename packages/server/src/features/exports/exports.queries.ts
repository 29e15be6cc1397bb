import { and, asc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { getInstrument, hasInstrument } from '@rapport/instruments';
import type { Queryable } from '../../db/database';
import { appointments, episodes, responses } from '../../db/schema';
import { csvLine } from './exports.csv';
import { deidentifierFor } from './exports.deidentify';

export type ResponsesExportFilter = {
  orgId: string;
  programmeId?: string;
  clinicianId?: string;
  instrumentId?: string;
  /** UTC days, both inclusive. */
  from?: string;
  to?: string;
};

export type ResponsesExportOptions = {
  /** Pseudonyms and shifted dates instead of ids and real dates (`deidentifierFor`). */
  deidentified: boolean;
  secretKey: string;
  /** Rows per keyset batch: the most the export ever holds in memory at once. */
  batchSize?: number;
};

const DEFAULT_BATCH = 2_000;
/** Rows per piece handed to the response stream. */
const YIELD_ROWS = 50;

/** The clinician of a response: the appointment's, else the episode's primary clinician. */
const clinicianOf = sql<string | null>`coalesce(${appointments.clinicianId}, ${episodes.primaryClinicianId})`;

function conditions(f: ResponsesExportFilter): SQL | undefined {
  return and(
    eq(responses.orgId, f.orgId),
    eq(responses.status, 'completed'),
    f.programmeId ? eq(episodes.programmeId, f.programmeId) : undefined,
    f.clinicianId ? sql`${clinicianOf} = ${f.clinicianId}` : undefined,
    f.instrumentId ? eq(responses.instrumentId, f.instrumentId) : undefined,
    f.from ? gte(responses.submittedAt, new Date(`${f.from}T00:00:00Z`)) : undefined,
    f.to ? lt(responses.submittedAt, new Date(Date.parse(`${f.to}T00:00:00Z`) + 86_400_000)) : undefined,
  );
}

function baseSelect<T extends Record<string, unknown>>(db: Queryable, fields: T) {
  return db
    .select(fields as never)
    .from(responses)
    .leftJoin(episodes, eq(episodes.id, responses.episodeId))
    .leftJoin(appointments, eq(appointments.id, responses.appointmentId));
}

/** The score and item columns: per instrument in the export, its subscales then its items, in the definition's order. */
async function instrumentColumns(db: Queryable, filter: ResponsesExportFilter) {
  const found = (await baseSelect(db, { instrumentId: responses.instrumentId })
    .where(conditions(filter))
    .groupBy(responses.instrumentId)
    .orderBy(asc(responses.instrumentId))) as unknown as Array<{ instrumentId: string }>;
  const columns: Array<{ instrumentId: string; kind: 'subscale' | 'item'; key: string }> = [];
  for (const { instrumentId } of found) {
    let subscales: string[];
    let items: string[];
    if (hasInstrument(instrumentId)) {
      const definition = getInstrument(instrumentId);
      subscales = definition.scoring.subscales.map((s) => s.id);
      items = definition.items.map((i) => i.id);
    } else {
      // A clinic's own instrument: the keys its stored responses use.
      const keys = (await baseSelect(db, { item: sql<string>`jsonb_object_keys(${responses.answers})` }).where(
        and(conditions(filter), eq(responses.instrumentId, instrumentId)),
      )) as unknown as Array<{ item: string }>;
      const subKeys = (await baseSelect(db, { key: sql<string>`jsonb_object_keys(coalesce(${responses.subscales}, '{}'::jsonb))` }).where(
        and(conditions(filter), eq(responses.instrumentId, instrumentId)),
      )) as unknown as Array<{ key: string }>;
      items = [...new Set(keys.map((k) => k.item))].sort();
      subscales = [...new Set(subKeys.map((k) => k.key))].sort();
    }
    for (const key of subscales) columns.push({ instrumentId, kind: 'subscale', key });
    for (const key of items) columns.push({ instrumentId, kind: 'item', key });
  }
  return columns;
}

type ExportRow = {
  id: string;
  clientId: string;
  episodeId: string | null;
  appointmentId: string | null;
  programmeId: string | null;
  clinicianId: string | null;
  respondent: string;
  respondentUserId: string | null;
  instrumentId: string;
  instrumentVersion: string;
  episodeStartedOn: string | null;
  submittedAt: Date;
  position: string;
  total: string | null;
  bandId: string | null;
  bandLabel: string | null;
  prorated: boolean | null;
  subscales: Record<string, unknown> | null;
  answers: Record<string, number | null>;
};

function subscaleScore(value: unknown): unknown {
  if (value && typeof value === 'object' && 'score' in value) return (value as { score: unknown }).score;
  return value;
}

/**
 * The research export of completed responses as CSV lines, header first: one row per response with
 * its scores (total, band, subscales as columns per instrument), item answers, dates, episode,
 * appointment, programme and clinician. Erased clients never appear: the erasure deletes their
 * responses in the transaction that makes the tombstone. Reads in keyset batches over (submitted_at, id), each its
 * own short query, so at most `batchSize` rows are ever in memory whatever the export's size
 * (bench/csv-export.bench.ts measures it). With `deidentified`,
 * clients, episodes and appointments are pseudonyms and every date moves by the client's shift; no
 * names, contacts or free text are ever exported.
 */
export async function* responsesCsv(db: Queryable, filter: ResponsesExportFilter, options: ResponsesExportOptions): AsyncGenerator<string> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const columns = await instrumentColumns(db, filter);
  yield csvLine([
    options.deidentified ? 'client_pseudonym' : 'client_id',
    ...(options.deidentified ? [] : ['response_id']),
    options.deidentified ? 'episode_pseudonym' : 'episode_id',
    options.deidentified ? 'appointment_pseudonym' : 'appointment_id',
    'programme_id',
    'clinician_id',
    'respondent',
    'respondent_user_id',
    'instrument_id',
    'instrument_version',
    'episode_started_on',
    'submitted_at',
    'total',
    'band_id',
    'band_label',
    'prorated',
    ...columns.map((c) => (c.kind === 'subscale' ? `${c.instrumentId}.${c.key}` : c.key)),
  ]);
  const fields = {
    id: responses.id,
    clientId: responses.clientId,
    episodeId: responses.episodeId,
    appointmentId: responses.appointmentId,
    programmeId: episodes.programmeId,
    clinicianId: clinicianOf,
    respondent: responses.respondent,
    respondentUserId: responses.respondentUserId,
    instrumentId: responses.instrumentId,
    instrumentVersion: responses.instrumentVersion,
    episodeStartedOn: episodes.startedOn,
    submittedAt: responses.submittedAt,
    position: sql<string>`${responses.submittedAt}::text`,
    total: responses.total,
    bandId: responses.bandId,
    bandLabel: responses.bandLabel,
    prorated: responses.prorated,
    subscales: responses.subscales,
    answers: responses.answers,
  };
  let after: { at: string; id: string } | null = null;
  for (;;) {
    // A row comparison, so the batch is one range scan of responses_export_idx; the position is kept
    // as text because a JavaScript Date would drop the timestamp's microseconds.
    const keyset: SQL | undefined = after ? sql`(${responses.submittedAt}, ${responses.id}) > (${after.at}::timestamptz, ${after.id}::uuid)` : undefined;
    const batch = (await baseSelect(db, fields)
      .where(and(conditions(filter), keyset))
      .orderBy(asc(responses.submittedAt), asc(responses.id))
      .limit(batchSize)) as unknown as ExportRow[];
    // Small pieces (tens of kB): short-lived strings the young-generation GC frees at once, where
    // one string per batch would sit in V8's large-object space until a full collection.
    for (let i = 0; i < batch.length; i += YIELD_ROWS) {
      let chunk = '';
      for (const r of batch.slice(i, i + YIELD_ROWS)) chunk += csvLine(rowCells(r, columns, options));
      yield chunk;
    }
    if (batch.length < batchSize) return;
    const last = batch[batch.length - 1]!;
    after = { at: last.position, id: last.id };
  }
}

function rowCells(r: ExportRow, columns: Awaited<ReturnType<typeof instrumentColumns>>, options: ResponsesExportOptions): unknown[] {
  const own = columns.map((c) => {
    if (c.instrumentId !== r.instrumentId) return null;
    return c.kind === 'subscale' ? subscaleScore(r.subscales?.[c.key]) : r.answers[c.key];
  });
  const scores = [r.total, r.bandId, r.bandLabel, r.prorated];
  const who = [r.programmeId, r.clinicianId, r.respondent, r.respondentUserId, r.instrumentId, r.instrumentVersion];
  if (!options.deidentified) {
    return [r.clientId, r.id, r.episodeId, r.appointmentId, ...who, r.episodeStartedOn, r.submittedAt.toISOString(), ...scores, ...own];
  }
  const d = deidentifierFor(options.secretKey, r.clientId);
  return [
    d.pseudonym,
    d.pseudonymOf('episode', r.episodeId),
    d.pseudonymOf('appointment', r.appointmentId),
    ...who,
    d.shiftDate(r.episodeStartedOn),
    d.shiftTimestamp(r.submittedAt),
    ...scores,
    ...own,
  ];
}
