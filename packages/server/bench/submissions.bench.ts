/**
 * Issue 4, throughput bar: full questionnaire submissions per second on PostgreSQL, next to a bare
 * route that inserts the same response row with `pg` and nothing else, measured in the same run.
 *
 * On PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) this creates its
 * own database, migrates it and prepares one PHQ-9 assignment per submission with a live link
 * session (made directly in the database, the cookie token hashed as the app does). It starts the
 * real app and, in the same process, a bare Fastify route. autocannon (in a worker thread) drives
 * each with 50 connections; every request of the real path carries its own session cookie and
 * submissionId (a full submission completes its assignment, so each needs a fresh one). A full
 * submission is `POST /q/submit`: link session, access, validation, scoring, completed response,
 * assignment status, risk alert and its jobs when item 9 is endorsed, the other alert rules, and
 * the audit event, in one transaction. Runs alternate bare → real; medians are reported.
 * Bar: the full path reaches at least a quarter of the bare route's rate, with p95 under 50 ms.
 * Run: npm run bench -w @rapport/server (BENCH_SUBMISSIONS per run, BENCH_ROUNDS,
 * BENCH_CONNECTIONS override the defaults; BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile of each
 * measured run of the full path there, for finding where its time goes).
 */
import os from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import pino from 'pino';
import pg from 'pg';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { openDatabase, type Db } from '../src/db/database';
import { assignments, clients, linkSessions } from '../src/db/schema';
import { createOrganisation } from '../src/features/organisations/organisations.queries';
import { LINK_COOKIE, LINK_SESSION_IDLE_MS } from '../src/features/questionnaire/link-session';
import { hashToken, randomToken } from '../src/lib/crypto';
import { createLogger } from '../src/lib/logger';
import { systemClock } from '../src/lib/clock';
import { createMailer } from '../src/mail/mailer';
import { adminQuery, baseUrl, withDatabase } from './bench-database';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** Submissions per measured run (each needs its own assignment and session). */
const PER_RUN = Number(process.env.BENCH_SUBMISSIONS ?? 2000);
const WARMUP = 500;
/** Rounds of bare → real; the median of each is reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REQUIRED_RATIO = 1 / 4;
const MAX_P95_MS = 50;
/** Both sides get the same connection pool size (the app's default). */
const POOL_SIZE = 10;

const databaseName = `rapport_bench_sub_${randomBytes(4).toString('hex')}`;

/** Client n's PHQ-9: varied answers, item 9 endorsed for one in ten (so risk alerts are part of the load). */
function answersOf(n: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`phq9_${i + 1}`, i === 8 ? (n % 10 === 0 ? 1 : 0) : (n + i) % 4]));
}

type Prepared = { assignmentIds: string[]; clientIds: string[]; cookies: string[] };

/** `count` clients, each with a PHQ-9 assignment already opened; with `sessions`, a live link session per assignment. */
async function prepare(db: Db, orgId: string, count: number, sessions: boolean): Promise<Prepared> {
  const now = new Date();
  const out: Prepared = { assignmentIds: [], clientIds: [], cookies: [] };
  for (let start = 0; start < count; start += 1000) {
    const size = Math.min(1000, count - start);
    const clientRows = await db
      .insert(clients)
      .values(Array.from({ length: size }, (_, k) => ({ orgId, givenName: `Bench${start + k}`, familyName: 'Submit', createdAt: now, updatedAt: now })))
      .returning({ id: clients.id });
    const assignmentRows = await db
      .insert(assignments)
      .values(
        clientRows.map(({ id }) => ({
          orgId,
          clientId: id,
          instrumentIds: ['phq9'],
          respondent: 'client' as const,
          channel: 'email' as const,
          status: 'opened' as const,
          scheduledFor: now,
          sentAt: now,
          openedAt: now,
          expiresAt: new Date(now.getTime() + 4 * 86_400_000),
          createdAt: now,
          updatedAt: now,
        })),
      )
      .returning({ id: assignments.id, clientId: assignments.clientId });
    if (sessions) {
      const tokens = assignmentRows.map(() => randomToken(32));
      await db.insert(linkSessions).values(
        assignmentRows.map(({ id }, k) => ({
          orgId,
          assignmentId: id,
          tokenHash: hashToken(tokens[k]!),
          via: 'link' as const,
          createdAt: now,
          lastSeenAt: now,
          expiresAt: new Date(now.getTime() + LINK_SESSION_IDLE_MS),
        })),
      );
      out.cookies.push(...tokens.map((t) => `${LINK_COOKIE}=${t}`));
    }
    out.assignmentIds.push(...assignmentRows.map((a) => a.id));
    out.clientIds.push(...assignmentRows.map((a) => a.clientId));
  }
  return out;
}

