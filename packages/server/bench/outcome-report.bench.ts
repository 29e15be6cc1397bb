/**
 * The organisation outcome report over 1,000,000 responses (100,000 clients, 500 therapists) on
 * PostgreSQL, next to one hand-written SQL statement computing the same per-therapist first-to-last
 * PHQ-9 means over the same rows, in the same run. The bar: the report takes at most three times
 * as long as the statement (aim: under one second).
 *
 * On PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) it creates its own
 * database, migrates it, bulk-generates the data with generate_series, runs both in alternating
 * rounds and prints the medians, the ratio and the machine load; the database is dropped at the end.
 * Run: npm run bench -w @rapport/server (after the client-list bench), or
 * tsx packages/server/bench/outcome-report.bench.ts. BENCH_ROUNDS tunes the rounds (default 5).
 * To profile the report's statements (EXPLAIN ANALYZE) afterwards, BENCH_KEEP_DATABASE=1 keeps the
 * database and prints its name; BENCH_DATABASE=<that name> runs again on it without seeding
 * (migrating it first, so a new index is measured on the same rows).
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../src/db/database';
import { createOrganisation } from '../src/features/organisations/organisations.queries';
import { buildOutcomeReport } from '../src/features/reports/reports.report';
import { adminQuery, baseUrl, withDatabase } from './bench-database';

const CLIENTS = 100_000;
const THERAPISTS = 500;
const PER_MEASURE = 5; // 5 PHQ-9 + 5 GAD-7 per client = 1,000,000 responses
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUIRED_RATIO = 3;
const PERIOD = { from: '2026-01-01', to: '2026-12-31' };

const reused = process.env.BENCH_DATABASE;
if (reused !== undefined && !/^rapport_bench_[0-9a-f]{8}$/.test(reused)) throw new Error('BENCH_DATABASE must name a database this bench kept (rapport_bench_xxxxxxxx).');
const keep = process.env.BENCH_KEEP_DATABASE === '1' || reused !== undefined;
const databaseName = reused ?? `rapport_bench_${randomBytes(4).toString('hex')}`;

/** 500 therapists (one in ten consents), 100,000 clients with one episode each (85 % ended in 2026), 3 attended treatment sessions (2 for one in ten: still a finished course; 1 for one in twenty), 5 PHQ-9 and 5 GAD-7 each. */
async function seed(pool: pg.Pool, orgId: string): Promise<void> {
  const q = (text: string) => pool.query(text);
  await q(`insert into users (id, email, display_name, created_at)
    select ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'therapist' || g || '@bench.test', 'Therapist ' || g, now()
    from generate_series(1, ${THERAPISTS}) g`);
  await q(`insert into memberships (org_id, user_id, role, calibration_consent, created_at)
    select '${orgId}', ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'clinician', g % 10 = 0, now()
    from generate_series(1, ${THERAPISTS}) g`);
  await q(`insert into clients (id, org_id, given_name, family_name, created_at, updated_at)
    select ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid, '${orgId}', 'Given' || g, 'Family' || g, now(), now()
    from generate_series(1, ${CLIENTS}) g`);
  await q(`insert into episodes (id, org_id, client_id, primary_clinician_id, presenting_problem, started_on, ended_on, end_reason, created_at)
    select ('00000000-0000-4000-a000-' || lpad(to_hex(g), 12, '0'))::uuid, '${orgId}', ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid,
      ('00000000-0000-4000-8000-' || lpad(to_hex(1 + g % ${THERAPISTS}), 12, '0'))::uuid,
      case when g % 7 = 0 then 'gad' else 'depression' end, date '2026-01-01' + (g % 60),
      case when g % 20 < 17 then date '2026-03-01' + (g % 200) end,
      case when g % 20 < 17 then (case when g % 9 = 0 then 'dropped_out' else 'completed' end) end,
      now()
    from generate_series(1, ${CLIENTS}) g`);
  await q(`insert into appointments (org_id, client_id, episode_id, clinician_id, starts_at, kind, status)
    select '${orgId}', ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid, ('00000000-0000-4000-a000-' || lpad(to_hex(g), 12, '0'))::uuid,
      ('00000000-0000-4000-8000-' || lpad(to_hex(1 + g % ${THERAPISTS}), 12, '0'))::uuid,
      timestamptz '2026-01-05 10:00Z' + (g % 60) * interval '1 day' + s * interval '7 days', 'treatment',
      case when (g % 10 = 0 and s = 3) or (g % 20 = 1 and s >= 2) then 'did_not_attend' else 'attended' end
    from generate_series(1, ${CLIENTS}) g, generate_series(1, 3) s`);
  // Scores fall over the course on average, with a spread per client: some recover, some deteriorate.
  await q(`insert into responses (org_id, client_id, episode_id, instrument_id, instrument_version, respondent, status, answers, total, started_at, submitted_at, created_at)
    select '${orgId}', ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid, ('00000000-0000-4000-a000-' || lpad(to_hex(g), 12, '0'))::uuid,
      m.id, '1.0.0', 'client', 'completed', '{}'::jsonb,
      greatest(0, least(m.max, m.start + (g::bigint * 7919 % 9) - 4 - ((g::bigint * 104729 % 11) - 3) * s / 2))::text,
      t, t, t
    from generate_series(1, ${CLIENTS}) g, generate_series(0, ${PER_MEASURE - 1}) s,
      (values ('phq9', 27, 15), ('gad7', 21, 12)) as m(id, max, start),
      lateral (select timestamptz '2026-01-04 10:00Z' + (g % 60) * interval '1 day' + s * interval '7 days' as t) tt`);
  await q('analyze');
}

