import type { TestProject } from 'vitest/node';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../src/db/database';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PGlite: path of a tarball of a migrated data folder each test file loads into memory. */
    pgliteTemplate: string;
    /** PostgreSQL: name of a migrated template database each test file copies with CREATE DATABASE … TEMPLATE. */
    pgTemplate: string;
    runId: string;
  }
}

/**
 * Migrates one template database per run; every test file then gets its own copy, so files run in
 * parallel without migrating again. PostgreSQL when DATABASE_URL is set, PGlite otherwise.
 */
export default async function setup(project: TestProject) {
  const runId = randomBytes(4).toString('hex');
  project.provide('runId', runId);
  const url = process.env.DATABASE_URL;
  if (url) {
    const template = `rapport_tpl_${runId}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${template}`);
    const database = await openDatabase({ kind: 'postgres', url: withDatabase(url, template), poolSize: 1 });
    await database.migrate();
    await database.close();
    project.provide('pgTemplate', template);
    project.provide('pgliteTemplate', '');
    return async () => {
      const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`rapport_%_${runId}%`]);
      for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`);
      await admin.end();
    };
  }
  const dir = join(process.cwd(), '.tmp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `template-${runId}.tar.gz`);
  const database = await openDatabase({ kind: 'pglite' });
  await database.migrate();
  const blob = await database.pglite!.dumpDataDir('gzip');
  writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
  await database.close();
  project.provide('pgliteTemplate', file);
  project.provide('pgTemplate', '');
  return () => rmSync(file, { force: true });
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
