/**
 * The research export's memory bar (issue 7): the CSV of 100,000 and of 1,000,000 responses is
 * streamed, so its peak memory must not grow with the row count; the two peaks may differ by less
 * than 20 %. On PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) this
 * creates its own database, migrates it, bulk-generates 100,000 completed PHQ-9 responses (10,000
 * clients, 100 clinicians), then for each size starts a child process that runs the real app,
 * requests `GET /api/v1/exports/responses.csv` over HTTP as an admin and throws the bytes away,
 * sampling its own peak RSS (`process.memoryUsage().rss`, every 10 ms). Then it grows the table to
 * 1,000,000 rows and measures again. The database is dropped at the end.
 * Run: npm run bench -w @rapport/server (or `tsx bench/csv-export.bench.ts`).
 */
import os from 'node:os';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import pg from 'pg';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { memberships, users } from '../src/db/schema';
import { createOrganisation } from '../src/features/organisations/organisations.queries';
import { createSession } from '../src/auth/sessions.queries';
import { SESSION_COOKIE } from '../src/auth/session-cookie';
import { createLogger } from '../src/lib/logger';
import { systemClock } from '../src/lib/clock';
import { createMailer } from '../src/mail/mailer';
import { adminQuery, baseUrl, withDatabase } from './bench-database';

const SIZES = [100_000, 1_000_000];
const CLIENTS = 10_000;
const CLINICIANS = 100;
const MAX_GROWTH = 0.2;
const SAMPLE_MS = 10;


/** Organisation, admin, clinicians, clients with one episode each. */
async function seed(url: string) {
  const database = await openDatabase({ kind: 'postgres', url });
  try {
    await database.migrate();
    const now = new Date();
    const org = await createOrganisation(database.db, { name: 'Export Bench Clinic', settings: { mfaRequired: false } }, now);
    const [admin] = await database.db.insert(users).values({ email: 'admin@bench.test', displayName: 'Bench Admin', createdAt: now }).returning({ id: users.id });
    await database.db.insert(memberships).values({ orgId: org.id, userId: admin!.id, role: 'admin', createdAt: now });
    const pool = database.pool!;
    await pool.query(
      `insert into users (email, display_name, created_at) select 'clinician' || g || '@bench.test', 'Clinician ' || g, now() from generate_series(1, $1) g`,
      [CLINICIANS],
    );
    await pool.query(`insert into memberships (org_id, user_id, role, created_at) select $1, id, 'clinician', now() from users where email like 'clinician%@bench.test'`, [org.id]);
    await pool.query(
      `insert into clients (org_id, given_name, family_name, email, created_at, updated_at)
       select $1, 'Given' || g, 'Family' || g, 'client' || g || '@example.test', now(), now() from generate_series(1, $2) g`,
      [org.id, CLIENTS],
    );
    await pool.query(
      `insert into episodes (org_id, client_id, primary_clinician_id, started_on, created_at)
       select c.org_id, c.id, u.id, date '2025-01-01', now()
       from (select id, org_id, row_number() over (order by id) as k from clients where org_id = $1) c
       join users u on u.email = 'clinician' || (1 + c.k % ${CLINICIANS})::text || '@bench.test'`,
      [org.id],
    );
    return { orgId: org.id, adminId: admin!.id };
  } finally {
    await database.close();
  }
}

/** Grows the completed responses to `total` rows: PHQ-9 answers and scores spread over a year. */
async function growResponses(url: string, orgId: string, total: number): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const { rows } = await pool.query<{ n: string }>('select count(*) as n from responses');
    let have = Number(rows[0]!.n);
    while (have < total) {
      const batch = Math.min(100_000, total - have);
      await pool.query(
        `with e as (select id, client_id, row_number() over (order by id) as k from episodes where org_id = $1),
              g as (select s, (s % ${CLIENTS}) + 1 as k from generate_series($2::int + 1, $2::int + $3::int) s)
         insert into responses (org_id, client_id, episode_id, instrument_id, instrument_version, respondent, status, answers, complete, total, band_id, band_label, prorated, scorer_version, channel, started_at, submitted_at, created_at)
         select $1, e.client_id, e.id, 'phq9', '1.0.0', 'client', 'completed',
                jsonb_build_object('phq9_1', s % 4, 'phq9_2', (s / 3) % 4, 'phq9_3', (s / 5) % 4, 'phq9_4', (s / 7) % 4, 'phq9_5', (s / 11) % 4, 'phq9_6', (s / 13) % 4, 'phq9_7', (s / 17) % 4, 'phq9_8', (s / 19) % 4, 'phq9_9', 0),
                true, ((s % 4) * 6)::text, 'moderate', 'Moderate', false, '1.0.0', 'email',
                timestamptz '2025-01-01' + (s % 525600) * interval '1 minute', timestamptz '2025-01-01' + (s % 525600) * interval '1 minute', now()
         from g join e on e.k = g.k`,
        [orgId, have, batch],
      );
      have += batch;
    }
    await pool.query('analyze');
  } finally {
    await pool.end();
  }
}