/** The hand-written statement: per therapist, the mean PHQ-9 first-to-last change of finished courses (ended in the period, ≥ 2 attended treatment sessions, ≥ 2 scores). */
const HAND_WRITTEN = `
  with ep as (
    select id, primary_clinician_id from episodes
    where org_id = $1 and ended_on between $2::date and $3::date
  ),
  att as (
    select a.episode_id from appointments a join ep on ep.id = a.episode_id
    where a.org_id = $1 and a.kind = 'treatment' and a.status = 'attended'
    group by a.episode_id having count(*) >= 2
  ),
  fl as (
    select r.episode_id, count(*) as n,
      (array_agg(r.total::float8 order by r.submitted_at, r.id))[1] as first,
      (array_agg(r.total::float8 order by r.submitted_at desc, r.id desc))[1] as last
    from responses r join ep on ep.id = r.episode_id
    where r.org_id = $1 and r.instrument_id = 'phq9' and r.status = 'completed' and r.respondent = 'client' and r.total is not null
      and not exists (select 1 from responses s where s.supersedes_id = r.id)
    group by r.episode_id
  )
  select ep.primary_clinician_id, count(*) as n, avg(fl.last - fl.first) as mean_change
  from ep join att on att.episode_id = ep.id join fl on fl.episode_id = ep.id
  where fl.n >= 2
  group by ep.primary_clinician_id`;

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  if (!reused) await adminQuery(`create database ${databaseName}`);
  const url = withDatabase(baseUrl, databaseName);
  const database = await openDatabase({ kind: 'postgres', url, poolSize: 4 });
  try {
    await database.migrate();
    let orgId: string;
    const seedStart = performance.now();
    if (reused) {
      orgId = ((await database.pool!.query('select id from organisations limit 1')).rows as [{ id: string }])[0].id;
      await database.pool!.query('analyze');
    } else {
      orgId = (await createOrganisation(database.db, { name: 'Bench Clinic', settings: { mfaRequired: false } }, new Date())).id;
      await seed(database.pool!, orgId);
    }
    const [{ count }] = (await database.pool!.query('select count(*)::int as count from responses')).rows as [{ count: number }];
    console.log(`${reused ? 'reused' : 'seeded'} ${count.toLocaleString('en')} responses, ${CLIENTS.toLocaleString('en')} clients, ${THERAPISTS} therapists in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

    const scope = { orgId, ...PERIOD };
    const viewer = { userId: '00000000-0000-4000-8000-000000000000', hiddenResponseIds: [] };
    // The report's own per-therapist means, to check both compute the same thing.
    const check = await buildOutcomeReport(database.db, scope, viewer);
    const hand = (await database.pool!.query(HAND_WRITTEN, [orgId, PERIOD.from, PERIOD.to])).rows as { primary_clinician_id: string; n: string; mean_change: number }[];
    const named = check.changeByTherapist.filter((r) => !r.pooled);
    for (const r of named) {
      const h = hand.find((x) => x.primary_clinician_id === r.therapistId);
      if (!h || Number(h.n) !== r.n || Math.abs(Number(h.mean_change) - r.meanChange!) > 1e-9) throw new Error(`per-therapist means differ for ${r.therapistId}`);
    }
    const pooledN = check.changeByTherapist.find((r) => r.pooled)?.n ?? 0;
    const handPooledN = hand.filter((h) => !named.some((r) => r.therapistId === h.primary_clinician_id)).reduce((a, h) => a + Number(h.n), 0);
    if (pooledN !== handPooledN) throw new Error(`pooled n differs: ${pooledN} vs ${handPooledN}`);
    const tt = check.talkingTherapies;
    console.log(
      `report: ${tt.endedEpisodes} ended, ${tt.finishedWithPairedScores} finished with paired scores; recovery ${tt.recovery.numerator}/${tt.recovery.denominator}, ` +
        `reliable improvement ${tt.reliableImprovement.numerator}/${tt.reliableImprovement.denominator}; ${named.length} therapists named, ${hand.length} in the hand-written result (same means)`,
    );

    // Warm up, then alternate.
    await database.db.execute(sql`select 1`);
    await database.pool!.query(HAND_WRITTEN, [orgId, PERIOD.from, PERIOD.to]);
    const reportMs: number[] = [];
    const handMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let t = performance.now();
      await database.pool!.query(HAND_WRITTEN, [orgId, PERIOD.from, PERIOD.to]);
      handMs.push(performance.now() - t);
      t = performance.now();
      await buildOutcomeReport(database.db, scope, viewer);
      reportMs.push(performance.now() - t);
    }
    const report = median(reportMs);
    const handWritten = median(handMs);
    const ratio = report / handWritten;
    const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
    console.log(`outcome report (whole organisation): median ${report.toFixed(0)} ms over ${ROUNDS} rounds [${reportMs.map((m) => m.toFixed(0)).join(', ')}]`);
    console.log(`hand-written per-therapist statement: median ${handWritten.toFixed(0)} ms [${handMs.map((m) => m.toFixed(0)).join(', ')}]`);
    console.log(`ratio ${ratio.toFixed(2)} (bar: ≤ ${REQUIRED_RATIO}); aim < 1 s: ${report < 1000 ? 'met' : 'not met'}; load average ${load} on ${os.cpus().length} CPUs`);
    if (ratio > REQUIRED_RATIO) process.exitCode = 1;
  } finally {
    await database.close();
    if (keep) console.log(`kept database ${databaseName}`);
    else await adminQuery(`drop database if exists ${databaseName} with (force)`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
