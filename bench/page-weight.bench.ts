/**
 * Page weight of the client's questionnaire (issue 4): the PHQ-9 page as a client's phone loads it
 * (HTML + CSS + script, each gzip-compressed at zlib's default level) must stay within 30 KB.
 * Printed next to what SurveyJS (survey-core + survey-js-ui, bundled and minified with esbuild)
 * needs for the same nine questions, measured in the same run.
 *
 * Run: `npm run bench:page-weight`. Exit code 1 when the budget is exceeded.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { createApp } from '../packages/server/src/app';
import { loadConfig } from '../packages/server/src/config';
import { openDatabase } from '../packages/server/src/db/database';
import { ManualClock } from '../packages/server/src/lib/clock';
import { createLogger } from '../packages/server/src/lib/logger';
import { createMailer } from '../packages/server/src/mail/mailer';
import { issueLink } from '../packages/server/src/features/assignments/assignment-links';
import { buildFactories } from '../packages/server/test/factories';

/** Issue 4: "the PHQ-9 page (HTML, CSS and script, gzip) is at most 30 KB". */
const BUDGET_BYTES = 30 * 1024;

const gz = (body: string | Uint8Array) => gzipSync(typeof body === 'string' ? Buffer.from(body) : body).length;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

type Part = { name: string; raw: number; gzip: number };

async function rapportPage(): Promise<Part[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rapport-bench-'));
  const database = await openDatabase({ kind: 'pglite' });
  await database.migrate();
  const clock = new ManualClock(new Date());
  const config = loadConfig({ RAPPORT_DATA_DIR: dataDir, PUBLIC_URL: 'http://rapport.test', RAPPORT_DEMO: 'false', RAPPORT_JOBS: 'false', LOG_LEVEL: 'silent' });
  const mailer = createMailer(config, clock, () => {});
  const app = await createApp({ config, db: database.db, clock, mailer, sms: null, logger: createLogger('silent'), secretKey: 'b'.repeat(64), ping: database.ping });
  try {
    const f = buildFactories({ db: database.db, clock, config });
    const org = await f.buildOrganisation({ name: 'Riverside Therapy' });
    const client = await f.buildClient(org.id);
    const assignment = await f.buildAssignment(org.id, client.id, { instrumentIds: ['phq9'] });
    const token = await issueLink(database.db, { orgId: org.id, assignmentId: assignment.id, now: clock.now() });
    const open = await app.inject({ method: 'POST', url: '/q/open', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${token}` });
    const cookie = String(open.headers['set-cookie']).split(';')[0]!;
    const html = (await app.inject({ method: 'GET', url: '/q', headers: { cookie } })).body;
    // What the browser fetches to show the page: stylesheets and the script (not links to other pages).
    const hrefs = [...html.matchAll(/<(?:link rel="stylesheet" href|script src)="(\/q\/[^"]+)"/g)].map((m) => m[1]!);
    const parts: Part[] = [{ name: 'HTML (GET /q)', raw: Buffer.byteLength(html), gzip: gz(html) }];
    for (const href of hrefs) {
      const body = (await app.inject({ method: 'GET', url: href })).body;
      parts.push({ name: href.split('?')[0]!, raw: Buffer.byteLength(body), gzip: gz(body) });
    }
    return parts;
  } finally {
    await app.close();
    mailer.close();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function surveyJsPage(): Promise<Part[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'rapport-surveyjs-'));
  try {
    const result = await build({
      entryPoints: [new URL('./surveyjs-phq9.entry.ts', import.meta.url).pathname],
      bundle: true,
      minify: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      outdir,
      write: false,
      logLevel: 'silent',
      loader: { '.woff2': 'empty', '.woff': 'empty', '.ttf': 'empty', '.svg': 'dataurl' },
    });
    const shell = '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Check-in</title><link rel="stylesheet" href="app.css"><script src="app.js" defer></script></head><body><div id="survey"></div></body></html>';
    const parts: Part[] = [{ name: 'HTML shell', raw: Buffer.byteLength(shell), gzip: gz(shell) }];
    for (const file of result.outputFiles) {
      parts.push({ name: `bundle ${file.path.endsWith('.css') ? 'CSS' : 'JS'} (esbuild, minified)`, raw: file.contents.length, gzip: gz(file.contents) });
    }
    return parts;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function print(title: string, parts: Part[]): number {
  const total = parts.reduce((sum, p) => sum + p.gzip, 0);
  console.log(`\n${title}`);
  for (const p of parts) console.log(`  ${p.name.padEnd(36)} ${kb(p.raw).padStart(10)} raw ${kb(p.gzip).padStart(10)} gzip`);
  console.log(`  ${'total'.padEnd(36)} ${kb(parts.reduce((s, p) => s + p.raw, 0)).padStart(10)} raw ${kb(total).padStart(10)} gzip`);
  return total;
}

const surveyVersion = (JSON.parse(readFileSync(new URL('../node_modules/survey-core/package.json', import.meta.url), 'utf8')) as { version: string }).version;
const rapport = print('Rapport PHQ-9 page (server-rendered form + app.css + app.js)', await rapportPage());
const surveyJs = print(`SurveyJS ${surveyVersion} (survey-core + survey-js-ui), same nine questions`, await surveyJsPage());
console.log(`\nRapport ${kb(rapport)} vs SurveyJS ${kb(surveyJs)} gzip: ${(surveyJs / rapport).toFixed(1)}× smaller; budget ${kb(BUDGET_BYTES)}: ${rapport <= BUDGET_BYTES ? 'within' : 'EXCEEDED'}`);
process.exit(rapport <= BUDGET_BYTES ? 0 : 1);
