import { Column, and, asc, eq, getTableName, inArray, is, isNotNull, sql } from 'drizzle-orm';
import {
  RULES_VERSION,
  alliancePair,
  defaultTrajectories,
  detectRuptures,
  discrepancy,
  dropoutRisk,
  fitExpectedTrajectories,
  hasUnrepairedRupture,
  lowAlliance,
  notOnTrack,
  reliableDeterioration,
  DEFAULT_MIN_EPISODES_PER_BAND,
  type DefaultTrajectoryInstrument,
  type DropoutFactors,
  type FinishedEpisode,
  type SessionRupture,
} from '@rapport/analysis';
import { getInstrument, hasInstrument, type InstrumentDefinition } from '@rapport/instruments';
import type { Queryable } from '../../db/database';
import { alerts, appointments, clients, episodes, memberships, responses, type AlertKind } from '../../db/schema';
import { recordAudit } from '../../audit/audit.queries';
import type { NewAlert } from './alert-rules';
import { raiseAlerts, type AlertRow } from './alerts.queries';
import { preparedOn } from '../questionnaire/prepared';

/**
 * The alert engine (issue 5 item 3): after every completed response, client's or therapist's, in the
 * transaction that stores it, evaluate the `@rapport/analysis` rules and raise what they find. Each
 * alert stores `rules_version` = `RULES_VERSION` and evidence that explains it (the thresholds, the
 * rule that fired, the scores). "Never twice for the same evidence": the `evidence_key` is unique per
 * client and kind, and a condition that persists (still deteriorated, still off track, still low) does
 * not raise a second alert while an earlier one of the same kind and instrument is still open or
 * acknowledged in the episode. Rules:
 * - `alliance_rupture` (client alliance form, total level; item-level ruptures of the same session are
 *   listed in the evidence): facts.md B4 via `detectRuptures`. Key `response:<id>`. A later session
 *   decides the repair: the rupture alert's evidence gains `repair` (`repaired` with the response
 *   that recovered, or `unrepaired` once three sessions passed), audited as `alert.repair`.
 * - `therapist_over_client` (when both ratings of a session exist, whichever arrives second):
 *   `discrepancy`, default threshold 10 % of the range. Key `appointment:<id>`; points at the
 *   client's response so blind rating hides it like the client's score.
 * - `low_alliance`: `lowAlliance` (published cut-off, else the organisation's lowest decile at that
 *   session number once 30 ratings exist); the evidence says which rule fired.
 * - `reliable_deterioration` (symptom measures vs the episode's first score) and `not_on_track`
 *   (PHQ-9 and GAD-7: the organisation's fitted curves once enough finished episodes exist, else the
 *   documented default; the evidence says which).
 * - `dropout_risk` when the points score is `high`, every factor listed. Key: the episode and its
 *   set of factors, so the same picture never alerts twice.
 * Missed questionnaires and stopped check-ins come from jobs and the opt-out page (alerts.lifecycle).
 */

type ResponseRow = typeof responses.$inferSelect;

/** Evaluates every rule for the given completed responses; returns the alerts raised (repeats excluded). */
export async function evaluateResponseAlerts(
  db: Queryable,
  input: {
    responseIds: readonly string[];
    now: Date;
    /** The completed rows themselves when the caller has just written them (no need to read them back). */
    rows?: readonly ResponseRow[];
  },
): Promise<AlertRow[]> {
  if (input.responseIds.length === 0) return [];
  const rows = input.rows ?? (await db.select().from(responses).where(and(inArray(responses.id, [...input.responseIds]), eq(responses.status, 'completed'))));
  const raised: AlertRow[] = [];
  const episodesTouched = new Map<string, ResponseRow>();
  // A client's episode history (scores, standing alerts, the episode, missed appointments): read
  // once per episode in one statement, for the symptom and dropout rules; alerts raised below are
  // added to it, so a later rule sees them as it would have read them back.
  const histories = new Map<string, EpisodeHistory>();
  const historyOf = async (row: ResponseRow & { episodeId: string }) => {
    let history = histories.get(row.episodeId);
    if (!history) histories.set(row.episodeId, (history = await readEpisodeHistory(db, row)));
    return history;
  };
  const raise = async (candidates: readonly NewAlert[]) => {
    const inserted = await raiseAndAudit(db, candidates, input.now);
    for (const alert of inserted) for (const history of histories.values()) if (history.clientId === alert.clientId) history.alerts.push(standingOf(alert));
    raised.push(...inserted);
  };
  for (const row of rows) {
    if (!hasInstrument(row.instrumentId) || row.total === null) continue;
    const definition = getInstrument(row.instrumentId);
    const candidates: NewAlert[] = [];
    if (definition.parallelForm && definition.respondent === 'client') {
      candidates.push(...(await clientAllianceAlerts(db, row, definition, input.now)));
      const therapist = await sessionPartner(db, row, definition.parallelForm.instrumentId, 'clinician');
      if (therapist) candidates.push(...discrepancyAlerts(row, therapist));
    } else if (definition.parallelForm && definition.respondent === 'clinician') {
      const client = await sessionPartner(db, row, definition.parallelForm.instrumentId, 'client');
      if (client) candidates.push(...discrepancyAlerts(client, row));
    } else if (row.respondent === 'client' && row.episodeId) {
      candidates.push(...(await symptomAlerts(db, row, definition, await historyOf(row as ResponseRow & { episodeId: string }), input.now)));
    }
    await raise(candidates);
    if (row.episodeId && row.respondent === 'client') episodesTouched.set(row.episodeId, row);
  }
  for (const row of episodesTouched.values()) await raise(await dropoutAlerts(row, await historyOf(row as ResponseRow & { episodeId: string }), input.now));
  return raised;
}

