import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { and, eq, inArray, like, sql } from 'drizzle-orm';
import { openTestDatabase } from './context';
import { buildFactories } from './factories';
import { ManualClock } from '../src/lib/clock';
import { loadConfig } from '../src/config';
import type { Database } from '../src/db/database';
import { alerts, auditEvents, jobs, messages } from '../src/db/schema';
import { raiseAlerts } from '../src/features/alerts/alerts.queries';

/**
 * Kills the escalation worker (`rapport worker`, a separate process on PostgreSQL) with SIGKILL
 * twice while it is emailing supervisors about unacknowledged urgent alerts, restarts it each time,
 * and checks that every alert was escalated exactly once (one `escalated_at`, one `alert.escalate`
 * audit event, one `sent` message row per supervisor) and that no supervisor was emailed more than
 * the documented crash window allows (decision 0001: a crash between the SMTP server's 250 OK and the
 * `sent` update re-sends that one message; at most one per kill).
 */
const ALERTS = 30;
const SUPERVISORS = 2;
const KILLS = 2;

let database: Database;
let dataDir: string;
let worker: ChildProcess | undefined;
let smtp: SMTPServer;
let received: string[] = [];

function startWorker(url: string, smtpUrl: string): ChildProcess {
  return spawn('npx', ['tsx', 'packages/server/src/cli.ts', 'worker'], {
    env: { ...process.env, DATABASE_URL: url, SMTP_URL: smtpUrl, RAPPORT_DATA_DIR: dataDir, RAPPORT_DEMO: 'false', LOG_LEVEL: 'warn', PUBLIC_URL: 'http://rapport.test' },
    stdio: 'ignore',
    detached: true,
  });
}

function kill(child: ChildProcess) {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  database = await openTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'rapport-escalation-'));
  // A slow mail server (80 ms a message), so a kill lands while the worker is mid-way through its batch.
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        setTimeout(() => {
          received.push(...session.envelope.rcptTo.map((r) => r.address));
          callback();
        }, 80);
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  if (worker) kill(worker);
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await database?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('escalation survives SIGKILL (PostgreSQL)', () => {
  it.skipIf(!process.env.DATABASE_URL)('escalates every unacknowledged urgent alert exactly once across worker kills', async () => {
    received = [];
    const now = new Date();
    const clock = new ManualClock(now);
    const config = loadConfig({ RAPPORT_DEMO: 'false' });
    const f = buildFactories({ db: database.db, clock, config });
    const org = await f.buildOrganisation({ settings: { onCallSupervisorUserId: null, urgentEscalationHours: 4 } });
    const supervisors = await Promise.all(Array.from({ length: SUPERVISORS }, () => f.buildStaff(org.id, 'supervisor')));
    const client = await f.buildClient(org.id); // no care team: the only mail is the escalation
    // Raised five hours ago and never acknowledged: every escalation is due now.
    const raisedAt = new Date(now.getTime() - 5 * 3_600_000);
    const raised = await raiseAlerts(
      database.db,
      Array.from({ length: ALERTS }, (_, i) => ({ orgId: org.id, clientId: client.id, kind: 'risk_item' as const, urgent: true, status: 'open' as const, evidenceKey: `reliability:${i}`, evidence: {}, rulesVersion: '1.0.0' })),
      raisedAt,
    );
    expect(raised).toHaveLength(ALERTS);
    const ids = raised.map((a) => a.id);

    const { rows } = (await database.db.execute(sql`select current_database() as name`)) as unknown as { rows: { name: string }[] };
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${rows[0]!.name}`;
    const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    const expectedMails = ALERTS * SUPERVISORS;

    worker = startWorker(url.toString(), smtpUrl);
    for (let k = 1; k <= KILLS; k++) {
      const target = Math.floor((k * expectedMails) / (KILLS + 1));
      await until(() => received.length >= target, 120_000, `${target} emails before kill ${k}`);
      kill(worker);
      await new Promise((r) => setTimeout(r, 300));
      // The dead worker's lease would let another take its jobs over after 5 minutes; time passes here at once.
      await database.db.update(jobs).set({ lockedUntil: new Date(Date.now() - 1000) }).where(and(sql`${jobs.doneAt} is null`, sql`${jobs.lockedUntil} is not null`));
      worker = startWorker(url.toString(), smtpUrl);
    }

    const escalationJobs = () => database.db.select().from(jobs).where(inArray(jobs.key, ids.map((id) => `alert:${id}:escalate`)));
    await until(async () => (await escalationJobs()).every((j) => j.doneAt !== null), 180_000, 'every escalation job to finish');
    kill(worker);
    worker = undefined;

    expect((await escalationJobs()).filter((j) => j.failedAt !== null)).toEqual([]);
    const after = await database.db.select().from(alerts).where(inArray(alerts.id, ids));
    expect(after.filter((a) => a.escalatedAt === null)).toEqual([]);
    const events = await database.db
      .select({ entityId: auditEvents.entityId, n: sql<number>`count(*)::int` })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'alert.escalate'), inArray(auditEvents.entityId, ids)))
      .groupBy(auditEvents.entityId);
    expect(events).toHaveLength(ALERTS);
    expect(events.every((e) => e.n === 1)).toBe(true);
    const sent = await database.db.select().from(messages).where(like(messages.key, 'alert:%:escalate:%'));
    expect(sent).toHaveLength(expectedMails);
    expect(sent.every((m) => m.status === 'sent')).toBe(true);
    for (const s of supervisors) expect(sent.filter((m) => m.userId === s.userId)).toHaveLength(ALERTS);

    // Every supervisor got every escalation; a duplicate only from the crash window, at most one per kill.
    for (const s of supervisors) expect(received.filter((r) => r === s.email).length).toBeGreaterThanOrEqual(ALERTS);
    expect(received.length).toBeGreaterThanOrEqual(expectedMails);
    expect(received.length).toBeLessThanOrEqual(expectedMails + KILLS);
  });
});