type Measurement = { rps: number; p50: number; p95: number; requests: number; non2xx: number; errors: number; cpuMicros: number };

/**
 * CPU time of this process's main thread (both servers; autocannon runs in a worker), from /proc
 * on Linux. On a shared, busy machine it moves far less than submissions/s; undefined elsewhere.
 */
function mainThreadCpuMicros(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime + stime, in clock ticks (100 Hz)
  } catch {
    return undefined;
  }
}

const PROFILE_DIR = process.env.BENCH_CPU_PROFILE;

async function measure(url: string, bodies: string[], cookies: string[] | null, profileName?: string): Promise<Measurement> {
  const session = PROFILE_DIR && profileName ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const before = mainThreadCpuMicros();
  const result = await runAutocannon(url, bodies, cookies);
  const after = mainThreadCpuMicros();
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(PROFILE_DIR!, `${profileName}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
  return { ...result, cpuMicros: before === undefined || after === undefined ? NaN : (after - before) / Math.max(1, result.requests) };
}

/**
 * autocannon in a worker thread (so it does not share the servers' event loop): `amount` POSTs,
 * request k carrying `bodies[k]` and, when given, `cookies[k]`. Latencies are kept per response.
 */
function runAutocannon(url: string, bodies: string[], cookies: string[] | null): Promise<Omit<Measurement, 'cpuMicros'>> {
  const autocannonPath = createRequire(import.meta.url).resolve('autocannon');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const autocannon = require(workerData.autocannonPath);
    const { url, bodies, cookies, connections } = workerData;
    const path = new URL(url).pathname;
    const latencies = [];
    let non2xx = 0;
    let errors = 0;
    let next = 0;
    const started = performance.now();
    // autocannon reports the end of an \`amount\` run on its next one-second tick, so the rate is
    // taken from the last response instead (else 2,000 requests in 1.05 s count as 2 s).
    let lastResponseAt = started;
    const instance = autocannon(
      {
        url,
        connections,
        amount: bodies.length,
        requests: [{
          method: 'POST',
          path,
          setupRequest: (request) => {
            const k = next++ % bodies.length;
            const headers = { 'content-type': 'application/json', accept: 'application/json' };
            if (cookies) headers.cookie = cookies[k];
            return { ...request, method: 'POST', path, headers, body: bodies[k] };
          },
        }],
      },
      (error) => {
        if (error) return parentPort.postMessage({ bench: { error: String(error) } });
        const seconds = (lastResponseAt - started) / 1000;
        latencies.sort((a, b) => a - b);
        const at = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN);
        parentPort.postMessage({ bench: { rps: latencies.length / seconds, p50: at(0.5), p95: at(0.95), requests: latencies.length, non2xx, errors } });
      },
    );
    let firstFailure;
    instance.on('response', (client, status, _bytes, responseTime) => {
      latencies.push(responseTime);
      lastResponseAt = performance.now();
      if (status < 200 || status > 299) {
        non2xx++;
        if (!firstFailure) { firstFailure = status; console.error('HTTP ' + status); }
      }
    });
    instance.on('reqError', () => errors++);
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { autocannonPath, url, bodies, cookies, connections: CONNECTIONS } });
    worker.on('message', (message: { bench?: Omit<Measurement, 'cpuMicros'> & { error?: string } }) => {
      const m = message.bench;
      if (!m) return;
      void worker.terminate();
      if (m.error) reject(new Error(m.error));
      else resolve(m);
    });
    worker.once('error', reject);
  });
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const fmt = (n: number, digits = 0) => n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The columns of a completed response row, in insert order, without the ones each submission makes its own. */
const ROW_COLUMNS = [
  'org_id', 'instrument_id', 'instrument_version', 'respondent', 'status', 'answers', 'complete', 'total', 'subscales', 'band_id', 'band_label',
  'flags', 'prorated', 'score_detail', 'scorer_version', 'channel', 'started_at', 'submitted_at', 'created_at',
] as const;

async function main() {
  const perSide = WARMUP + ROUNDS * PER_RUN;
  console.log(`submissions bench: database ${databaseName}, ${fmt(PER_RUN)} submissions per run, -c ${CONNECTIONS}, ${ROUNDS} rounds each`);
  await adminQuery(`create database ${databaseName}`);
  const url = withDatabase(baseUrl, databaseName);
  const dataDir = mkdtempSync(join(os.tmpdir(), 'rapport-bench-sub-'));
  const database = await openDatabase({ kind: 'postgres', url, poolSize: POOL_SIZE });
  const barePool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  barePool.on('error', () => undefined); // as the app's pool: a dropped idle connection must not end the run
  const bare = Fastify({ logger: false });
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  let mailer: ReturnType<typeof createMailer> | undefined;
  try {
    const started = Date.now();
    await database.migrate();
    const org = await createOrganisation(database.db, { name: 'Bench Clinic', settings: { mfaRequired: false } }, new Date());
    const real = await prepare(database.db, org.id, perSide + 1, true);
    const plain = await prepare(database.db, org.id, perSide, false);
    await database.pool!.query('analyze');
    console.log(`migrated and prepared ${fmt(real.assignmentIds.length + plain.assignmentIds.length)} assignments in ${fmt((Date.now() - started) / 1000, 1)} s`);

    const config = loadConfig({ DATABASE_URL: url, RAPPORT_DATA_DIR: dataDir, PUBLIC_URL: 'http://127.0.0.1', RAPPORT_DEMO: 'false', LOG_LEVEL: 'info' });
    mailer = createMailer(config, systemClock, () => undefined);
    // Request logging stays on, as in production; the lines go to /dev/null instead of a terminal.
    const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: false }));
    app = await createApp({ config, db: database.db, clock: systemClock, mailer, sms: null, logger, secretKey: randomBytes(32).toString('hex'), ping: database.ping });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const realUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/q/submit`;

    // The same bodies on both sides, except that submission ids are unique per submission.
    const bodyOf = (n: number) => JSON.stringify({ submissionId: randomUUID(), answers: { phq9: answersOf(n) } });
    const bodies = Array.from({ length: perSide + 1 }, (_, n) => bodyOf(n));
    const bareBodies = Array.from({ length: perSide + 1 }, (_, n) => bodyOf(n));

    // One real submission first: its stored row is the one the bare route inserts (same columns and values).
    const probe = await fetch(realUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', cookie: real.cookies[perSide]! }, body: bodies[perSide]! });
    if (probe.status !== 200) throw new Error(`the probe submission failed: HTTP ${probe.status} ${await probe.text()}`);
    const { rows: probeRows } = await barePool.query(`select ${ROW_COLUMNS.join(', ')} from responses where assignment_id = $1 and status = 'completed'`, [real.assignmentIds[perSide]]);
    if (probeRows.length !== 1) throw new Error('the probe submission left no completed response');
    const jsonColumns = new Set(['answers', 'subscales', 'flags', 'score_detail']);
    const fixed = ROW_COLUMNS.map((c) => (jsonColumns.has(c) && probeRows[0][c] !== null ? JSON.stringify(probeRows[0][c]) : probeRows[0][c]));
    const insertSql = `insert into responses (${ROW_COLUMNS.join(', ')}, client_id, assignment_id, submission_id)
      values (${ROW_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}, $${ROW_COLUMNS.length + 1}, $${ROW_COLUMNS.length + 2}, $${ROW_COLUMNS.length + 3})`;

    let nextPlain = 0;
    bare.post('/bare/submit', async (request) => {
      const k = nextPlain++ % plain.assignmentIds.length;
      const { submissionId } = request.body as { submissionId: string };
      await barePool.query(insertSql, [...fixed, plain.clientIds[k], plain.assignmentIds[k], submissionId]);
      return { status: 'completed', riskFlagged: false, next: '/q' };
    });
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/bare/submit`;
    const bareProbe = await fetch(bareUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: bareBodies[perSide]! });
    if (bareProbe.status !== 200) throw new Error(`the bare route failed: HTTP ${bareProbe.status} ${await bareProbe.text()}`);

    const slice = (from: number, to: number) => ({ bodies: bodies.slice(from, to), bareBodies: bareBodies.slice(from, to), cookies: real.cookies.slice(from, to) });
    const warm = slice(0, WARMUP);
    await runAutocannon(bareUrl, warm.bareBodies, null);
    await runAutocannon(realUrl, warm.bodies, warm.cookies);

    const bareRuns: Measurement[] = [];
    const realRuns: Measurement[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const batch = slice(WARMUP + round * PER_RUN, WARMUP + (round + 1) * PER_RUN);
      const b = await measure(bareUrl, batch.bareBodies, null);
      bareRuns.push(b);
      const r = await measure(realUrl, batch.bodies, batch.cookies, `full-round-${round + 1}`);
      realRuns.push(r);
      console.log(
        `round ${round + 1}: bare ${fmt(b.rps)}/s (p95 ${fmt(b.p95, 1)} ms, ${fmt(b.cpuMicros)} µs CPU each), full ${fmt(r.rps)}/s (p95 ${fmt(r.p95, 1)} ms, ${fmt(r.cpuMicros)} µs CPU each), ratio ${(r.rps / b.rps).toFixed(3)}, load ${os.loadavg()[0]!.toFixed(2)}`,
      );
    }

    // Every real submission did the whole job: one completed response, completed assignment, one submit event, alerts where item 9 > 0.
    const { rows: check } = await barePool.query(
      `select
         (select count(*)::int from assignments a where a.id = any($1::uuid[]) and a.status = 'completed') as completed,
         (select count(*)::int from responses r where r.assignment_id = any($1::uuid[]) and r.status = 'completed') as responses,
         (select count(*)::int from audit_events e where e.action = 'questionnaire.submit' and e.entity_id = any($2::text[])) as events,
         (select count(*)::int from alerts al join responses r on r.id = al.response_id where r.assignment_id = any($1::uuid[]) and al.kind = 'risk_item') as alerts,
         (select count(*)::int from responses r where r.assignment_id = any($3::uuid[])) as bare_rows`,
      [real.assignmentIds, real.assignmentIds, plain.assignmentIds],
    );
    const expectedAlerts = Array.from({ length: perSide + 1 }, (_, n) => n).filter((n) => answersOf(n).phq9_9! > 0).length;
    const expected = { completed: perSide + 1, responses: perSide + 1, events: perSide + 1, alerts: expectedAlerts, bare_rows: perSide + 1 };

    const failures = [...bareRuns, ...realRuns].reduce((n, m) => n + m.non2xx + m.errors, 0);
    const summary = (name: string, runs: Measurement[]) =>
      `${name.padEnd(5)} ${fmt(median(runs.map((m) => m.rps))).padStart(7)} submissions/s   p50 ${fmt(median(runs.map((m) => m.p50)), 1).padStart(6)} ms   p95 ${fmt(median(runs.map((m) => m.p95)), 1).padStart(6)} ms   ${fmt(median(runs.map((m) => m.cpuMicros))).padStart(5)} µs main-thread CPU/submission   (${fmt(runs.reduce((n, m) => n + m.requests, 0))} requests)`;
    const ratio = median(realRuns.map((m) => m.rps)) / median(bareRuns.map((m) => m.rps));
    const p95 = median(realRuns.map((m) => m.p95));
    const load = os.loadavg();
    console.log('');
    console.log(`POST /q/submit, PHQ-9 (median of ${ROUNDS} runs of ${fmt(PER_RUN)} submissions, ${CONNECTIONS} connections)`);
    console.log(summary('bare', bareRuns));
    console.log(summary('full', realRuns));
    console.log(`ratio full/bare ${ratio.toFixed(3)} (bar: at least ${REQUIRED_RATIO.toFixed(3)}); full p95 ${fmt(p95, 1)} ms (bar: under ${MAX_P95_MS} ms)`);
    const cpuRatio = median(bareRuns.map((m) => m.cpuMicros)) / median(realRuns.map((m) => m.cpuMicros));
    console.log(`by main-thread CPU per submission: full/bare ${cpuRatio.toFixed(3)} (the servers' own cost, steadier than the rate on a loaded machine)`);
    console.log(`machine: ${os.cpus().length} CPUs, load average ${load.map((l) => l.toFixed(2)).join(' ')} (1, 5, 15 min)`);
    if (failures > 0) {
      console.log(`FAIL: ${failures} non-2xx responses or errors`);
      process.exitCode = 1;
    } else if (JSON.stringify(check[0]) !== JSON.stringify(expected)) {
      console.log(`FAIL: the database holds ${JSON.stringify(check[0])}, expected ${JSON.stringify(expected)}`);
      process.exitCode = 1;
    } else if (ratio < REQUIRED_RATIO || !(p95 < MAX_P95_MS)) {
      console.log(`FAIL: ${ratio < REQUIRED_RATIO ? 'the full path is below a quarter of the bare route' : ''}${ratio < REQUIRED_RATIO && !(p95 < MAX_P95_MS) ? '; ' : ''}${!(p95 < MAX_P95_MS) ? `p95 is not under ${MAX_P95_MS} ms` : ''}`);
      process.exitCode = 1;
    } else {
      console.log('PASS');
    }
  } finally {
    await app?.close();
    mailer?.close();
    await bare.close();
    await barePool.end();
    await database.close();
    await adminQuery(`drop database if exists ${databaseName} with (force)`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
