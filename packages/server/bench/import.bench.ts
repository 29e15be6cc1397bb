/**
 * Imports (issue 7 item 7): the upload is streamed and parsed from disk, so checking a 19 MB
 * clients CSV must not hold the file: the live heap (sampled after a forced GC every 100 ms) may
 * grow by at most {@link MAX_LIVE_BYTES_PER_ROW} bytes per row, which leaves room only for the
 * file's duplicate keys (external id and email of each valid row, to spot a row repeated later in
 * the file), not for the rows or the text. Peak RSS is printed too; without forced collections it
 * mostly shows how lazily V8 collects. And importing must cost little beyond the database's own
 * writes: 10,000 clients through the API against a bare batched insert of the same rows and their
 * audit rows in one transaction, in the same run. On PostgreSQL (DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test) in a database of its own, dropped at the end; the app
 * runs in this process on a real port and the files go up over HTTP from disk.
 * Run: `tsx bench/import.bench.ts` (in packages/server).
 */
import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { auditEvents, clients, memberships, users } from '../src/db/schema';
import { createOrganisation } from '../src/features/organisations/organisations.queries';
import { createSession } from '../src/auth/sessions.queries';
import { SESSION_COOKIE } from '../src/auth/session-cookie';
import { systemClock } from '../src/lib/clock';
import { createMailer } from '../src/mail/mailer';
import { adminQuery, baseUrl, withDatabase } from './bench-database';

const MAX_LIVE_BYTES_PER_ROW = 150;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const WRITE_ROWS = 10_000;

const header = 'given_name,family_name,email,date_of_birth,external_id,language';
const line = (i: number) => `Given${i},Family${i},client${i}@example.test,1990-01-${String((i % 28) + 1).padStart(2, '0')},EXT-${i},en\r\n`;

