import { sql, type SQL } from 'drizzle-orm';
import { listInstruments } from '@rapport/instruments';
import type { Queryable } from '../../db/database';
import { ANXIETY_MEASURE_BY_PROBLEM, DEFAULT_ANXIETY_MEASURE, allianceFormPairs, type EpisodeScoreRow } from './reports.compute';

/** The report's scope: an organisation, optionally one programme and/or one therapist, and a period of dates (inclusive). */
export type ReportScope = { orgId: string; from: string; to: string; programmeId?: string; clinicianId?: string };

type Row = Record<string, unknown>;
async function rows<T extends Row>(db: Queryable, statement: SQL): Promise<T[]> {
  const result = await db.execute<T>(statement);
  return (result as unknown as { rows: T[] }).rows;
}
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** `case coalesce(presenting_problem, 'none') when 'ptsd' then '…' … else 'gad7' end`: the paired anxiety measure, from the instruments library. */
function anxietyCase(column: SQL): SQL {
  const whens = Object.entries(ANXIETY_MEASURE_BY_PROBLEM).map(([code, id]) => sql`when ${code} then ${id}`);
  return sql`(case coalesce(${column}, 'none') ${sql.join(whens, sql` `)} else ${DEFAULT_ANXIETY_MEASURE} end)`;
}

/**
 * No correction supersedes the response `r`. The `is not null` is implied by the equality but
 * tells the planner the corrections are few (it reads them from `responses_supersedes_idx`);
 * without it the planner sized the anti-join for every response and spilled the report's
 * 850,000 scored rows to disk in batches (bench/outcome-report.bench.ts).
 */
const notSuperseded = sql`not exists (select 1 from responses s where s.supersedes_id = r.id and s.supersedes_id is not null)`;

/** Episode filter on an `episodes` alias `e` for the scope's programme and therapist. */
function episodeFilter(scope: ReportScope): SQL {
  return sql.join(
    [
      sql`e.org_id = ${scope.orgId}`,
      scope.programmeId ? sql`e.programme_id = ${scope.programmeId}` : undefined,
      scope.clinicianId ? sql`e.primary_clinician_id = ${scope.clinicianId}` : undefined,
    ].filter((s): s is SQL => s !== undefined),
    sql` and `,
  );
}

/**
 * The report's one pass over the responses: every episode that ended in the period (within the
 * programme/therapist filter), its attended treatment sessions, and the count, first and last
 * score of PHQ-9 and of its paired anxiety measure (completed client responses that nothing
 * supersedes, ordered by submission time). The library classifies each row afterwards. One group
 * per episode (both measures as filtered aggregates), so the scores are sorted once and joined
 * back once.
 */
export function episodeScoresStatement(scope: ReportScope): SQL {
  return sql`
    with ep as (
      select e.id, e.primary_clinician_id, e.end_reason, ${anxietyCase(sql`e.presenting_problem`)} as anxiety_id
      from episodes e
      where ${episodeFilter(scope)} and e.ended_on is not null and e.ended_on between ${scope.from}::date and ${scope.to}::date
    ),
    att as (
      select a.episode_id, count(*)::int as n
      from appointments a join ep on ep.id = a.episode_id
      where a.org_id = ${scope.orgId} and a.kind = 'treatment' and a.status = 'attended'
      group by a.episode_id
    ),
    sc as (
      select r.episode_id,
        count(*) filter (where r.instrument_id = 'phq9')::int as dn,
        (array_agg(r.total::float8 order by r.submitted_at, r.id) filter (where r.instrument_id = 'phq9'))[1] as df,
        (array_agg(r.total::float8 order by r.submitted_at desc, r.id desc) filter (where r.instrument_id = 'phq9'))[1] as dl,
        count(*) filter (where r.instrument_id = ep.anxiety_id)::int as xn,
        (array_agg(r.total::float8 order by r.submitted_at, r.id) filter (where r.instrument_id = ep.anxiety_id))[1] as xf,
        (array_agg(r.total::float8 order by r.submitted_at desc, r.id desc) filter (where r.instrument_id = ep.anxiety_id))[1] as xl
      from responses r join ep on ep.id = r.episode_id
      where r.org_id = ${scope.orgId} and r.status = 'completed' and r.respondent = 'client' and r.total is not null
        and (r.instrument_id = 'phq9' or r.instrument_id = ep.anxiety_id)
        and ${notSuperseded}
      group by r.episode_id
    )
    select ep.id, ep.primary_clinician_id, ep.end_reason, ep.anxiety_id, coalesce(att.n, 0) as attended,
      sc.dn, sc.df, sc.dl, sc.xn, sc.xf, sc.xl
    from ep
    left join att on att.episode_id = ep.id
    left join sc on sc.episode_id = ep.id`;
}

