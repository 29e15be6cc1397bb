import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { openTestDatabase } from './context';
import { freePort, killHard as kill, startSpawnedServer } from './spawned-server';
import { buildFactories } from './factories';
import { ManualClock } from '../src/lib/clock';
import { loadConfig } from '../src/config';
import type { Database } from '../src/db/database';
import { assignments, clients } from '../src/db/schema';
import { issueLink } from '../src/features/assignments/assignment-links';
import { sealAuditEvents, verifyAuditChain } from '../src/audit/audit-chain';

/**
 * Issue 4, "How good it must be": 2,000 PHQ-9 submissions through the real server while it is
 * killed with SIGKILL three times and restarted. Each client retries after a dropped connection
 * with the same submissionId, as the page's script does. Every acknowledged submission must be in
 * the database exactly once (response, completed assignment, one audit event, a risk alert exactly
 * when item 9 was endorsed), and nothing may be half written.
 */
const SUBMISSIONS = 2000;
const CONCURRENCY = 20;
const KILLS = 3;
const PHQ9_ITEMS = 9;

let database: Database;
let dataDir: string;
let server: ChildProcess | undefined;

/**
 * Each simulated client has its own address (X-Forwarded-For), so the per-IP limit on
 * `POST /q/open` applies per client, as it would for 2,000 phones.
 */
const PROXY_ENV = { TRUST_PROXY: 'true' };

/** A distinct address per client: 10.x.y.z from the index. */
const addressOf = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

/** Client n's answers: varied scores; item 9 endorsed for every fifth client. */
function answersOf(n: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: PHQ9_ITEMS }, (_, i) => [`phq9_${i + 1}`, i === 8 ? (n % 5 === 0 ? 1 + (n % 3) : 0) : (n + i) % 4]));
}

beforeAll(async () => {
  database = await openTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'rapport-submit-crash-'));
});

