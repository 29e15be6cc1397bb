#!/usr/bin/env node
// `npm test`: every unit, integration and property test (vitest), then the end-to-end journeys in
// real headless Chromium (`e2e/run.ts`), then the totals as the plain line `N passed, N failed`
// that CI reads. `--reliability` runs the long crash tests instead. Extra arguments go to vitest
// (a path filter, for example); with a filter the browser journeys are left out.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const reliability = process.argv.includes('--reliability');
const extra = process.argv.slice(2).filter((a) => a !== '--reliability');
const outDir = join(process.cwd(), '.test-output');
mkdirSync(outDir, { recursive: true });
const outFile = join(outDir, reliability ? 'reliability.json' : 'results.json');
if (existsSync(outFile)) rmSync(outFile);

const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${outFile}`];
if (reliability) args.push('--config', 'vitest.reliability.config.ts');
args.push(...extra);
const vitest = spawnSync('npx', args, { stdio: 'inherit', env: process.env });

let passed = 0;
let failed = 0;
if (existsSync(outFile)) {
  const report = JSON.parse(readFileSync(outFile, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = (report.numFailedTests ?? 0) + countFilesFailedOutsideTests(report);
}
// A run that failed without a failed test (an unhandled error, a crashed worker) still counts as a failure.
if (vitest.status !== 0 && failed === 0) failed = 1;
let status = vitest.status ?? 1;

if (!reliability && extra.length === 0) {
  console.log('\n=== end-to-end journeys (headless Chromium) ===');
  const e2e = spawnSync('npx', ['tsx', 'e2e/run.ts'], { encoding: 'utf8', env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(e2e.stdout ?? '');
  const totals = /^(\d+) passed, (\d+) failed$/m.exec(e2e.stdout ?? '');
  const e2ePassed = totals ? Number(totals[1]) : 0;
  let e2eFailed = totals ? Number(totals[2]) : 0;
  if (e2e.status !== 0 && e2eFailed === 0) e2eFailed = 1;
  passed += e2ePassed;
  failed += e2eFailed;
  if (e2e.status !== 0) status = status || 1;
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(status);

/** Test files that failed without a failing test (an import error, a failing hook) count once each. */
function countFilesFailedOutsideTests(report) {
  return (report.testResults ?? []).filter(
    (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
}