/**
 * The symptom and dropout rules (the same as {@link evaluateResponseAlerts}) for responses of one
 * client's episode about to be written, decided from that episode's history as read before the
 * write ({@link episodeHistoryColumn}, e.g. with the submit's link session or lock): returns the
 * alerts to insert with the responses, in order, without reading anything (the clinic's cached
 * trajectory reference aside) or writing. Each alert is taken as raised for the rules after it,
 * as {@link evaluateResponseAlerts} would read it back. Null when a rule must read more (an
 * alliance form: its series, its session partner, the clinic's ratings): the caller writes, then
 * runs {@link evaluateResponseAlerts}. The caller inserts them skipping repeats of the same evidence
 * (as {@link raiseAlerts}) with one `alert.raise` audit event each, and must write only while the
 * history is still as read (the submit compares the column's text under its lock).
 */
export async function planEpisodeAlerts(
  db: Queryable,
  input: { rows: readonly ResponseRow[]; history: { text: string; clientId: string; episodeId: string }; now: Date },
): Promise<NewAlert[] | null> {
  const scored = input.rows.filter((row) => hasInstrument(row.instrumentId) && row.total !== null);
  if (scored.some((row) => !!getInstrument(row.instrumentId).parallelForm)) return null;
  const { clientId, episodeId } = input.history;
  const mine = scored.filter((row) => row.respondent === 'client' && row.episodeId === episodeId && row.clientId === clientId);
  if (mine.length !== scored.filter((row) => row.respondent === 'client' && row.episodeId).length) return null;
  const history = historyFromRead(input.history.text, clientId);
  // The rows about to be written, as the history would read them afterwards (completed, scored, the client's own).
  history.series.push(...[...mine].sort(compareSubmitted));
  const planned: NewAlert[] = [];
  const take = (candidates: readonly NewAlert[]) => {
    for (const alert of candidates) {
      planned.push(alert);
      history.alerts.push(standingOf(alert));
    }
  };
  for (const row of mine) take(await symptomAlerts(db, row, getInstrument(row.instrumentId), history, input.now));
  const last = mine[mine.length - 1];
  if (last) take(await dropoutAlerts(last, history, input.now));
  return planned;
}

/**
 * Whether {@link evaluateResponseAlerts} would read anything for these completed rows: every rule
 * needs history (an alliance form's series or partner, a client's episode for deterioration,
 * trajectory and dropout). Without any, it raises nothing and the caller may skip it. Mirrors the
 * branches of `evaluateResponseAlerts`; keep them together.
 */
export function alertRulesNeedHistory(rows: readonly Pick<ResponseRow, 'instrumentId' | 'total' | 'respondent' | 'episodeId'>[]): boolean {
  return rows.some((row) => {
    if (!hasInstrument(row.instrumentId) || row.total === null) return false;
    return !!getInstrument(row.instrumentId).parallelForm || (row.respondent === 'client' && row.episodeId != null);
  });
}

/** Inserts the alerts (repeats ignored) and writes one `alert.raise` audit event per new alert. */
export async function raiseAndAudit(db: Queryable, rows: readonly NewAlert[], now: Date): Promise<AlertRow[]> {
  const inserted = await raiseAlerts(db, rows, now);
  for (const alert of inserted) {
    await recordAudit(db, { orgId: alert.orgId, actorKind: 'system', actorId: null, action: 'alert.raise', clientId: alert.clientId, entityType: 'alert', entityId: alert.id, outcome: 'success', at: now });
  }
  return inserted;
}

const totalOf = (r: Pick<ResponseRow, 'total'>) => Number(r.total);

/** A completed, scored client response of the episode, as the symptom and dropout rules use it. */
type SeriesPoint = Pick<ResponseRow, 'id' | 'instrumentId' | 'total' | 'supersedesId'>;
/** An alert of the client in the episode (or outside any episode), as the rules check it. */
type StandingAlert = { kind: AlertKind; status: 'open' | 'acknowledged' | 'resolved'; episodeId: string | null; instrumentId: string | null; earlyDropoutSignal: boolean };

