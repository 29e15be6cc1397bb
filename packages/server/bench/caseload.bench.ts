/**
 * The caseload (GET /api/v1/caseload) next to the client list (GET /api/v1/clients) as its baseline,
 * in the same run, on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
 * It creates its own database, migrates it and seeds with generate_series one clinic of 10,000
 * clients over 25 clinicians (400 each) with open episodes, past and future appointments, alerts
 * (urgent and not, resolved ones too), questionnaires out, PHQ-9 scores and alliance ratings; then
 * sends the first page of each route through the whole app (`app.inject`: session, access check,
 * audit event, presentation) in alternating rounds and prints median and p95 latency and the ratio.
 * Two views: a clinician's own caseload (400 clients to rank) and an admin's whole clinic (10,000).
 * No bar: the caseload does more per row (ranking over the whole caseload, scores, alliance, today's
 * session) and the ratio is what to watch. Run: tsx packages/server/bench/caseload.bench.ts
 * (BENCH_REQUESTS, default 100 per route per round; BENCH_ROUNDS, default 3; BENCH_KEEP_DATABASE=1 keeps
 * the database for EXPLAIN ANALYZE).
 */
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { createOrganisation } from '../src/features/organisations/organisations.queries';
import { createSession } from '../src/auth/sessions.queries';
import { SESSION_COOKIE } from '../src/auth/session-cookie';
import { createLogger } from '../src/lib/logger';
import { systemClock } from '../src/lib/clock';
import { createMailer } from '../src/mail/mailer';
import { adminQuery, baseUrl, withDatabase } from './bench-database';

const CLIENTS = 10_000;
const CLINICIANS = 25;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const databaseName = `rapport_bench_${randomBytes(4).toString('hex')}`;

const uuid = (block: string, expression: string) => `('00000000-0000-4000-${block}-' || lpad(to_hex(${expression}), 12, '0'))::uuid`;
const clinician = (g: string) => uuid('8000', `1 + ${g} % ${CLINICIANS}`);
const client = (g: string) => uuid('9000', g);
const episode = (g: string) => uuid('a000', g);

async function seed(pool: NonNullable<Awaited<ReturnType<typeof openDatabase>>['pool']>, orgId: string, adminId: string): Promise<void> {
  const q = (text: string) => pool.query(text);
  await q(`insert into users (id, email, display_name, created_at)
    select ${uuid('8000', 'g')}, 'clinician' || g || '@bench.test', 'Clinician ' || g, now() from generate_series(1, ${CLINICIANS}) g`);
  await q(`insert into memberships (org_id, user_id, role, created_at)
    select '${orgId}', ${uuid('8000', 'g')}, 'clinician', now() from generate_series(1, ${CLINICIANS}) g`);
  await q(`insert into users (id, email, display_name, created_at) values ('${adminId}', 'admin@bench.test', 'Admin', now())`);
  await q(`insert into memberships (org_id, user_id, role, created_at) values ('${orgId}', '${adminId}', 'admin', now())`);
  await q(`insert into clients (id, org_id, given_name, family_name, status, created_at, updated_at)
    select ${client('g')}, '${orgId}', 'Given' || g, 'Family' || lpad(g::text, 5, '0'), case when g % 10 = 9 then 'inactive' else 'active' end, now(), now()
    from generate_series(1, ${CLIENTS}) g`);
  await q(`insert into care_team_members (org_id, client_id, user_id, added_at) select '${orgId}', ${client('g')}, ${clinician('g')}, now() from generate_series(1, ${CLIENTS}) g`);
  await q(`insert into episodes (id, org_id, client_id, primary_clinician_id, presenting_problem, started_on, created_at)
    select ${episode('g')}, '${orgId}', ${client('g')}, ${clinician('g')}, case when g % 7 = 0 then 'gad' else 'depression' end, current_date - (g % 90), now()
    from generate_series(1, ${CLIENTS}) g`);
  // Three past attended sessions and one booked ahead per client (some today).
  await q(`insert into appointments (org_id, client_id, episode_id, clinician_id, starts_at, status)
    select '${orgId}', ${client('g')}, ${episode('g')}, ${clinician('g')}, now() - s * interval '7 days' - (g % 5) * interval '1 hour', 'attended'
    from generate_series(1, ${CLIENTS}) g, generate_series(1, 3) s`);
  await q(`insert into appointments (org_id, client_id, episode_id, clinician_id, starts_at, status)
    select '${orgId}', ${client('g')}, ${episode('g')}, ${clinician('g')}, now() + (g % 30) * interval '1 day' + interval '1 hour', 'scheduled'
    from generate_series(1, ${CLIENTS}) g`);
  await q(`insert into alerts (org_id, client_id, kind, urgent, status, evidence_key, evidence, rules_version)
    select '${orgId}', ${client('g')}, case when g % 20 = 0 then 'risk_item' else 'missed_questionnaires' end, g % 20 = 0,
      case when g % 3 = 0 then 'resolved' else 'open' end, 'bench:' || g, '{}'::jsonb, 'bench'
    from generate_series(1, ${CLIENTS}) g where g % 20 = 0 or g % 10 = 1 or g % 7 = 0`);
  await q(`insert into assignments (org_id, client_id, episode_id, instrument_ids, respondent, channel, status, scheduled_for, sent_at, reminder_after_days, expires_at)
    select '${orgId}', ${client('g')}, ${episode('g')}, '["phq9"]'::jsonb, 'client', 'email', case when g % 5 = 2 then 'sent' else 'completed' end,
      now() - (g % 4) * interval '1 day', now() - (g % 4) * interval '1 day', 2, now() + interval '3 days'
    from generate_series(1, ${CLIENTS}) g, generate_series(1, 3) s`);
  await q(`insert into responses (org_id, client_id, episode_id, instrument_id, instrument_version, respondent, status, answers, total, started_at, submitted_at, created_at)
    select '${orgId}', ${client('g')}, ${episode('g')}, m.id, '1.0.0', 'client', 'completed', '{}'::jsonb, ((g * 7 + s * 3) % m.max)::text, t, t, t
    from generate_series(1, ${CLIENTS}) g, generate_series(1, 3) s, (values ('phq9', 27), ('gad7', 21)) as m(id, max),
      lateral (select now() - s * interval '7 days' as t) tt`);
  await q(`insert into responses (org_id, client_id, episode_id, instrument_id, instrument_version, respondent, respondent_user_id, status, answers, total, started_at, submitted_at, created_at)
    select '${orgId}', ${client('g')}, ${episode('g')}, f.id, '1.0.0', f.respondent, case when f.respondent = 'clinician' then ${clinician('g')} end, 'completed', '{}'::jsonb,
      (20 + (g + s) % 20)::text, t, t, t
    from generate_series(1, ${CLIENTS}) g, generate_series(1, 3) s,
      (values ('rapport_alliance', 'client'), ('rapport_alliance_therapist', 'clinician')) as f(id, respondent),
      lateral (select now() - s * interval '7 days' + interval '2 hours' as t) tt
    where g % 2 = 0`);
  await q('analyze');
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))]!;