export async function episodeScores(db: Queryable, scope: ReportScope): Promise<EpisodeScoreRow[]> {
  const result = await rows<Row>(db, episodeScoresStatement(scope));
  return result.map((r) => ({
    episodeId: String(r.id),
    clinicianId: String(r.primary_clinician_id),
    endReason: (r.end_reason as string | null) ?? null,
    anxietyId: String(r.anxiety_id),
    attended: Number(r.attended),
    depression: { n: Number(r.dn ?? 0), first: num(r.df), last: num(r.dl) },
    anxiety: { n: Number(r.xn ?? 0), first: num(r.xf), last: num(r.xl) },
  }));
}

/** Jacobson–Truax categories (CORE-10) stored per episode in `episode_outcomes`, for the episodes that ended in the period. */
export async function jacobsonTruaxCategories(db: Queryable, scope: ReportScope): Promise<{ category: string; count: number }[]> {
  const result = await rows<Row>(
    db,
    sql`select o.clinical_significance->>'category' as category, count(*)::int as n
      from episode_outcomes o join episodes e on e.id = o.episode_id
      where ${episodeFilter(scope)} and e.ended_on is not null and e.ended_on between ${scope.from}::date and ${scope.to}::date
        and o.clinical_significance->>'category' is not null
      group by 1 order by 1`,
  );
  return result.map((r) => ({ category: String(r.category), count: Number(r.n) }));
}

const periodEnd = (scope: ReportScope) => sql`(${scope.to}::date + 1)`;

/** Client questionnaires scheduled in the period: sent, completed, expired. Filters through the assignment's episode. */
export async function questionnaireAdherence(db: Queryable, scope: ReportScope) {
  const filtered = scope.programmeId || scope.clinicianId;
  const [r] = await rows<Row>(
    db,
    sql`select count(*) filter (where a.sent_at is not null)::int as sent,
        count(*) filter (where a.status = 'completed')::int as completed,
        count(*) filter (where a.status = 'expired')::int as expired
      from assignments a ${filtered ? sql`join episodes e on e.id = a.episode_id` : sql``}
      where a.org_id = ${scope.orgId} and a.respondent = 'client'
        and a.scheduled_for >= ${scope.from}::date and a.scheduled_for < ${periodEnd(scope)}
        ${filtered ? sql`and ${episodeFilter(scope)}` : sql``}`,
  );
  const [s] = await rows<Row>(
    db,
    sql`select count(*) filter (where sr.outcome = 'rated')::int as rated, count(*)::int as due
      from session_ratings sr ${scope.programmeId ? sql`join appointments ap on ap.id = sr.appointment_id join episodes e on e.id = ap.episode_id` : sql``}
      where sr.org_id = ${scope.orgId} and sr.decided_at >= ${scope.from}::date and sr.decided_at < ${periodEnd(scope)}
        ${scope.clinicianId ? sql`and sr.user_id = ${scope.clinicianId}` : sql``}
        ${scope.programmeId ? sql`and e.programme_id = ${scope.programmeId}` : sql``}`,
  );
  return { sent: Number(r!.sent), completed: Number(r!.completed), expired: Number(r!.expired), sessionsRated: Number(s!.rated), sessionRatingsDue: Number(s!.due) };
}

/** Alerts raised in the period: how many, how many acknowledged, and the median and 90th percentile hours to acknowledge. */
export async function alertAcknowledgement(db: Queryable, scope: ReportScope) {
  const filtered = scope.programmeId || scope.clinicianId;
  const [r] = await rows<Row>(
    db,
    sql`select count(*)::int as raised, count(al.acknowledged_at)::int as acknowledged,
        percentile_cont(0.5) within group (order by extract(epoch from al.acknowledged_at - al.created_at)) filter (where al.acknowledged_at is not null) as p50,
        percentile_cont(0.9) within group (order by extract(epoch from al.acknowledged_at - al.created_at)) filter (where al.acknowledged_at is not null) as p90
      from alerts al ${filtered ? sql`join episodes e on e.id = al.episode_id` : sql``}
      where al.org_id = ${scope.orgId} and al.created_at >= ${scope.from}::date and al.created_at < ${periodEnd(scope)}
        ${filtered ? sql`and ${episodeFilter(scope)}` : sql``}`,
  );
  const hours = (v: unknown) => (v === null || v === undefined ? null : Number(v) / 3600);
  return { raised: Number(r!.raised), acknowledged: Number(r!.acknowledged), medianHours: hours(r!.p50), p90Hours: hours(r!.p90) };
}

