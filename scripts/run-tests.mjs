#!/usr/bin/env node
// Runs the whole vitest suite (or the reliability suite with --reliability), then prints the totals
// as the plain line `N passed, N failed` that CI reads. Exit code is vitest's.
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
const run = spawnSync('npx', args, { stdio: 'inherit', env: process.env });

let passed = 0;
let failed = 0;
if (existsSync(outFile)) {
  const report = JSON.parse(readFileSync(outFile, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = (report.numFailedTests ?? 0) + countFilesFailedOutsideTests(report);
} else {
  failed = 1;
}
// A run that failed without a failed test (an unhandled error, a crashed worker) still counts as a failure.
if (run.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status ?? 1);

/** Test files that failed without a failing test (an import error, a failing hook) count once each. */
function countFilesFailedOutsideTests(report) {
  return (report.testResults ?? []).filter(
    (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
}