async function main(): Promise<void> {
  console.log(`caseload bench: database ${databaseName}, ${CLIENTS.toLocaleString('en-GB')} clients over ${CLINICIANS} clinicians, ${REQUESTS} requests × ${ROUNDS} rounds per route`);
  await adminQuery(`create database ${databaseName}`);
  const url = withDatabase(baseUrl, databaseName);
  const dataDir = mkdtempSync(join(os.tmpdir(), 'rapport-bench-'));
  const database = await openDatabase({ kind: 'postgres', url, poolSize: 10 });
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  let mailer: ReturnType<typeof createMailer> | undefined;
  try {
    const started = Date.now();
    await database.migrate();
    const org = await createOrganisation(database.db, { name: 'Bench Clinic', settings: { mfaRequired: false, timeZone: 'UTC' } }, new Date());
    const adminId = '00000000-0000-4000-8000-0000000fffff';
    await seed(database.pool!, org.id, adminId);
    console.log(`migrated and seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const config = loadConfig({ DATABASE_URL: url, RAPPORT_DATA_DIR: dataDir, PUBLIC_URL: 'http://127.0.0.1', RAPPORT_DEMO: 'false', LOG_LEVEL: 'info' });
    mailer = createMailer(config, systemClock, () => undefined);
    const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: false }));
    app = await createApp({ config, db: database.db, clock: systemClock, mailer, sms: null, logger, secretKey: randomBytes(32).toString('hex'), ping: database.ping });
    const policy = { idleMinutes: 60 * 24, absoluteHours: 24 };
    const cookieFor = async (userId: string) => `${SESSION_COOKIE}=${(await createSession(database.db, { userId, orgId: org.id, stage: 'full', now: new Date(), policy })).token}`;
    const clinicianCookie = await cookieFor('00000000-0000-4000-8000-000000000001');
    const adminCookie = await cookieFor(adminId);

    const routes = [
      { name: 'clinician: clients list (baseline)', url: '/api/v1/clients?limit=50', cookie: clinicianCookie },
      { name: 'clinician: caseload', url: '/api/v1/caseload?limit=50', cookie: clinicianCookie },
      { name: 'admin, whole clinic: clients list (baseline)', url: '/api/v1/clients?limit=50', cookie: adminCookie },
      { name: 'admin, whole clinic: caseload', url: '/api/v1/caseload?limit=50&therapistId=all', cookie: adminCookie },
    ];
    const app_ = app;
    const once = async (route: (typeof routes)[number]) => {
      const t0 = performance.now();
      const res = await app_.inject({ method: 'GET', url: route.url, headers: { cookie: route.cookie } });
      const ms = performance.now() - t0;
      if (res.statusCode !== 200) throw new Error(`${route.url} answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
      return { ms, body: res.json() as { items: unknown[]; total?: number } };
    };
    for (const route of routes) {
      const { body } = await once(route);
      console.log(`${route.name}: ${body.items.length} rows on the first page${body.total !== undefined ? ` of ${body.total}` : ''}`);
      for (let i = 0; i < 10; i++) await once(route); // warm-up
    }
    const timings = new Map(routes.map((r) => [r.name, [] as number[]]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const route of routes) for (let i = 0; i < REQUESTS; i++) timings.get(route.name)!.push((await once(route)).ms);
      console.log(`round ${round} done, load ${os.loadavg()[0]!.toFixed(2)}`);
    }
    console.log('');
    for (const route of routes) {
      const t = timings.get(route.name)!;
      console.log(`${route.name.padEnd(46)} p50 ${median(t).toFixed(1).padStart(7)} ms   p95 ${percentile(t, 0.95).toFixed(1).padStart(7)} ms`);
    }
    for (const who of ['clinician', 'admin, whole clinic']) {
      const ratio = median(timings.get(`${who}: caseload`)!) / median(timings.get(`${who}: clients list (baseline)`)!);
      console.log(`${who}: caseload / clients list, p50 ratio ${ratio.toFixed(2)}`);
    }
    console.log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (1, 5, 15 min)`);
  } finally {
    await app?.close();
    mailer?.close();
    await database.close();
    if (process.env.BENCH_KEEP_DATABASE === '1') console.log(`kept database ${databaseName} (drop it when done)`);
    else await adminQuery(`drop database if exists ${databaseName} with (force)`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
