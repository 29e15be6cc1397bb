import { inject } from 'vitest';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createApp } from '../src/app';
import { loadConfig, type Config } from '../src/config';
import { openDatabase, type Database } from '../src/db/database';
import { ManualClock } from '../src/lib/clock';
import { createLogger } from '../src/lib/logger';
import { createMailer } from '../src/mail/mailer';
import { createJobRunner } from '../src/jobs/jobs';
import { createSmsTransport } from '../src/notifications/sms';
import { withDatabase } from './global-setup';
import { startTestSmtp } from './smtp';
import { buildFactories } from './factories';

let fileCounter = 0;

/** A fresh database for this test file: a copy of the migrated template (PGlite or PostgreSQL). */
export async function openTestDatabase(): Promise<Database> {
  const pgTemplate = inject('pgTemplate');
  if (pgTemplate) {
    const url = process.env.DATABASE_URL!;
    const name = `rapport_t_${inject('runId')}_${process.pid}_${++fileCounter}_${randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name} template ${pgTemplate}`);
    await admin.end();
    const database = await openDatabase({ kind: 'postgres', url: withDatabase(url, name), poolSize: 5 });
    const close = database.close;
    return {
      ...database,
      close: async () => {
        await close();
        const a = new pg.Client({ connectionString: url });
        await a.connect();
        await a.query(`drop database if exists ${name} with (force)`);
        await a.end();
      },
    };
  }
  return openDatabase({ kind: 'pglite', loadDataDir: new Blob([readFileSync(inject('pgliteTemplate'))]) });
}

export type TestContext = Awaited<ReturnType<typeof createTestContext>>;

/**
 * The whole app in-process over a real database, a real SMTP server, a manual clock and a log
 * capture. `overrides` tweak the environment-derived config.
 */
export async function createTestContext(overrides: Record<string, string> = {}) {
  const database = await openTestDatabase();
  const smtp = await startTestSmtp();
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  const config: Config = loadConfig({
    RAPPORT_DATA_DIR: `.tmp/data-${process.pid}`,
    SMTP_URL: smtp.url,
    PUBLIC_URL: 'http://rapport.test',
    LOG_LEVEL: 'info',
    RAPPORT_DEMO: 'false',
    ...overrides,
  });
  const logger = createLogger('info', sink);
  const mailer = createMailer(config, clock);
  const secretKey = randomBytes(32).toString('hex');
  const sms = createSmsTransport(config);
  const app = await createApp({ config, db: database.db, clock, mailer, sms, logger, secretKey, ping: database.ping });
  const jobs = createJobRunner({ db: database.db, clock, logger, mailer, sms, config, secretKey });
  const factories = buildFactories({ db: database.db, clock, config });
  return {
    app,
    db: database.db,
    database,
    clock,
    config,
    smtp,
    jobs,
    secretKey,
    logs: () => logLines.join(''),
    ...factories,
    async close() {
      await app.close();
      mailer.close();
      await smtp.close();
      await database.close();
    },
  };
}