/**
 * Everything the symptom and dropout rules read about a client's episode, from ONE column of one
 * statement ({@link episodeHistoryColumn}, instead of ten or so reads per submit): the completed
 * scored client responses of the episode (every instrument, oldest first, as `seriesOf` orders
 * them), the client's alerts in the episode or outside any episode, the episode's therapist
 * (trainee?) and the client's date of birth, and the missed appointments. Every part is bounded by
 * one client's episode, so its cost does not grow with the clinic.
 */
type EpisodeHistory = {
  clientId: string;
  series: SeriesPoint[];
  alerts: StandingAlert[];
  episode: { dateOfBirth: string | null; trainee: boolean | null } | null;
  missed: number;
};

/**
 * The history of a client's episode as ONE text column (a JSON array: series, standing alerts,
 * episode, missed appointments), for a select whose row gives the clinic, the client and
 * the episode as SQL (placeholders, or columns of a row the statement reads, such as the submit's
 * assignment); null without an episode. A later statement checks it still holds with
 * {@link episodeHistoryStamp}. Every part is limited to that clinic, client and episode, so its
 * cost does not grow with the clinic.
 */
export function episodeHistoryColumn(ids: { orgId: unknown; clientId: unknown; episodeId: unknown }) {
  const r = sql`r`;
  const a = sql`a`;
  const orgId = qualified(ids.orgId);
  const clientId = qualified(ids.clientId);
  const episodeId = qualified(ids.episodeId);
  return sql<string | null>`(case when ${episodeId}::uuid is null then null else json_build_array(
    (select coalesce(json_agg(json_build_object('id', ${r}.id, 'instrumentId', ${r}.instrument_id, 'total', ${r}.total, 'supersedesId', ${r}.supersedes_id)
          order by ${r}.submitted_at, ${r}.created_at, ${r}.id), '[]'::json)
        from ${responses} ${r}
        where ${r}.org_id = ${orgId} and ${r}.client_id = ${clientId} and ${r}.episode_id = ${episodeId}
          and ${r}.respondent = 'client' and ${r}.status = 'completed' and ${r}.total is not null),
    (select coalesce(json_agg(json_build_object('kind', ${a}.kind, 'status', ${a}.status, 'episodeId', ${a}.episode_id,
          'instrumentId', ${a}.evidence->>'instrumentId', 'earlyDropoutSignal', coalesce(${a}.evidence->'earlyDropoutSignal' = 'true'::jsonb, false)) order by ${a}.id), '[]'::json)
        from ${alerts} ${a}
        where ${a}.org_id = ${orgId} and ${a}.client_id = ${clientId} and (${a}.episode_id = ${episodeId} or ${a}.episode_id is null)),
    (select json_build_object('dateOfBirth', c.date_of_birth, 'trainee', m.trainee)
        from ${episodes} e join ${clients} c on c.id = e.client_id
        left join ${memberships} m on m.user_id = e.primary_clinician_id and m.org_id = e.org_id
        where e.org_id = ${orgId} and e.id = ${episodeId}),
    (select count(*)::int from ${appointments} ap
        where ap.org_id = ${orgId} and ap.client_id = ${clientId} and ap.episode_id = ${episodeId}
          and (ap.status = 'did_not_attend' or (ap.status = 'cancelled' and ap.cancelled_by = 'client')))
  )::text end)`;
}

/**
 * What a later statement checks to know the history read by {@link episodeHistoryColumn} still
 * holds, as text: how many scores the series has, how many standing alerts there are and how many
 * of them are open and acknowledged, and the missed appointments (`3:1/0/1:2`). Each part counts
 * the rows its part of the history reads, in the same index scan, so it is far cheaper than
 * building the history again; scores and alerts are only ever added, and an alert's status only
 * moves forward, so equal counts mean an unchanged history. Left out: the client's date of birth
 * and the episode's therapist (one dropout factor each, edited by staff, not raced by submissions).
 * {@link historyStampOf} gives the same text for a history as read.
 */
export function episodeHistoryStamp(ids: { orgId: unknown; clientId: unknown; episodeId: unknown }) {
  const orgId = qualified(ids.orgId);
  const clientId = qualified(ids.clientId);
  const episodeId = qualified(ids.episodeId);
  return sql<string>`concat_ws(':',
    (select count(*) from ${responses} r
        where r.org_id = ${orgId} and r.client_id = ${clientId} and r.episode_id = ${episodeId}
          and r.respondent = 'client' and r.status = 'completed' and r.total is not null),
    (select concat_ws('/', count(*), count(*) filter (where a.status = 'open'), count(*) filter (where a.status = 'acknowledged'))
        from ${alerts} a
        where a.org_id = ${orgId} and a.client_id = ${clientId} and (a.episode_id = ${episodeId} or a.episode_id is null)),
    (select count(*) from ${appointments} ap
        where ap.org_id = ${orgId} and ap.client_id = ${clientId} and ap.episode_id = ${episodeId}
          and (ap.status = 'did_not_attend' or (ap.status = 'cancelled' and ap.cancelled_by = 'client'))))`;
}

