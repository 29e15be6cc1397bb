import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Command, CommanderError } from 'commander';
import { count, inArray } from 'drizzle-orm';
import { openDatabase } from '../src/db/database';
import { users } from '../src/db/schema';
import { DEMO_STAFF } from '../src/demo/demo.seed';
import { withDatabase } from './global-setup';

/**
 * The `rapport` command line, spawned as a user would run it (through tsx, from the repository).
 * Each spawn that opens the embedded database costs a few seconds, so the steps share one data
 * folder and run in order. On PostgreSQL the same commands run against a fresh database, and the
 * commands that only exist for the embedded database (backup, restore) are skipped.
 */
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const onPostgres = !!process.env.DATABASE_URL;
const ORG = 'Riverside Psychological Therapies (demo)';

let dataDir: string;
let databaseUrl: string | undefined;
const children = new Set<ChildProcess>();

type Run = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _d, SMTP_URL: _s, PORT: _p, PUBLIC_URL: _u, ...rest } = process.env;
  return { ...rest, RAPPORT_DATA_DIR: dataDir, RAPPORT_DEMO: 'true', LOG_LEVEL: 'info', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...extra };
}

function start(args: string[], extra: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repoRoot, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out.stderr += c.toString()));
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, ...out });
    }),
  );
  return { child, out, done };
}

const rapport = (...args: string[]) => start(args).done;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Reads the embedded database directly (the CLI has exited): how many users, and which of `emails` exist. */
async function usersWithEmails(emails: string[]): Promise<{ total: number; matching: string[] }> {
  const database = await openDatabase({ kind: 'pglite', dataDir: join(dataDir, 'pgdata') });
  try {
    const [row] = await database.db.select({ n: count() }).from(users);
    const found = await database.db.select({ email: users.email }).from(users).where(inArray(users.email, emails));
    return { total: Number(row!.n), matching: found.map((f) => f.email).sort() };
  } finally {
    await database.close();
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rapport-cli-'));
  if (onPostgres) {
    const name = `rapport_cli_${inject('runId')}_${process.pid}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    databaseUrl = withDatabase(process.env.DATABASE_URL!, name);
  }
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  if (databaseUrl) {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${new URL(databaseUrl).pathname.slice(1)} with (force)`);
    await admin.end();
  }
});

describe('rapport CLI', { timeout: 240_000 }, () => {
  it('prints help and exits 0 for every command', async () => {
    // In-process: one process per command would cost seconds each for nothing the spawns below miss.
    const { program } = await import('../src/cli');
    const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
    const commands = all(program);
    expect(commands.map((c) => c.name())).toEqual(expect.arrayContaining(['start', 'migrate', 'demo', 'create', 'verify', 'backup', 'restore', 'worker']));
    for (const command of commands) {
      let printed = '';
      for (const c of commands) c.exitOverride().configureOutput({ writeOut: (text) => (printed += text), writeErr: (text) => (printed += text) });
      const path: string[] = [];
      for (let c: Command | null = command; c && c !== program; c = c.parent) path.unshift(c.name());
      const exit = await program.parseAsync(['node', 'rapport', ...path, '--help']).then(
        () => null,
        (error: CommanderError) => error,
      );
      expect(exit, `rapport ${path.join(' ')} --help`).toMatchObject({ exitCode: 0, code: 'commander.helpDisplayed' });
      expect(printed).toMatch(/^Usage: rapport/);
      if (path.join(' ') === 'user create') expect(printed).toContain('--role <role>');
    }
  });

  it('migrates, seeds the demo clinic, creates a user with an invitation link, and verifies the audit trail', async () => {
    const migrate = await rapport('migrate');
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain('Migrations applied.');

    const demo = await rapport('demo');
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toContain('Demo clinic seeded.');

    const create = await rapport('user', 'create', '--org', ORG, '--email', 'New.Clinician@Clinic.test', '--role', 'clinician');
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toContain(`new.clinician@clinic.test is clinician of ${ORG}.`);
    expect(create.stdout).toMatch(/Set a password within 7 days: http:\/\/localhost:3000\/accept-invitation#token=[A-Za-z0-9_-]{43}\n/);

    const verify = await rapport('audit', 'verify');
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('Audit trail intact.');
  });

  it.skipIf(onPostgres)('backs up the stopped embedded database, and restore brings that data back', async () => {
    const file = join(dataDir, 'backups', 'before.tar.gz');
    const backup = await rapport('backup', file);
    expect(backup.code, backup.stderr).toBe(0);
    expect(statSync(file).size).toBeGreaterThan(1000);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(backup.stdout).toContain(`Keep ${join(dataDir, 'secret.key')} with your backups`);

    const create = await rapport('user', 'create', '--org', ORG, '--email', 'after.backup@clinic.test', '--role', 'supervisor');
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toContain('after.backup@clinic.test is supervisor of');

    const restore = await rapport('restore', file);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('Restored');
    // The user created before the backup is back; the one created after it is gone.
    const rows = await usersWithEmails(['new.clinician@clinic.test', 'after.backup@clinic.test']);
    expect(rows).toEqual({ total: DEMO_STAFF.length + 1, matching: ['new.clinician@clinic.test'] });
  });

  it('starts the server, which answers /healthz, makes backups for the CLI, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const server = start(['start'], { PORT: String(port), HOST: '127.0.0.1' });
    const url = `http://127.0.0.1:${port}`;
    await expect
      .poll(() => server.out.stdout, { timeout: 120_000, interval: 200 })
      .toContain(`Rapport is running at ${url}`);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: 'up' });
    expect(existsSync(join(dataDir, 'server.json'))).toBe(true);

    if (!onPostgres) {
      // The server owns the embedded database, so the CLI asks it for a consistent copy.
      const file = join(dataDir, 'backups', 'while-running.tar.gz');
      const backup = await rapport('backup', file);
      expect(backup.code, backup.stderr).toBe(0);
      expect(statSync(file).size).toBeGreaterThan(1000);
      await expect.poll(() => server.out.stdout).toMatch(/"route":"\/internal\/backup","status":200/);
      // Commands that would open the embedded database beside the server refuse instead.
      const [second, restore, create, verify] = await Promise.all([
        start(['start'], { PORT: String(await freePort()), HOST: '127.0.0.1' }).done,
        rapport('restore', file),
        rapport('user', 'create', '--org', ORG, '--email', 'while.running@clinic.test', '--role', 'clinician'),
        rapport('audit', 'verify'),
      ]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`Rapport is already running at ${url} with the data folder`);
      expect(restore.code).toBe(1);
      expect(restore.stderr).toContain('Stop the server first');
      for (const refused of [create, verify]) {
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain('Stop the running server first: it owns the embedded database.');
      }
    } else {
      const [backup, badEmail] = await Promise.all([rapport('backup', join(dataDir, 'pg.tar.gz')), rapport('user', 'create', '--org', ORG, '--email', 'not-an-address', '--role', 'admin')]);
      expect(backup.code).toBe(1);
      expect(backup.stderr).toContain('pg_dump');
      expect(badEmail.code).toBe(1);
      expect(badEmail.stderr).toContain('"not-an-address" is not an email address.');
    }

    server.child.kill('SIGTERM');
    const stopped = await server.done;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
