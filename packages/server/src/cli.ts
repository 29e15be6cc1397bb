#!/usr/bin/env -S npx tsx
import { Command, Option } from 'commander';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { ConfigError, loadConfig, type Config } from './config';
import { openConfiguredDatabase, dataPaths, resolveControlToken, resolveSecretKey, runningServer } from './runtime';
import { createSmsTransport } from './notifications/sms';
import { seedDemo, isEmpty } from './demo/demo.seed';
import { verifyAuditChain, sealAuditEvents } from './audit/audit-chain';
import { createLogger } from './lib/logger';
import { systemClock } from './lib/clock';
import { createMailer } from './mail/mailer';
import { memberships, organisations, roles, users } from './db/schema';
import { issueUserToken } from './auth/auth.queries';
import { email as emailSchema } from './auth/auth.schema';
import { openDatabase } from './db/database';

function config(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

/** The command tree; exported so tests can check every command's help without a process each. */
export const program = new Command('rapport').description('Rapport: measurement-based care for psychotherapy.');

program
  .command('start')
  .description('Migrate the database, seed the demo clinic on first start, serve the app and run background jobs.')
  .action(async () => {
    const cfg = config();
    // A second server on the same data folder would open the embedded database twice and corrupt it.
    const other = cfg.databaseUrl ? null : runningServer(cfg);
    if (other && other.pid !== process.pid && (await answers(other.url))) {
      fail(`Rapport is already running at ${other.url} with the data folder ${cfg.dataDir}.`);
    }
    // Loaded here, not at the top: the server and job handlers pull in every feature, which the
    // one-off commands do not need (each would start a second or so slower).
    const { startServer } = await import('./server');
    const server = await startServer(cfg);
    const shutdown = () => void server.stop().then(() => process.exit(0));
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });

program
  .command('migrate')
  .description('Apply database migrations, then exit.')
  .action(async () => {
    const database = await openDatabaseHere(config());
    await database.migrate();
    await database.close();
    console.log('Migrations applied.');
  });

program
  .command('demo')
  .description('Seed the demo clinic (only into an empty database unless --reset).')
  .option('--reset', 'delete every row first (the audit trail included); for demo databases only')
  .action(async (opts: { reset?: boolean }) => {
    const cfg = config();
    const database = await openDatabaseHere(cfg);
    await database.migrate();
    if (opts.reset) {
      // The audit tables refuse changes row by row; a demo reset drops and recreates the schema instead.
      await database.db.execute(sql`drop schema public cascade`);
      await database.db.execute(sql`drop schema if exists drizzle cascade`);
      await database.db.execute(sql`create schema public`);
      await database.migrate();
    } else if (!(await isEmpty(database.db))) {
      await database.close();
      fail('The database already has data. Use --reset to replace it with the demo.');
    }
    await seedDemo(database.db, { now: new Date() });
    await database.close();
    console.log('Demo clinic seeded.');
  });

const user = program.command('user').description('Manage staff accounts.');
user
  .command('create')
  .description('Create (or add to an organisation) a staff member and print a link to set their password.')
  .requiredOption('--org <id-or-name>', 'organisation id or exact name')
  .requiredOption('--email <email>', 'their email address')
  .addOption(new Option('--role <role>', 'their role').choices([...roles]).makeOptionMandatory())
  .option('--name <name>', 'display name (defaults to the email address)')
  .action(async (opts: { org: string; email: string; role: (typeof roles)[number]; name?: string }) => {
    const cfg = config();
    const parsedEmail = emailSchema.safeParse(opts.email);
    if (!parsedEmail.success) fail(`"${opts.email}" is not an email address.`);
    const database = await openDatabaseHere(cfg);
    await database.migrate();
    const { db } = database;
    const [org] = await db
      .select()
      .from(organisations)
      .where(/^[0-9a-f-]{36}$/i.test(opts.org) ? eq(organisations.id, opts.org) : eq(organisations.name, opts.org))
      .limit(1);
    if (!org) {
      await database.close();
      fail(`No organisation "${opts.org}".`);
    }
    const email = parsedEmail.data;
    const now = new Date();
    const token = await db.transaction(async (tx) => {
      const [existing] = await tx.select().from(users).where(eq(users.email, email)).limit(1);
      const u = existing ?? (await tx.insert(users).values({ email, displayName: opts.name ?? email, createdAt: now }).returning())[0]!;
      await tx
        .insert(memberships)
        .values({ orgId: org!.id, userId: u.id, role: opts.role, status: u.passwordHash ? 'active' : 'invited', createdAt: now })
        .onConflictDoUpdate({ target: [memberships.orgId, memberships.userId], set: { role: opts.role } });
      return u.passwordHash ? null : issueUserToken(tx, { userId: u.id, orgId: org!.id, kind: 'invite', now, validForMs: 7 * 86_400_000 });
    });
    await database.close();
    console.log(`${email} is ${opts.role} of ${org!.name}.`);
    if (token) console.log(`Set a password within 7 days: ${cfg.publicUrl}/accept-invitation#token=${token}`);
  });

const audit = program.command('audit').description('The audit trail.');
audit
  .command('verify')
  .description('Seal pending events, then recompute every hash chain and report any sealed row changed afterwards.')
  .action(async () => {
    const database = await openDatabaseHere(config());
    await sealAuditEvents(database.db, new Date());
    const result = await verifyAuditChain(database.db);
    await database.close();
    console.log(`${result.sealed} sealed events checked, ${result.unsealed} not sealed yet (younger than 30 s).`);
    if (result.ok) {
      console.log('Audit trail intact.');
      return;
    }
    for (const p of result.problems) console.error(`event ${p.eventId} (organisation ${p.chainKey || 'none'}): ${p.problem}`);
    process.exit(1);
  });

program
  .command('backup <file>')
  .description('Write a consistent copy of the embedded database to FILE (.tar.gz). On PostgreSQL use pg_dump (see README).')
  .action(async (file: string) => {
    const cfg = config();
    if (cfg.databaseUrl) fail('On PostgreSQL, back up with pg_dump and point-in-time recovery (see README "Backups").');
    const target = resolve(file);
    mkdirSync(dirname(target), { recursive: true });
    const server = runningServer(cfg);
    if (server) {
      const response = await fetch(`${server.url}/internal/backup`, { method: 'POST', headers: { 'x-rapport-control': resolveControlToken(cfg) } });
      if (!response.ok) fail(`The running server refused the backup (${response.status}).`);
      writeFileSync(target, Buffer.from(await response.arrayBuffer()), { mode: 0o600 });
    } else {
      if (!existsSync(dataPaths(cfg.dataDir).pgdata)) fail(`No database in ${cfg.dataDir}.`);
      const database = await openConfiguredDatabase(cfg);
      const blob = await database.pglite!.dumpDataDir('gzip');
      writeFileSync(target, Buffer.from(await blob.arrayBuffer()), { mode: 0o600 });
      await database.close();
    }
    console.log(`Backup written to ${target}.`);
    // The backup holds the database only; the TOTP seeds in it are encrypted with this key.
    if (!cfg.encryptionKey) console.log(`Keep ${dataPaths(cfg.dataDir).secretKey} with your backups: a restore into another data folder needs it for two-step sign-in.`);
  });

program
  .command('restore <file>')
  .description('Replace the embedded database with a backup made by `rapport backup` (the server must be stopped).')
  .action(async (file: string) => {
    const cfg = config();
    if (cfg.databaseUrl) fail('On PostgreSQL, restore with pg_restore or point-in-time recovery (see README "Backups").');
    if (runningServer(cfg)) fail('Stop the server first: restore replaces the database it is using.');
    const source = resolve(file);
    if (!existsSync(source)) fail(`No file ${source}.`);
    const { pgdata } = dataPaths(cfg.dataDir);
    const staging = `${pgdata}.restoring`;
    rmSync(staging, { recursive: true, force: true });
    // Open the backup into a staging folder first, so a bad file leaves the current database untouched.
    const restored = await openDatabase({ kind: 'pglite', dataDir: staging, loadDataDir: new Blob([readFileSync(source)]) });
    if (!(await restored.ping())) fail('That file is not a readable Rapport backup.');
    await restored.close();
    const previous = `${pgdata}.before-restore`;
    rmSync(previous, { recursive: true, force: true });
    if (existsSync(pgdata)) renameSync(pgdata, previous);
    renameSync(staging, pgdata);
    console.log(`Restored ${source}. The previous database is kept in ${previous} until the next restore.`);
  });

program
  .command('worker')
  .description('Run background jobs only (for extra processes beside the server on PostgreSQL).')
  .action(async () => {
    const cfg = config();
    if (!cfg.databaseUrl) fail('Separate workers need PostgreSQL; with the embedded database the server runs jobs itself.');
    const database = await openConfiguredDatabase(cfg);
    const { createJobRunner } = await import('./jobs/jobs');
    const logger = createLogger(cfg.logLevel);
    const runner = createJobRunner({ db: database.db, clock: systemClock, logger, mailer: createMailer(cfg, systemClock), sms: createSmsTransport(cfg), config: cfg, secretKey: resolveSecretKey(cfg) });
    runner.start();
    console.log('Worker running. Ctrl-C to stop.');
    const shutdown = () => void runner.stop().then(() => database.close()).then(() => process.exit(0));
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });

/**
 * Opens the database for a one-off command. The embedded database belongs to one process at a time
 * (a second one opening the same folder can corrupt it), so while the server runs these refuse.
 */
function openDatabaseHere(cfg: Config) {
  if (!cfg.databaseUrl && runningServer(cfg)) fail('Stop the running server first: it owns the embedded database.');
  return openConfiguredDatabase(cfg);
}

/** Whether a server answers at `url` (a stale server.json can name a live, unrelated process id). */
async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })).status < 500;
  } catch {
    return false;
  }
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/** True when this file is the program being run (directly, through tsx, or the npm bin link), not an import. */
function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) await program.parseAsync(process.argv);