/** {@link episodeHistoryStamp} of a history as {@link episodeHistoryColumn} read it. */
export function historyStampOf(text: string): string {
  const history = historyFromRead(text, '');
  const count = (status: string) => history.alerts.filter((a) => a.status === status).length;
  return `${history.series.length}:${history.alerts.length}/${count('open')}/${count('acknowledged')}:${history.missed}`;
}

/**
 * A column with its table's name (Drizzle leaves the name out in a single-table select, where the
 * subqueries above would take the column for one of their own); anything else as given.
 */
function qualified(value: unknown): unknown {
  return is(value, Column) ? sql`${sql.identifier(getTableName(value.table))}.${sql.identifier(value.name)}` : value;
}

function episodeHistoryStatement(q: Queryable) {
  const p = sql.placeholder;
  return q
    .select({ history: episodeHistoryColumn({ orgId: p('orgId'), clientId: p('clientId'), episodeId: p('episodeId') }) })
    .from(sql`(select 1) one`)
    .prepare('alert_episode_history');
}

function historyFromRead(text: string, clientId: string): EpisodeHistory {
  const [series, standing, episode, missed] = JSON.parse(text) as [SeriesPoint[], StandingAlert[], EpisodeHistory['episode'], number];
  return { clientId, series, alerts: standing, episode: episode ?? null, missed: Number(missed) };
}

async function readEpisodeHistory(db: Queryable, row: ResponseRow & { episodeId: string }): Promise<EpisodeHistory> {
  const [found] = await preparedOn(db, 'alert_episode_history', episodeHistoryStatement).execute({ orgId: row.orgId, clientId: row.clientId, episodeId: row.episodeId });
  return historyFromRead(found!.history!, row.clientId);
}

