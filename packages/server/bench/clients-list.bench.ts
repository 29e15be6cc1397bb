/**
 * The cost of everything the real client list adds. On PostgreSQL (DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test) this creates its own database, migrates it, seeds a
 * 10,000-client organisation with care teams, starts the real app and, in the same process, a bare
 * Fastify route that runs the same list query with `pg` and nothing else. autocannon (in a worker
 * thread, so it does not share the servers' event loop) measures an authenticated
 * `GET /api/v1/clients?limit=50` and the bare route in alternating rounds; the medians are compared.
 * The real route (session, access check, audit event committed with the read, presentation) must
 * reach at least a third of the bare route's rate. Main-thread CPU per request is printed too: on
 * a shared machine it moves far less than req/s. Run: npm run bench -w @rapport/server
 * (BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS override the defaults).
 */
import os from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import pino from 'pino';
import pg from 'pg';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { careTeamMembers, clients, memberships, users } from '../src/db/schema';
import { createOrganisation } from '../src/features/organisations/organisations.queries';
import { createSession } from '../src/auth/sessions.queries';
import { SESSION_COOKIE } from '../src/auth/session-cookie';
import { createLogger } from '../src/lib/logger';
import { systemClock } from '../src/lib/clock';
import { createMailer } from '../src/mail/mailer';
import { adminQuery, baseUrl, withDatabase } from './bench-database';

const CLIENTS = 10_000;
const CLINICIANS = 25;
const PAGE = 50;
const REQUIRED_RATIO = 1 / 3;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 3;
/** Rounds of bare → real; the median of each is reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Both sides get the same connection pool size (the app's default). */
const POOL_SIZE = 10;

const databaseName = `rapport_bench_${randomBytes(4).toString('hex')}`;

const givenNames = ['Ada', 'Ben', 'Chloé', 'Dev', 'Eira', 'Farah', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kofi', 'Lena', 'Mo', 'Nia', 'Omar', 'Pia'];
const familyNames = ['Abbott', 'Baker', 'Chen', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ito', 'Jones', 'Khan', 'Lewis', 'Martin', 'Nowak', 'Okafor', 'Patel', 'Quinn', 'Rossi', 'Smith', 'Taylor'];

/** A 10,000-client organisation: one admin, clinicians, clients in bulk, one or two clinicians on each care team. */
async function seed(db: Awaited<ReturnType<typeof openDatabase>>['db']) {
  const now = new Date();
  const org = await createOrganisation(db, { name: 'Bench Clinic', settings: { mfaRequired: false } }, now);
  const staff = await db
    .insert(users)
    .values(Array.from({ length: CLINICIANS + 1 }, (_, i) => ({ email: `bench${i}@clinic.test`, displayName: `Bench Staff ${i}`, createdAt: now })))
    .returning({ id: users.id });
  const [admin, ...clinicians] = staff.map((s) => s.id);
  await db.insert(memberships).values([
    { orgId: org.id, userId: admin!, role: 'admin' as const, createdAt: now },
    ...clinicians.map((userId) => ({ orgId: org.id, userId, role: 'clinician' as const, createdAt: now })),
  ]);
  for (let start = 0; start < CLIENTS; start += 1000) {
    const rows = Array.from({ length: Math.min(1000, CLIENTS - start) }, (_, k) => {
      const i = start + k;
      return {
        orgId: org.id,
        givenName: givenNames[i % givenNames.length]!,
        familyName: `${familyNames[(i * 7) % familyNames.length]}-${String(i % 997).padStart(3, '0')}`,
        email: `client${i}@example.test`,
        status: i % 10 === 9 ? ('inactive' as const) : ('active' as const),
        createdAt: now,
        updatedAt: now,
      };
    });
    const inserted = await db.insert(clients).values(rows).returning({ id: clients.id });
    const team = inserted.flatMap(({ id }, k) => {
      const i = start + k;
      const first = clinicians[i % CLINICIANS]!;
      const second = clinicians[(i + 7) % CLINICIANS]!;
      return i % 3 === 0 ? [first, second].map((userId) => ({ orgId: org.id, clientId: id, userId, addedAt: now })) : [{ orgId: org.id, clientId: id, userId: first, addedAt: now }];
    });
    await db.insert(careTeamMembers).values(team);
  }
  return { orgId: org.id, adminId: admin! };
}

type Measurement = { rps: number; p50: number; p95: number; requests: number; non2xx: number; errors: number; cpuMicros: number };

/**
 * CPU time of this process's main thread (the servers; autocannon runs in a worker), from
 * /proc on Linux. Steadier than req/s on a busy machine; undefined elsewhere.
 */
function mainThreadCpuMicros(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100 Hz)
    return ticks * 10_000;
  } catch {
    return undefined;
  }
}