/** A clients CSV of about `limit.bytes` bytes or of `limit.rows` rows, written to disk in pieces (never held whole). */
async function writeCsv(path: string, limit: { bytes: number } | { rows: number }, prefix: string): Promise<number> {
  const out = createWriteStream(path);
  out.write(`${header}\r\n`);
  let size = header.length + 2;
  let rows = 0;
  const more = (extra: number) => ('bytes' in limit ? size + extra < limit.bytes : rows < limit.rows);
  while (more(0)) {
    let piece = '';
    for (let k = 0; k < 1000 && more(piece.length); k++) piece += line(rows++).replace('Given', `${prefix}Given`).replace('EXT-', `${prefix}EXT-`);
    size += piece.length;
    if (!out.write(piece)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return rows;
}

function upload(base: string, cookie: string, path: string, query: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/api/v1/imports/clients?${query}`, { method: 'POST', headers: { cookie, 'content-type': 'text/csv', 'content-length': String(statSync(path).size) } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    createReadStream(path).pipe(req);
  });
}

/** Peak RSS and peak live heap (after a forced GC, every 100 ms) above the idle process while `work` runs. */
async function measure<T>(work: () => Promise<T>): Promise<{ result: T; rssMb: number; liveMb: number; ms: number }> {
  gc();
  const idle = process.memoryUsage();
  let rss = idle.rss;
  let live = idle.heapUsed;
  const rssTimer = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 10);
  const liveTimer = setInterval(() => {
    gc();
    live = Math.max(live, process.memoryUsage().heapUsed);
  }, 100);
  const started = performance.now();
  try {
    const result = await work();
    return { result, rssMb: (rss - idle.rss) / 1e6, liveMb: (live - idle.heapUsed) / 1e6, ms: performance.now() - started };
  } finally {
    clearInterval(rssTimer);
    clearInterval(liveTimer);
  }
}

async function main() {
  const name = `rapport_import_bench_${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'rapport-import-bench-'));
  await adminQuery(`create database ${name}`);
  const database = await openDatabase({ kind: 'postgres', url: withDatabase(baseUrl, name), poolSize: 5 });
  try {
    await database.migrate();
    const config = loadConfig({ RAPPORT_DATA_DIR: dir, PUBLIC_URL: 'http://127.0.0.1', LOG_LEVEL: 'warn', RAPPORT_DEMO: 'false', RAPPORT_JOBS: 'false', IMPORT_MAX_MB: '20' });
    const app = await createApp({ config, db: database.db, clock: systemClock, mailer: createMailer(config, systemClock), sms: null, logger: pino({ level: 'warn' }), secretKey: 'b'.repeat(64), ping: database.ping });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const now = new Date();
    const org = await createOrganisation(database.db, { name: 'Import Bench Clinic', settings: { mfaRequired: false } }, now);
    const [admin] = await database.db.insert(users).values({ email: 'admin@bench.test', displayName: 'Bench Admin', createdAt: now }).returning({ id: users.id });
    await database.db.insert(memberships).values({ orgId: org.id, userId: admin!.id, role: 'admin', createdAt: now });
    const { token } = await createSession(database.db, { userId: admin!.id, orgId: org.id, stage: 'full', now, policy: { idleMinutes: 600, absoluteHours: 12 } });
    const cookie = `${SESSION_COOKIE}=${token}`;

    // 1. Memory: a dry run of a 2 MB and of a 19 MB file (the limit is 20 MB).
    const small = join(dir, 'small.csv');
    const large = join(dir, 'large.csv');
    const smallRows = await writeCsv(small, { bytes: 2 * 1024 * 1024 }, 's');
    const largeRows = await writeCsv(large, { bytes: 19 * 1024 * 1024 }, 'l');
    await upload(base, cookie, small, 'dryRun=true'); // warm-up
    const a = await measure(() => upload(base, cookie, small, 'dryRun=true'));
    const b = await measure(() => upload(base, cookie, large, 'dryRun=true'));
    for (const [label, run, rows] of [['2 MB', a, smallRows], ['19 MB', b, largeRows]] as const) {
      const report = JSON.parse(run.result.body) as { rows: number; valid: number };
      if (run.result.status !== 200 || report.valid !== rows) throw new Error(`${label}: status ${run.result.status}, ${run.result.body.slice(0, 200)}`);
      console.log(`dry run ${label}: ${rows} rows in ${run.ms.toFixed(0)} ms (${Math.round(rows / (run.ms / 1000))} rows/s); live heap +${run.liveMb.toFixed(1)} MB, peak RSS +${run.rssMb.toFixed(1)} MB`);
    }
    const perRow = (b.liveMb * 1e6) / largeRows;
    console.log(`memory: live heap grew ${perRow.toFixed(0)} bytes per row of the 19 MB file (bar ${MAX_LIVE_BYTES_PER_ROW}; the file is ${((19 * 1024 * 1024) / largeRows).toFixed(0)} bytes per row)`);

    // 2. Writes: 10,000 clients through the API against the bare batched insert of the same rows.
    const writeFile = join(dir, 'write.csv');
    await writeCsv(writeFile, { rows: WRITE_ROWS }, 'w');
    const imported = await measure(() => upload(base, cookie, writeFile, 'dryRun=false'));
    const importedCount = (JSON.parse(imported.result.body) as { imported: number }).imported;
    const other = await createOrganisation(database.db, { name: 'Baseline Clinic', settings: { mfaRequired: false } }, now);
    const bare = await measure(() =>
      database.db.transaction(async (tx) => {
        for (let start = 0; start < importedCount; start += 500) {
          const rows = Array.from({ length: Math.min(500, importedCount - start) }, (_, k) => ({
            id: randomUUID(),
            orgId: other.id,
            givenName: `Given${start + k}`,
            familyName: `Family${start + k}`,
            email: `client${start + k}@example.test`,
            dateOfBirth: '1990-01-01',
            externalRef: `EXT-${start + k}`,
            language: 'en',
            createdAt: now,
            updatedAt: now,
          }));
          await tx.insert(clients).values(rows);
          await tx.insert(auditEvents).values(rows.map((r) => ({ orgId: other.id, actorKind: 'user' as const, actorId: admin!.id, action: 'client.import', clientId: r.id, entityType: 'client', entityId: r.id, outcome: 'success' as const, at: now })));
        }
      }),
    );
    console.log(`write: ${importedCount} clients imported in ${imported.ms.toFixed(0)} ms; bare batched insert of the same rows + audit rows ${bare.ms.toFixed(0)} ms (${(imported.ms / bare.ms).toFixed(2)}×)`);
    await app.close();
    if (perRow > MAX_LIVE_BYTES_PER_ROW) {
      console.log(`FAIL: the live heap grew ${perRow.toFixed(0)} bytes per row (bar ${MAX_LIVE_BYTES_PER_ROW})`);
      process.exitCode = 1;
    }
  } finally {
    await database.close();
    await adminQuery(`drop database if exists ${name} with (force)`);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
