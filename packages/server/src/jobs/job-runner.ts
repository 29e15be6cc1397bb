import { and, eq, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Db } from '../db/database';
import { jobs } from '../db/schema';
import type { Clock } from '../lib/clock';
import { randomToken } from '../lib/crypto';

export type JobRow = typeof jobs.$inferSelect;
export type JobHandler = (job: JobRow, ctx: { db: Db; now: Date }) => Promise<void>;

export type EnqueueInput = {
  kind: string;
  /** Unique: a second enqueue with the same key is ignored, so the same work is never queued twice. */
  key: string;
  runAt: Date;
  orgId?: string | null;
  payload?: Record<string, unknown>;
  maxAttempts?: number;
};

/** Queues a job unless one with the same key exists. Works inside a caller's transaction. */
export async function enqueueJob(db: Pick<Db, 'insert'>, input: EnqueueInput): Promise<boolean> {
  const inserted = await db
    .insert(jobs)
    .values({
      kind: input.kind,
      key: input.key,
      runAt: input.runAt,
      orgId: input.orgId ?? null,
      payload: input.payload ?? {},
      maxAttempts: input.maxAttempts ?? 8,
    })
    .onConflictDoNothing({ target: jobs.key })
    .returning({ id: jobs.id });
  return inserted.length > 0;
}

/** Back-off after the nth failed attempt: 30 s, 1 min, 2 min … capped at 1 hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

export type RecurringJob = { kind: string; everyMs: number };

/** The built-in recurring job that deletes old finished runs of recurring jobs (one row per run otherwise piles up). */
export const PRUNE_JOB = 'jobs.prune';
/** Finished runs of recurring jobs are kept this long (for looking into what ran), then deleted. */
export const FINISHED_RECURRING_KEPT_MS = 24 * 3_600_000;

/**
 * Deletes finished runs of the given recurring kinds that finished before `before`. Only recurring
 * kinds: their keys hold a time bucket that never comes round again, so deleting the row cannot let
 * the same work be queued twice (one-off jobs keep their row, and with it their unique key).
 */
export async function pruneFinishedRecurringJobs(db: Db, kinds: readonly string[], before: Date): Promise<number> {
  if (kinds.length === 0) return 0;
  const deleted = await db
    .delete(jobs)
    .where(and(inArray(jobs.kind, [...kinds]), isNotNull(jobs.doneAt), lt(jobs.doneAt, before)))
    .returning({ id: jobs.id });
  return deleted.length;
}

export type JobRunnerOptions = {
  db: Db;
  clock: Clock;
  logger: Logger;
  handlers: Record<string, JobHandler>;
  recurring?: RecurringJob[];
  /** How long a claimed job stays locked before another worker may take it over. */
  leaseMs?: number;
  pollMs?: number;
  batchSize?: number;
};

/**
 * Runs jobs from the `jobs` table. Claims with `FOR UPDATE SKIP LOCKED`, so several processes
 * can run side by side; a job whose worker died is picked up again once its lease runs out.
 */
export class JobRunner {
  readonly workerId = `${hostname()}:${process.pid}:${randomToken(6)}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  private readonly options: JobRunnerOptions;

  constructor(options: JobRunnerOptions) {
    const recurring = options.recurring ?? [];
    const kinds = [...recurring.map((r) => r.kind), PRUNE_JOB];
    this.options =
      recurring.length === 0
        ? options
        : {
            ...options,
            recurring: [...recurring, { kind: PRUNE_JOB, everyMs: 3_600_000 }],
            handlers: {
              ...options.handlers,
              [PRUNE_JOB]: async (_job, { db, now }) => {
                await pruneFinishedRecurringJobs(db, kinds, new Date(now.getTime() - FINISHED_RECURRING_KEPT_MS));
              },
            },
          };
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((err: Error) => this.options.logger.error({ err: { type: err.name } }, 'job runner tick failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs ?? 1000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Schedules due recurring jobs, then claims and runs one batch. Returns how many jobs ran. */
  async runOnce(): Promise<number> {
    const { db, clock } = this.options;
    const now = clock.now();
    for (const r of this.options.recurring ?? []) {
      const bucket = Math.floor(now.getTime() / r.everyMs);
      await enqueueJob(db, { kind: r.kind, key: `${r.kind}:${bucket}`, runAt: new Date(bucket * r.everyMs) });
    }
    const claimed = await this.claim(now);
    for (const job of claimed) await this.runJob(job);
    return claimed.length;
  }

  /** Runs until no job is due (tests and the CLI use this). */
  async drain(maxRounds = 100): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxRounds; i++) {
      const n = await this.runOnce();
      total += n;
      if (n === 0) break;
    }
    return total;
  }

  private async claim(now: Date): Promise<JobRow[]> {
    const lease = new Date(now.getTime() + (this.options.leaseMs ?? 5 * 60_000));
    const limit = this.options.batchSize ?? 10;
    const result = await this.options.db.execute<Record<string, unknown>>(sql`
      update jobs set locked_until = ${lease}, locked_by = ${this.workerId}, attempts = attempts + 1
      where id in (
        select id from jobs
        where done_at is null and failed_at is null and run_at <= ${now}
          and (locked_until is null or locked_until < ${now})
        order by run_at, id
        limit ${limit}
        for update skip locked
      )
      returning id`);
    const ids = (result as unknown as { rows: { id: number | string }[] }).rows.map((r) => Number(r.id));
    if (ids.length === 0) return [];
    const rows = await this.options.db.select().from(jobs).where(sql`${jobs.id} in ${ids}`);
    return rows.sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || a.id - b.id);
  }

  private async runJob(job: JobRow): Promise<void> {
    const { db, clock, logger, handlers } = this.options;
    const handler = handlers[job.kind];
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(job, { db, now: clock.now() });
      await db
        .update(jobs)
        .set({ doneAt: clock.now(), lockedUntil: null, lastError: null })
        .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, this.workerId)));
    } catch (error) {
      const now = clock.now();
      const giveUp = job.attempts >= job.maxAttempts;
      // The error's type and code only: messages from drivers can quote data.
      const e = error as Error & { code?: string; responseCode?: number };
      const summary = [e.name, e.code, e.responseCode].filter(Boolean).join(' ');
      logger.warn({ jobId: job.id, kind: job.kind, attempts: job.attempts, giveUp, error: summary }, 'job failed');
      await db
        .update(jobs)
        .set({
          lockedUntil: null,
          lastError: summary.slice(0, 200),
          runAt: giveUp ? job.runAt : new Date(now.getTime() + retryDelayMs(job.attempts)),
          failedAt: giveUp ? now : null,
        })
        .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, this.workerId)));
    }
  }
}