/** autocannon in a worker thread; latencies are collected per response to compute p50 and p95. */
async function measure(url: string, headers: Record<string, string>, seconds: number): Promise<Measurement> {
  const cpuBefore = mainThreadCpuMicros();
  const result = await runAutocannon(url, headers, seconds);
  const cpuAfter = mainThreadCpuMicros();
  const cpuMicros = cpuBefore === undefined || cpuAfter === undefined ? NaN : (cpuAfter - cpuBefore) / Math.max(1, result.requests);
  return { ...result, cpuMicros };
}

function runAutocannon(url: string, headers: Record<string, string>, seconds: number): Promise<Omit<Measurement, 'cpuMicros'>> {
  const autocannonPath = createRequire(import.meta.url).resolve('autocannon');
  // In a worker thread autocannon hands back raw histograms, not its summary, so the worker counts
  // responses and keeps every latency itself.
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const autocannon = require(workerData.autocannonPath);
    const latencies = [];
    let non2xx = 0;
    let errors = 0;
    const started = performance.now();
    const instance = autocannon(
      { url: workerData.url, headers: workerData.headers, connections: workerData.connections, duration: workerData.seconds },
      (error) => {
        if (error) return parentPort.postMessage({ bench: { error: String(error) } });
        const seconds = (performance.now() - started) / 1000;
        latencies.sort((a, b) => a - b);
        const at = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN);
        parentPort.postMessage({ bench: { rps: latencies.length / seconds, p50: at(0.5), p95: at(0.95), requests: latencies.length, non2xx, errors } });
      },
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (status < 200 || status > 299) non2xx++;
    });
    instance.on('reqError', () => errors++);
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { autocannonPath, url, headers, connections: CONNECTIONS, seconds } });
    // autocannon posts its own messages from a worker thread; ours are the ones under `bench`.
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

