#!/usr/bin/env node
// The JavaScript the first screen downloads: the scripts and module preloads index.html names
// (lazy chunks such as administration and MFA enrolment are not counted), raw and gzip (level 9).
// Budget (issue 6): at most 200 KB gzip. Run after `npm run build -w @rapport/web`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const files = [...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\/([^"]+\.js)"/g)].map((m) => m[1]);
let raw = 0;
let gzip = 0;
for (const file of files) {
  const bytes = readFileSync(join(dist, file));
  raw += bytes.length;
  gzip += gzipSync(bytes, { level: 9 }).length;
  console.log(`${file}  ${(bytes.length / 1024).toFixed(1)} KB raw`);
}
const budget = 200 * 1024;
console.log(`first screen JavaScript: ${files.length} file(s), ${(raw / 1024).toFixed(1)} KB raw, ${(gzip / 1024).toFixed(1)} KB gzip (budget ${budget / 1024} KB)`);
if (gzip > budget) {
  console.error('Over budget.');
  process.exit(1);
}