type ChildResult = { peakRssMb: number; baselineRssMb: number; bytes: number; lines: number; seconds: number };

/** In the child: the real app, one export over HTTP to a null sink, peak RSS sampled throughout. */
async function child(url: string, orgId: string, adminId: string): Promise<void> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'rapport-csv-bench-'));
  const database = await openDatabase({ kind: 'postgres', url });
  const config = loadConfig({ DATABASE_URL: url, RAPPORT_DATA_DIR: dataDir, PUBLIC_URL: 'http://127.0.0.1', RAPPORT_DEMO: 'false', LOG_LEVEL: 'info' });
  const mailer = createMailer(config, systemClock, () => undefined);
  const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: false }));
  const app = await createApp({ config, db: database.db, clock: systemClock, mailer, sms: null, logger, secretKey: randomBytes(32).toString('hex'), ping: database.ping });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { token } = await createSession(database.db, {
    userId: adminId,
    orgId,
    stage: 'full',
    now: new Date(),
    policy: { idleMinutes: config.sessionIdleMinutes, absoluteHours: config.sessionAbsoluteHours },
  });
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, SAMPLE_MS);
  const started = Date.now();
  const { bytes, lines } = await new Promise<{ bytes: number; lines: number }>((resolve, reject) => {
    const port = (app.server.address() as AddressInfo).port;
    http
      .get({ host: '127.0.0.1', port, path: '/api/v1/exports/responses.csv', headers: { cookie: `${SESSION_COOKIE}=${token}` } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`export answered ${res.statusCode}`));
        let count = 0;
        let newlines = 0;
        res.on('data', (chunk: Buffer) => {
          count += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
        });
        res.on('end', () => resolve({ bytes: count, lines: newlines }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const result: ChildResult = { peakRssMb: peak / 2 ** 20, baselineRssMb: baseline / 2 ** 20, bytes, lines, seconds: (Date.now() - started) / 1000 };
  await app.close();
  mailer.close();
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(url: string, orgId: string, adminId: string): Promise<ChildResult> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...process.execArgv, self, 'child', url, orgId, adminId], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`child failed: ${stderr || error.message}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult);
    });
  });
}

async function main(): Promise<void> {
  const databaseName = `rapport_csvbench_${randomBytes(4).toString('hex')}`;
  console.log(`csv-export bench: database ${databaseName}, ${SIZES.map((n) => n.toLocaleString('en-GB')).join(' then ')} responses, ${CLIENTS.toLocaleString('en-GB')} clients`);
  await adminQuery(`create database ${databaseName}`);
  const url = withDatabase(baseUrl, databaseName);
  let failed = false;
  try {
    const { orgId, adminId } = await seed(url);
    const results: Array<ChildResult & { rows: number }> = [];
    for (const rows of SIZES) {
      const seedStarted = Date.now();
      await growResponses(url, orgId, rows);
      const r = await runChild(url, orgId, adminId);
      if (r.lines !== rows + 1) throw new Error(`expected ${rows + 1} CSV lines, got ${r.lines}`);
      results.push({ ...r, rows });
      console.log(
        `${rows.toLocaleString('en-GB').padStart(9)} rows: peak RSS ${r.peakRssMb.toFixed(1)} MB (before the request ${r.baselineRssMb.toFixed(1)} MB), ` +
          `${(r.bytes / 2 ** 20).toFixed(1)} MB of CSV in ${r.seconds.toFixed(1)} s (seeding ${((Date.now() - seedStarted) / 1000 - r.seconds).toFixed(1)} s)`,
      );
    }
    const [small, large] = results as unknown as [ChildResult, ChildResult];
    const growth = (large.peakRssMb - small.peakRssMb) / small.peakRssMb;
    console.log(`peak RSS difference: ${(large.peakRssMb - small.peakRssMb).toFixed(1)} MB (${(growth * 100).toFixed(1)} %; must be < ${MAX_GROWTH * 100} %)`);
    failed = !(growth < MAX_GROWTH);
    if (failed) console.error('FAIL: the export holds more in memory as the row count grows.');
  } finally {
    await adminQuery(`drop database if exists ${databaseName} with (force)`);
  }
  if (failed) process.exitCode = 1;
}

if (process.argv[2] === 'child') {
  child(process.argv[3]!, process.argv[4]!, process.argv[5]!).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