async function main() {
  console.log(`clients-list bench: database ${databaseName}, ${CLIENTS.toLocaleString('en-GB')} clients, -c ${CONNECTIONS}, ${SECONDS} s × ${ROUNDS} rounds each`);
  await adminQuery(`create database ${databaseName}`);
  const url = withDatabase(baseUrl, databaseName);
  const dataDir = mkdtempSync(join(os.tmpdir(), 'rapport-bench-'));
  const database = await openDatabase({ kind: 'postgres', url, poolSize: POOL_SIZE });
  const barePool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  const bare = Fastify({ logger: false });
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  let mailer: ReturnType<typeof createMailer> | undefined;
  try {
    const started = Date.now();
    await database.migrate();
    const { orgId, adminId } = await seed(database.db);
    await database.pool!.query('analyze');
    console.log(`migrated and seeded in ${fmt((Date.now() - started) / 1000, 1)} s`);

    const config = loadConfig({ DATABASE_URL: url, RAPPORT_DATA_DIR: dataDir, PUBLIC_URL: 'http://127.0.0.1', RAPPORT_DEMO: 'false', LOG_LEVEL: 'info' });
    mailer = createMailer(config, systemClock, () => undefined);
    // Request logging stays on, as in production; the lines go to /dev/null instead of a terminal.
    const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: false }));
    app = await createApp({ config, db: database.db, clock: systemClock, mailer, sms: null, logger, secretKey: randomBytes(32).toString('hex'), ping: database.ping });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { token } = await createSession(database.db, {
      userId: adminId,
      orgId,
      stage: 'full',
      now: new Date(),
      policy: { idleMinutes: config.sessionIdleMinutes, absoluteHours: config.sessionAbsoluteHours },
    });

    // The same query the app runs for an admin's first page (active, not erased, name order, one extra row to know if there is a next page).
    bare.get('/bare/clients', async () => {
      const { rows } = await barePool.query(
        `select id, given_name as "givenName", family_name as "familyName", preferred_name as "preferredName", status
           from clients where org_id = $1 and erased_at is null and status = 'active'
           order by family_name, given_name, id limit $2`,
        [orgId, PAGE + 1],
      );
      return { items: rows.slice(0, PAGE), nextCursor: rows.length > PAGE ? 'more' : null };
    });
    await bare.listen({ host: '127.0.0.1', port: 0 });

    const realUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1/clients?limit=${PAGE}`;
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/bare/clients`;
    const realHeaders = { cookie: `${SESSION_COOKIE}=${token}` };

    // Both answer the same first page, or the comparison means nothing.
    const realPage = (await (await fetch(realUrl, { headers: realHeaders })).json()) as { items: { id: string }[] };
    const barePage = (await (await fetch(bareUrl)).json()) as { items: { id: string }[] };
    if (realPage.items?.length !== PAGE || JSON.stringify(realPage.items.map((c) => c.id)) !== JSON.stringify(barePage.items.map((c) => c.id))) {
      throw new Error('The real route and the bare route do not return the same first page.');
    }

    await measure(bareUrl, {}, WARMUP_SECONDS);
    await measure(realUrl, realHeaders, WARMUP_SECONDS);
    const bareRuns: Measurement[] = [];
    const realRuns: Measurement[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const b = await measure(bareUrl, {}, SECONDS);
      bareRuns.push(b);
      const r = await measure(realUrl, realHeaders, SECONDS);
      realRuns.push(r);
      console.log(
        `round ${round}: bare ${fmt(b.rps)} req/s (${fmt(b.cpuMicros)} µs CPU/request), real ${fmt(r.rps)} req/s (${fmt(r.cpuMicros)} µs CPU/request), ratio ${(r.rps / b.rps).toFixed(3)}, load ${os.loadavg()[0]!.toFixed(2)}`,
      );
    }

    const failures = [...bareRuns, ...realRuns].reduce((n, m) => n + m.non2xx + m.errors, 0);
    const summary = (name: string, runs: Measurement[]) =>
      `${name.padEnd(5)} ${fmt(median(runs.map((m) => m.rps))).padStart(8)} req/s   p50 ${fmt(median(runs.map((m) => m.p50)), 1).padStart(6)} ms   p95 ${fmt(median(runs.map((m) => m.p95)), 1).padStart(6)} ms   ${fmt(median(runs.map((m) => m.cpuMicros))).padStart(5)} µs main-thread CPU/request   (${fmt(runs.reduce((n, m) => n + m.requests, 0))} requests)`;
    const ratio = median(realRuns.map((m) => m.rps)) / median(bareRuns.map((m) => m.rps));
    const load = os.loadavg();
    console.log('');
    console.log(`GET /api/v1/clients?limit=${PAGE} (median of ${ROUNDS} runs of ${SECONDS} s, ${CONNECTIONS} connections)`);
    console.log(summary('bare', bareRuns));
    console.log(summary('real', realRuns));
    const cpuRatio = median(bareRuns.map((m) => m.cpuMicros)) / median(realRuns.map((m) => m.cpuMicros));
    console.log(`ratio real/bare ${ratio.toFixed(3)} (bar: at least ${REQUIRED_RATIO.toFixed(3)}); by CPU per request ${cpuRatio.toFixed(3)}`);
    console.log(`machine: ${os.cpus().length} CPUs, load average ${load.map((l) => l.toFixed(2)).join(' ')} (1, 5, 15 min)`);
    if (failures > 0) {
      console.log(`FAIL: ${failures} non-2xx responses or errors`);
      process.exitCode = 1;
    } else if (ratio < REQUIRED_RATIO) {
      console.log('FAIL: the real route is below a third of the bare route');
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