/** Completed client responses submitted in the period, and how many were marked discussed with the client. */
export async function discussedShare(db: Queryable, scope: ReportScope) {
  const filtered = scope.programmeId || scope.clinicianId;
  const [r] = await rows<Row>(
    db,
    sql`select count(*)::int as results, count(d.id)::int as discussed
      from responses r ${filtered ? sql`join episodes e on e.id = r.episode_id` : sql``}
      left join response_discussions d on d.response_id = r.id
      where r.org_id = ${scope.orgId} and r.status = 'completed' and r.respondent = 'client'
        and r.submitted_at >= ${scope.from}::date and r.submitted_at < ${periodEnd(scope)}
        and ${notSuperseded}
        ${filtered ? sql`and ${episodeFilter(scope)}` : sql``}`,
  );
  return { results: Number(r!.results), discussed: Number(r!.discussed) };
}

export type AllianceByTherapistRow = {
  therapistId: string;
  displayName: string;
  consented: boolean;
  clientForm: string;
  sessions: number;
  clientSum: number;
  pairs: number;
  gapSum: number;
};

/**
 * Client alliance responses submitted in the period on sessions of each therapist (the appointment's
 * clinician), with the therapist's own rating of the same session where given: sums and counts, so
 * pools are exact. `hiddenResponseIds` (blind rating, `allianceVisibility`) are left out.
 */
export async function allianceByTherapist(db: Queryable, scope: ReportScope, hiddenResponseIds: readonly string[]): Promise<AllianceByTherapistRow[]> {
  const pairs = allianceFormPairs(listInstruments().map((i) => i.id));
  if (pairs.length === 0) return [];
  const pairValues = sql.join(
    pairs.map((p) => sql`(${p.client}, ${p.therapist})`),
    sql`, `,
  );
  // The client forms again as a plain filter on the scan: joined only through the VALUES list, the
  // planner kept every response of the period until after the anti-join (6.4 s of a 1M-response report).
  const clientForms = sql.join(
    pairs.map((p) => sql`${p.client}`),
    sql`, `,
  );
  const hidden = hiddenResponseIds.length ? sql`and r.id <> all(${`{${hiddenResponseIds.join(',')}}`}::uuid[])` : sql``;
  const result = await rows<Row>(
    db,
    sql`with forms(client_form, therapist_form) as (values ${pairValues}),
      cr as (
        select r.id, r.appointment_id, r.instrument_id, r.total::float8 as total, ap.clinician_id, f.therapist_form
        from responses r
        join forms f on f.client_form = r.instrument_id
        join appointments ap on ap.id = r.appointment_id
        join episodes e on e.id = ap.episode_id
        where r.org_id = ${scope.orgId} and r.status = 'completed' and r.respondent = 'client' and r.total is not null
          and r.submitted_at >= ${scope.from}::date and r.submitted_at < ${periodEnd(scope)}
          and r.instrument_id in (${clientForms})
          and ${notSuperseded}
          and ${episodeFilter(scope)} ${scope.clinicianId ? sql`and ap.clinician_id = ${scope.clinicianId}` : sql``}
          ${hidden}
      ),
      tr as (
        select distinct on (t.appointment_id, t.instrument_id) t.appointment_id, t.instrument_id, t.total::float8 as total
        from responses t
        where t.org_id = ${scope.orgId} and t.status = 'completed' and t.respondent = 'clinician' and t.total is not null
          and t.appointment_id in (select appointment_id from cr)
        order by t.appointment_id, t.instrument_id, t.submitted_at desc
      )
      select cr.clinician_id, cr.instrument_id as client_form, u.display_name, coalesce(m.calibration_consent, false) as consented,
        count(*)::int as sessions, sum(cr.total) as client_sum,
        count(tr.total)::int as pairs, coalesce(sum(tr.total - cr.total), 0) as gap_sum
      from cr
      left join tr on tr.appointment_id = cr.appointment_id and tr.instrument_id = cr.therapist_form
      join users u on u.id = cr.clinician_id
      left join memberships m on m.org_id = ${scope.orgId} and m.user_id = cr.clinician_id
      group by cr.clinician_id, cr.instrument_id, u.display_name, m.calibration_consent
      order by u.display_name, cr.clinician_id`,
  );
  return result.map((r) => ({
    therapistId: String(r.clinician_id),
    displayName: String(r.display_name),
    consented: r.consented === true,
    clientForm: String(r.client_form),
    sessions: Number(r.sessions),
    clientSum: Number(r.client_sum),
    pairs: Number(r.pairs),
    gapSum: Number(r.gap_sum),
  }));
}

/** Display names and calibration consent of the given therapists in the organisation. */
export async function therapistLabels(db: Queryable, orgId: string, userIds: readonly string[]): Promise<Map<string, { displayName: string; consented: boolean }>> {
  if (userIds.length === 0) return new Map();
  const result = await rows<Row>(
    db,
    sql`select u.id, u.display_name, coalesce(m.calibration_consent, false) as consented
      from users u left join memberships m on m.user_id = u.id and m.org_id = ${orgId}
      where u.id = any(${`{${userIds.join(',')}}`}::uuid[])`,
  );
  return new Map(result.map((r) => [String(r.id), { displayName: String(r.display_name), consented: r.consented === true }]));
}