/** The order of a series (as `seriesOf`): submitted, then created, then id. */
function compareSubmitted(a: Pick<ResponseRow, 'submittedAt' | 'createdAt' | 'id'>, b: Pick<ResponseRow, 'submittedAt' | 'createdAt' | 'id'>): number {
  return (a.submittedAt?.getTime() ?? 0) - (b.submittedAt?.getTime() ?? 0) || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** A just-raised (or about to be raised) alert as the history holds it. */
function standingOf(alert: Pick<NewAlert, 'kind' | 'status' | 'episodeId' | 'evidence'>): StandingAlert {
  const instrumentId = alert.evidence.instrumentId;
  return { kind: alert.kind, status: alert.status ?? 'open', episodeId: alert.episodeId ?? null, instrumentId: typeof instrumentId === 'string' ? instrumentId : null, earlyDropoutSignal: alert.evidence.earlyDropoutSignal === true };
}

/** One instrument's series from the history, oldest first, corrections replacing their originals (as {@link seriesOf}). */
function historySeries(history: EpisodeHistory, instrumentId: string): SeriesPoint[] {
  const list = history.series.filter((r) => r.instrumentId === instrumentId);
  const superseded = new Set(list.map((r) => r.supersedesId).filter((id): id is string => !!id));
  return list.filter((r) => !superseded.has(r.id));
}

/** As {@link hasActiveAlert}, on the history: an open or acknowledged alert of this kind (and instrument) in the episode. */
function historyHasActiveAlert(history: EpisodeHistory, episodeId: string, kind: AlertKind, instrumentId?: string): boolean {
  return history.alerts.some((a) => a.episodeId === episodeId && a.kind === kind && (a.status === 'open' || a.status === 'acknowledged') && (!instrumentId || a.instrumentId === instrumentId));
}

/** The episode's (or, without one, the client's) completed responses on one instrument from one side, oldest first. */
async function seriesOf(db: Queryable, row: ResponseRow, instrumentId: string, respondent: 'client' | 'clinician'): Promise<ResponseRow[]> {
  const list = await db
    .select()
    .from(responses)
    .where(
      and(
        eq(responses.orgId, row.orgId),
        eq(responses.clientId, row.clientId),
        row.episodeId ? eq(responses.episodeId, row.episodeId) : sql`${responses.episodeId} is null`,
        eq(responses.instrumentId, instrumentId),
        eq(responses.respondent, respondent),
        eq(responses.status, 'completed'),
        isNotNull(responses.total),
      ),
    )
    .orderBy(asc(responses.submittedAt), asc(responses.createdAt), asc(responses.id));
  // A correction supersedes its original: the series keeps the newest version only.
  const superseded = new Set(list.map((r) => r.supersedesId).filter((id): id is string => !!id));
  return list.filter((r) => !superseded.has(r.id));
}

/** The other side's rating of the same session (same appointment), if it has arrived. */
async function sessionPartner(db: Queryable, row: ResponseRow, instrumentId: string, respondent: 'client' | 'clinician'): Promise<ResponseRow | null> {
  if (!row.appointmentId) return null;
  const [partner] = await db
    .select()
    .from(responses)
    .where(
      and(
        eq(responses.orgId, row.orgId),
        eq(responses.appointmentId, row.appointmentId),
        eq(responses.instrumentId, instrumentId),
        eq(responses.respondent, respondent),
        eq(responses.status, 'completed'),
        isNotNull(responses.total),
      ),
    )
    .orderBy(sql`${responses.submittedAt} desc`)
    .limit(1);
  return partner ?? null;
}

function alertOf(row: ResponseRow, kind: AlertKind, evidenceKey: string, evidence: Record<string, unknown>): NewAlert {
  return {
    orgId: row.orgId,
    clientId: row.clientId,
    episodeId: row.episodeId,
    responseId: row.id,
    kind,
    urgent: false,
    status: 'open',
    evidenceKey,
    evidence: { instrumentId: row.instrumentId, instrumentVersion: row.instrumentVersion, responseId: row.id, appointmentId: row.appointmentId, ...evidence },
    rulesVersion: RULES_VERSION,
  };
}

/** Whether an open or acknowledged alert of this kind on this instrument already stands in the episode (a persisting condition alerts once). */
async function hasActiveAlert(db: Queryable, row: ResponseRow, kind: AlertKind, instrumentId?: string): Promise<boolean> {
  const [found] = await db
    .select({ id: alerts.id })
    .from(alerts)
    .where(
      and(
        eq(alerts.orgId, row.orgId),
        eq(alerts.clientId, row.clientId),
        row.episodeId ? eq(alerts.episodeId, row.episodeId) : sql`${alerts.episodeId} is null`,
        eq(alerts.kind, kind),
        inArray(alerts.status, ['open', 'acknowledged']),
        instrumentId ? sql`${alerts.evidence}->>'instrumentId' = ${instrumentId}` : undefined,
      ),
    )
    .limit(1);
  return !!found;
}

function itemRange(definition: InstrumentDefinition, itemId: string): { min: number; max: number } | null {
  const item = definition.items.find((i) => i.id === itemId);
  if (!item || !item.scored) return null;
  if (item.response.kind === 'visual-analogue') return { min: item.response.min, max: item.response.max };
  const values = item.response.options.map((o) => o.value);
  return { min: Math.min(...values), max: Math.max(...values) };
}

const ruptureEvidence = (s: SessionRupture) => ({
  rupture: s.rupture,
  rule: s.rule,
  score: s.score,
  priorCount: s.priorCount,
  priorMean: s.priorMean,
  sd: s.sd,
  flooredSd: s.flooredSd,
  lenientThreshold: s.lenientThreshold,
  strictThreshold: s.strictThreshold,
  dropFromPrevious: s.dropFromPrevious,
  belowCutoff: s.belowCutoff,
});

/** Rupture (and repair of earlier ruptures) and low alliance on the client's alliance series. */
async function clientAllianceAlerts(db: Queryable, row: ResponseRow, definition: InstrumentDefinition, now: Date): Promise<NewAlert[]> {
  const series = await seriesOf(db, row, row.instrumentId, 'client');
  const index = series.findIndex((r) => r.id === row.id);
  if (index < 0) return [];
  const upTo = series.slice(0, index + 1);
  const totals = upTo.map(totalOf);
  const cutoff = definition.validation.status === 'validated' && definition.caseness && (definition.caseness.operator === '<' || definition.caseness.operator === '<=') ? definition.caseness : null;
  const sessions = detectRuptures(totals, definition.range, { cutoff: cutoff ? { operator: cutoff.operator as '<' | '<=', value: cutoff.value } : null });
  const out: NewAlert[] = [];
  const latest = sessions[index]!;
  const sessionNumber = index + 1;

  if (latest.rupture !== 'none') {
    // Item (and subscale) level: the same rule on each parallel item's own series, for the explanation.
    const items: Array<Record<string, unknown>> = [];
    for (const item of definition.items) {
      const range = itemRange(definition, item.id);
      if (!range) continue;
      const values = upTo.map((r) => r.answers[item.id]);
      if (values.some((v) => v === null || v === undefined)) continue;
      const judged = detectRuptures(values as number[], range)[index]!;
      if (judged.rupture !== 'none') items.push({ itemId: item.id, ...ruptureEvidence(judged) });
    }
    const subscales: Array<Record<string, unknown>> = [];
    for (const subscale of definition.scoring.subscales) {
      const values = upTo.map((r) => (r.subscales?.[subscale.id] as { score?: number | null } | undefined)?.score);
      if (values.some((v) => typeof v !== 'number')) continue;
      const size = subscale.items.map((id) => itemRange(definition, id)).filter((r): r is { min: number; max: number } => !!r);
      const range = { min: size.reduce((a, r) => a + r.min, 0), max: size.reduce((a, r) => a + r.max, 0) };
      if (!(range.max > range.min)) continue;
      const judged = detectRuptures(values as number[], range)[index]!;
      if (judged.rupture !== 'none') subscales.push({ subscaleId: subscale.id, ...ruptureEvidence(judged) });
    }
    out.push(
      alertOf(row, 'alliance_rupture', `response:${row.id}`, {
        level: 'total',
        sessionNumber,
        range: definition.range,
        series: totals,
        ...ruptureEvidence(latest),
        items,
        subscales,
        repair: { status: 'pending' },
        source: 'facts.md B4 (derived from src:bmc-crisis-repair)',
      }),
    );
  }
  await recordRepairs(db, row, series.slice(0, index + 1), sessions, now);

  if (!(await hasActiveAlert(db, row, 'low_alliance', row.instrumentId))) {
    const organisationScores = await clinicReference(`alliance:${row.orgId}:${row.instrumentId}:${sessionNumber}`, now, () =>
      organisationScoresAt(db, row.orgId, row.instrumentId, sessionNumber, row.id),
    );
    const low = lowAlliance(totalOf(row), { instrumentId: row.instrumentId, sessionNumber, organisationScores });
    if (low.low) {
      out.push(
        alertOf(row, 'low_alliance', `response:${row.id}`, {
          rule: low.rule,
          threshold: low.threshold,
          operator: low.operator,
          score: low.score,
          percentileRank: low.percentileRank,
          organisationRatings: low.organisationRatings,
          sessionNumber,
          earlyDropoutSignal: low.earlyDropoutSignal,
          notes: low.notes,
        }),
      );
    }
  }
  return out;
}

/**
 * A later session decides whether an earlier rupture was repaired (facts.md B4: back above the
 * lenient threshold within three sessions). The decision is written into that rupture alert's
 * evidence (`repair`) once, and audited as `alert.repair`; the alert's lifecycle is unchanged.
 */
async function recordRepairs(db: Queryable, row: ResponseRow, series: readonly ResponseRow[], sessions: readonly SessionRupture[], now: Date): Promise<void> {
  const open = await db
    .select()
    .from(alerts)
    .where(
      and(
        eq(alerts.orgId, row.orgId),
        eq(alerts.clientId, row.clientId),
        eq(alerts.kind, 'alliance_rupture'),
        inArray(
          alerts.responseId,
          series.map((r) => r.id),
        ),
        sql`coalesce(${alerts.evidence}->'repair'->>'status', 'pending') = 'pending'`,
      ),
    );
  for (const alert of open) {
    const at = series.findIndex((r) => r.id === alert.responseId);
    const repair = sessions[at]?.repair;
    if (!repair || repair.status === 'pending') continue;
    const decision = {
      status: repair.status,
      threshold: repair.threshold,
      window: repair.window,
      repairedByResponseId: repair.repairedAt === null ? null : series[repair.repairedAt]!.id,
      repairedAtScore: repair.repairedAt === null ? null : totalOf(series[repair.repairedAt]!),
      decidedAt: now.toISOString(),
    };
    await db
      .update(alerts)
      .set({ evidence: sql`${alerts.evidence} || jsonb_build_object('repair', ${JSON.stringify(decision)}::jsonb)` })
      .where(eq(alerts.id, alert.id));
    await recordAudit(db, { orgId: alert.orgId, actorKind: 'system', actorId: null, action: 'alert.repair', clientId: alert.clientId, entityType: 'alert', entityId: alert.id, outcome: 'success', at: now });
  }
}

/**
 * The organisation's client ratings on an instrument at the nth rating of their episode (for the
 * lowest-decile rule), the rating being judged left out. A read over the whole clinic: cached, see
 * {@link CLINIC_REFERENCE_TTL_MS}.
 */
async function organisationScoresAt(db: Queryable, orgId: string, instrumentId: string, sessionNumber: number, judgedResponseId: string): Promise<number[]> {
  const result = (await db.execute(sql`
    select total from (
      select ${responses.id} as id, ${responses.total} as total,
             row_number() over (partition by ${responses.episodeId} order by ${responses.submittedAt}, ${responses.createdAt}) as n
      from ${responses}
      where ${responses.orgId} = ${orgId} and ${responses.instrumentId} = ${instrumentId} and ${responses.respondent} = 'client'
        and ${responses.status} = 'completed' and ${responses.total} is not null and ${responses.episodeId} is not null
    ) ranked where n = ${sessionNumber} and id <> ${judgedResponseId}`)) as unknown as { rows: { total: string }[] };
  return result.rows.map((r) => Number(r.total));
}

/** Therapist above client by more than the threshold, for one session. Points at the client's response (blind rating hides both). */
function discrepancyAlerts(client: ResponseRow, therapist: ResponseRow): NewAlert[] {
  const pair = alliancePair(client.instrumentId);
  if (pair.therapistInstrumentId !== therapist.instrumentId || !client.appointmentId) return [];
  const result = discrepancy({ total: totalOf(client), answers: client.answers }, { total: totalOf(therapist), answers: therapist.answers }, pair);
  if (!result.therapistAboveAlert.alert) return [];
  return [
    alertOf(client, 'therapist_over_client', `appointment:${client.appointmentId}`, {
      therapistResponseId: therapist.id,
      therapistInstrumentId: therapist.instrumentId,
      clientScore: result.clientScore,
      therapistScore: result.therapistScore,
      clientPercent: result.clientPercent,
      therapistPercent: result.therapistPercent,
      gapPercent: result.gapPercent,
      thresholdPercent: result.therapistAboveAlert.thresholdPercent,
      items: result.items,
    }),
  ];
}

/** Reliable deterioration against the episode's first score, and not on track (PHQ-9, GAD-7). */
async function symptomAlerts(db: Queryable, row: ResponseRow, definition: InstrumentDefinition, history: EpisodeHistory, now: Date): Promise<NewAlert[]> {
  if (!row.episodeId) return [];
  const series = historySeries(history, row.instrumentId);
  const index = series.findIndex((r) => r.id === row.id);
  if (index <= 0) return [];
  const first = totalOf(series[0]!);
  const latest = totalOf(row);
  const out: NewAlert[] = [];
  if (definition.reliableChange && !historyHasActiveAlert(history, row.episodeId, 'reliable_deterioration', row.instrumentId)) {
    const result = reliableDeterioration(row.instrumentId, first, latest);
    if (result.status === 'deteriorated') {
      out.push(
        alertOf(row, 'reliable_deterioration', `response:${row.id}`, {
          firstResponseId: series[0]!.id,
          first,
          latest,
          change: result.change,
          threshold: result.threshold,
          method: result.method,
          index: result.index,
        }),
      );
    }
  }
  if ((row.instrumentId === 'phq9' || row.instrumentId === 'gad7') && !historyHasActiveAlert(history, row.episodeId, 'not_on_track', row.instrumentId)) {
    const instrumentId = row.instrumentId as DefaultTrajectoryInstrument;
    const organisation = await organisationTrajectories(db, row.orgId, instrumentId, now);
    const result = notOnTrack(latest, index + 1, first, { organisation, default: defaultTrajectories(instrumentId) });
    if (result.status === 'not_on_track') {
      out.push(
        alertOf(row, 'not_on_track', `response:${row.id}`, {
          source: result.source,
          band: result.band,
          expected: result.expected,
          upperBound: result.upperBound,
          lowerBound: result.lowerBound,
          tolerance: result.tolerance,
          score: result.score,
          intakeScore: first,
          sessionNumber: result.sessionNumber,
          evaluatedAtSession: result.evaluatedAtSession,
        }),
      );
    }
  }
  return out;
}

/**
 * How long a clinic-wide reference of the rules is reused before it is read again: the clinic's
 * expected-trajectory curves (or "not enough finished episodes yet") for the not-on-track rule, and
 * its alliance ratings at each session number for the lowest-decile rule. Each is built from the
 * whole clinic's data, so building it on each submit grew with the clinic (the trajectories: a
 * count over all its responses, then a read and fit of all finished episodes' scores; the
 * alliance: every rating on the instrument). Each moves only a little with one more episode or
 * rating once it has the 30 its rule needs; so each server process keeps it per clinic (and
 * instrument, and session number) for this long, by the engine's clock. A clinic reaching the
 * 30 finished episodes or ratings uses its own reference at most this much later; the alert's
 * evidence always names the rule or curve it used (`source`, `rule`, `organisationRatings`).
 * Never shared between clinics.
 */
export const CLINIC_REFERENCE_TTL_MS = 10 * 60_000;
const clinicReferences = new Map<string, { at: number; value: unknown }>();

/** The reference under `key` (starting with its clinic's id), read by `read` when missing or older than {@link CLINIC_REFERENCE_TTL_MS}. */
async function clinicReference<T>(key: string, now: Date, read: () => Promise<T>): Promise<T> {
  const cached = clinicReferences.get(key);
  const age = cached ? now.getTime() - cached.at : NaN;
  if (cached && age >= 0 && age < CLINIC_REFERENCE_TTL_MS) return cached.value as T;
  const value = await read();
  if (clinicReferences.size >= 10_000) clinicReferences.clear();
  clinicReferences.set(key, { at: now.getTime(), value });
  return value;
}

/** The organisation's fitted curves once it has enough finished episodes on the instrument; null before. Cached, see {@link CLINIC_REFERENCE_TTL_MS}. */
function organisationTrajectories(db: Queryable, orgId: string, instrumentId: DefaultTrajectoryInstrument, now: Date) {
  return clinicReference(`trajectory:${orgId}:${instrumentId}`, now, () => fitOrganisationTrajectories(db, orgId, instrumentId));
}

async function fitOrganisationTrajectories(db: Queryable, orgId: string, instrumentId: DefaultTrajectoryInstrument) {
  // Enough finished episodes? Stops at the threshold instead of counting every one.
  const [enough] = (
    (await db.execute(sql`
      select count(*)::int as n from (
        select 1 from ${episodes}
        where ${episodes.orgId} = ${orgId} and ${episodes.endedOn} is not null
          and exists (select 1 from ${responses} where ${responses.orgId} = ${orgId} and ${responses.clientId} = ${episodes.clientId}
            and ${responses.instrumentId} = ${instrumentId} and ${responses.episodeId} = ${episodes.id}
            and ${responses.status} = 'completed' and ${responses.respondent} = 'client')
        limit ${DEFAULT_MIN_EPISODES_PER_BAND}) finished`)) as unknown as { rows: { n: number }[] }
  ).rows;
  if (!enough || enough.n < DEFAULT_MIN_EPISODES_PER_BAND) return null;
  const rows = await db
    .select({ episodeId: responses.episodeId, total: responses.total })
    .from(responses)
    .innerJoin(episodes, eq(episodes.id, responses.episodeId))
    .where(and(eq(responses.orgId, orgId), eq(responses.instrumentId, instrumentId), eq(responses.status, 'completed'), eq(responses.respondent, 'client'), isNotNull(episodes.endedOn), isNotNull(responses.total)))
    .orderBy(asc(responses.episodeId), asc(responses.submittedAt));
  const byEpisode = new Map<string, number[]>();
  for (const r of rows) byEpisode.set(r.episodeId!, [...(byEpisode.get(r.episodeId!) ?? []), Number(r.total)]);
  const finished: FinishedEpisode[] = [...byEpisode.values()].map((scores) => ({ intakeScore: scores[0]!, scores: scores.map((score, i) => ({ sessionNumber: i + 1, score })) }));
  return fitExpectedTrajectories(finished, { instrumentId });
}

/** Dropout risk for the episode after this response: an alert when the level is `high`, every factor listed. */
async function dropoutAlerts(row: ResponseRow, history: EpisodeHistory, now: Date): Promise<NewAlert[]> {
  if (!row.episodeId || historyHasActiveAlert(history, row.episodeId, 'dropout_risk')) return [];
  const { episode } = history;
  if (!episode) return [];
  const standing = history.alerts;
  const active = standing.filter((a) => a.status !== 'resolved');
  // The alliance instruments the client has scores on in the episode (an unscored one has no rupture to find).
  const allianceIds = [...new Set(history.series.map((r) => r.instrumentId))].filter((id) => hasInstrument(id) && !!getInstrument(id).parallelForm);
  let unrepairedRupture = false;
  for (const instrumentId of allianceIds) {
    const series = historySeries(history, instrumentId);
    if (hasUnrepairedRupture(detectRuptures(series.map(totalOf), getInstrument(instrumentId).range))) unrepairedRupture = true;
  }
  const factors: DropoutFactors = {
    earlyLowAlliance: standing.some((a) => a.kind === 'low_alliance' && a.earlyDropoutSignal),
    unrepairedRupture,
    notOnTrack: active.some((a) => a.kind === 'not_on_track'),
    reliableDeterioration: active.some((a) => a.kind === 'reliable_deterioration'),
    missedAppointments: history.missed,
    missedQuestionnaires: active.some((a) => a.kind === 'missed_questionnaires' || a.kind === 'stopped_checkins'),
    traineeTherapist: episode.trainee ?? false,
    age: episode.dateOfBirth ? ageOn(episode.dateOfBirth, now) : null,
  };
  const result = dropoutRisk(factors);
  if (result.level !== 'high') return [];
  const key = `episode:${row.episodeId}:${result.contributions.map((c) => c.factor).join('+')}`;
  return [{ ...alertOf(row, 'dropout_risk', key, { score: result.score, level: result.level, contributions: result.contributions, cutPoints: result.cutPoints }) }];
}

function ageOn(dateOfBirth: string, now: Date): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  let age = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d)) age -= 1;
  return age;
}
