import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { createApp } from '../packages/server/src/app';
import { loadConfig } from '../packages/server/src/config';
import { openDatabase } from '../packages/server/src/db/database';
import { ManualClock, systemClock } from '../packages/server/src/lib/clock';
import { createLogger } from '../packages/server/src/lib/logger';
import { createMailer } from '../packages/server/src/mail/mailer';
import { createJobRunner } from '../packages/server/src/jobs/jobs';
import { buildFactories } from '../packages/server/test/factories';
import { startTestSmtp } from '../packages/server/test/smtp';

/** Debian's Chromium and the flags that keep it quiet and offline-safe (stack notes). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The whole server on a real port over an in-memory PGlite database, a real SMTP server and the
 * system clock; jobs run when the journey calls `jobs.drain()`.
 */
export async function startStack() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'rapport-e2e-'));
  const smtp = await startTestSmtp();
  const database = await openDatabase({ kind: 'pglite' });
  await database.migrate();
  const config = loadConfig({
    RAPPORT_DATA_DIR: dataDir,
    SMTP_URL: smtp.url,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
    RAPPORT_DEMO: 'false',
    RAPPORT_JOBS: 'false',
  });
  const logger = createLogger('warn');
  const mailer = createMailer(config, systemClock);
  const secretKey = 'a'.repeat(64);
  const app = await createApp({ config, db: database.db, clock: systemClock, mailer, sms: null, logger, secretKey, ping: database.ping });
  await app.listen({ port, host: '127.0.0.1' });
  const jobs = createJobRunner({ db: database.db, clock: systemClock, logger, mailer, sms: null, config, secretKey });
  const factories = buildFactories({ db: database.db, clock: new ManualClock(new Date()), config });
  return {
    url: config.publicUrl,
    db: database.db,
    smtp,
    jobs,
    ...factories,
    async close() {
      await app.close();
      mailer.close();
      await smtp.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** axe-core on the page as it is now; throws listing every violation. */
export async function assertNoAxeViolations(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  if (result.violations.length > 0) {
    const lines = result.violations.map((v) => `  ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    throw new Error(`axe found ${result.violations.length} violation(s) on ${label}:\n${lines.join('\n')}`);
  }
}

const shots = new URL('./screenshots/', import.meta.url);
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, shots).pathname, fullPage: true });
}