afterAll(async () => {
  if (server) kill(server);
  await database?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('questionnaire submissions across crashes (PostgreSQL)', () => {
  it.skipIf(!process.env.DATABASE_URL)(
    'keeps every acknowledged submission exactly once, whole, across three SIGKILLs',
    async () => {
      const { db } = database;
      const clock = new ManualClock(new Date());
      const config = loadConfig({ RAPPORT_DEMO: 'false' });
      const f = buildFactories({ db, clock, config });
      const org = await f.buildOrganisation();
      const now = clock.now();

      // 2,000 clients, each with one PHQ-9 sent by email and its link.
      const clientRows = await db
        .insert(clients)
        .values(Array.from({ length: SUBMISSIONS }, (_, n) => ({ orgId: org.id, givenName: `Crash${n}`, familyName: 'Submit', email: `crash${n}@example.test`, createdAt: now, updatedAt: now })))
        .returning({ id: clients.id });
      const assignmentRows = await db
        .insert(assignments)
        .values(
          clientRows.map(({ id }) => ({
            orgId: org.id,
            clientId: id,
            instrumentIds: ['phq9'],
            respondent: 'client' as const,
            channel: 'email' as const,
            status: 'sent' as const,
            scheduledFor: now,
            sentAt: now,
            expiresAt: new Date(now.getTime() + 4 * 86_400_000),
            createdAt: now,
            updatedAt: now,
          })),
        )
        .returning({ id: assignments.id });
      const tokens = await db.transaction(async (tx) => {
        const out: string[] = [];
        for (const { id } of assignmentRows) out.push(await issueLink(tx, { orgId: org.id, assignmentId: id, now }));
        return out;
      });

      const { rows } = (await db.execute(sql`select current_database() as name`)) as unknown as { rows: { name: string }[] };
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${rows[0]!.name}`;
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      server = await startSpawnedServer({ databaseUrl: url.toString(), port, dataDir, env: PROXY_ENV });

      // Every client opens its link through the real server: the token becomes a `rapport_q` cookie.
      const cookies: string[] = new Array(SUBMISSIONS);
      let opened = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (opened < SUBMISSIONS) {
            const n = opened++;
            const res = await fetch(`${base}/q/open`, {
              method: 'POST',
              redirect: 'manual',
              headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': addressOf(n) },
              body: `token=${encodeURIComponent(tokens[n]!)}`,
            });
            expect(res.status, `open ${n}`).toBe(303);
            const cookie = res.headers.getSetCookie().find((c) => c.startsWith('rapport_q='));
            expect(cookie, `cookie ${n}`).toBeTruthy();
            cookies[n] = cookie!.split(';')[0]!;
          }
        }),
      );

      // Then all of them submit, while the server is killed three times.
      const submissionIds = Array.from({ length: SUBMISSIONS }, () => randomUUID());
      const acknowledged = new Set<number>();
      const refused: string[] = [];
      let retries = 0;
      let started = 0;
      let killsDone = 0;
      const killAt = Array.from({ length: KILLS }, (_, i) => Math.floor(((i + 1) * SUBMISSIONS) / (KILLS + 1)));
      let restarting: Promise<void> | undefined;

      async function submit(n: number) {
        const body = JSON.stringify({ submissionId: submissionIds[n], answers: { phq9: answersOf(n) } });
        for (let attempt = 0; attempt < 100; attempt++) {
          await restarting;
          let status: number;
          try {
            const res = await fetch(`${base}/q/submit`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', accept: 'application/json', cookie: cookies[n]!, 'x-forwarded-for': addressOf(n) },
              body,
            });
            status = res.status;
            const json = (await res.json()) as { status?: string; riskFlagged?: boolean };
            if (status === 200 && json.status === 'completed') {
              expect(json.riskFlagged, `riskFlagged ${n}`).toBe(answersOf(n).phq9_9! > 0);
              acknowledged.add(n);
              return;
            }
          } catch {
            // The connection dropped (the server died, or is not back yet): not acknowledged, retry
            // with the same submissionId.
            retries++;
            await new Promise((r) => setTimeout(r, 50));
            continue;
          }
          if (status >= 500) {
            retries++;
            await new Promise((r) => setTimeout(r, 50));
            continue;
          }
          refused.push(`${n}: HTTP ${status}`);
          return;
        }
        refused.push(`${n}: gave up`);
      }

      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (started < SUBMISSIONS) {
            const n = started++;
            if (killsDone < KILLS && n >= killAt[killsDone]! && !restarting) {
              killsDone++;
              restarting = (async () => {
                kill(server!);
                await new Promise((r) => setTimeout(r, 200));
                server = await startSpawnedServer({ databaseUrl: url.toString(), port, dataDir, env: PROXY_ENV });
              })().finally(() => {
                restarting = undefined;
              });
            }
            await submit(n);
          }
        }),
      );
      expect(killsDone).toBe(KILLS);
      expect(refused).toEqual([]);
      // The kills dropped connections (so retries with the same submissionId were exercised).
      expect(retries).toBeGreaterThan(0);
      expect(acknowledged.size).toBe(SUBMISSIONS);

      // Per assignment: completed responses, their submission ids, submit audit events and risk alerts.
      const perAssignment = (await db.execute(sql`
        select a.id, a.status,
          (select count(*)::int from responses r where r.assignment_id = a.id and r.status = 'completed') as completed,
          (select count(*)::int from responses r where r.assignment_id = a.id) as responses,
          (select min(r.submission_id::text) from responses r where r.assignment_id = a.id and r.status = 'completed') as submission_id,
          (select min((r.answers->>'phq9_9')::int) from responses r where r.assignment_id = a.id and r.status = 'completed') as item9,
          (select count(*)::int from audit_events e where e.action = 'questionnaire.submit' and e.entity_type = 'assignment' and e.entity_id = a.id::text) as submit_events,
          (select count(*)::int from alerts al join responses r on r.id = al.response_id where r.assignment_id = a.id and al.kind = 'risk_item') as risk_alerts
        from assignments a where a.org_id = ${org.id}`)) as unknown as {
        rows: { id: string; status: string; completed: number; responses: number; submission_id: string | null; item9: number | null; submit_events: number; risk_alerts: number }[];
      };
      const byId = new Map(perAssignment.rows.map((r) => [r.id, r]));
      expect(byId.size).toBe(SUBMISSIONS);

      const wrong: string[] = [];
      for (const n of acknowledged) {
        const row = byId.get(assignmentRows[n]!.id)!;
        const expected = {
          status: 'completed',
          completed: 1,
          responses: 1,
          submission_id: submissionIds[n],
          item9: answersOf(n).phq9_9,
          submit_events: 1,
          risk_alerts: answersOf(n).phq9_9! > 0 ? 1 : 0,
        };
        const actual = { status: row.status, completed: row.completed, responses: row.responses, submission_id: row.submission_id, item9: row.item9, submit_events: row.submit_events, risk_alerts: row.risk_alerts };
        if (JSON.stringify(actual) !== JSON.stringify(expected)) wrong.push(`${n}: ${JSON.stringify(actual)} expected ${JSON.stringify(expected)}`);
      }
      expect(wrong.slice(0, 5)).toEqual([]);

      // Nothing half written, acknowledged or not: a completed assignment has its completed
      // response and one submit event; a completed response or a submit event has its completed
      // assignment; a risk alert belongs to a completed response.
      const half = (await db.execute(sql`
        select
          (select count(*)::int from assignments a where a.org_id = ${org.id} and a.status = 'completed'
             and (not exists (select 1 from responses r where r.assignment_id = a.id and r.status = 'completed')
                  or (select count(*) from audit_events e where e.action = 'questionnaire.submit' and e.entity_id = a.id::text) <> 1)) as completed_without_response_or_event,
          (select count(*)::int from responses r join assignments a on a.id = r.assignment_id
             where r.org_id = ${org.id} and r.status = 'completed' and a.status <> 'completed') as response_without_completed_assignment,
          (select count(*)::int from audit_events e join assignments a on a.id::text = e.entity_id
             where e.org_id = ${org.id} and e.action = 'questionnaire.submit' and a.status <> 'completed') as event_without_completed_assignment,
          (select count(*)::int from alerts al left join responses r on r.id = al.response_id
             where al.org_id = ${org.id} and al.kind = 'risk_item' and (r.id is null or r.status <> 'completed')) as alert_without_completed_response`)) as unknown as {
        rows: Record<string, number>[];
      };
      expect(half.rows[0]).toEqual({
        completed_without_response_or_event: 0,
        response_without_completed_assignment: 0,
        event_without_completed_assignment: 0,
        alert_without_completed_response: 0,
      });

      await sealAuditEvents(db, new Date(Date.now() + 60_000));
      expect((await verifyAuditChain(db)).ok).toBe(true);
    },
    300_000,
  );
});
