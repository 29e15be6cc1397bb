/**
 * Chart rendering in Chromium (issue 6): from the data's arrival (a performance mark) to the last
 * chart drawn (the `chart:drawn` mark of uPlot's draw hook) for a client with 52 weekly sessions of
 * three symptom measures plus the alliance panel, printed next to drawing one empty chart in the same
 * run. Aim: under 200 ms. The page is the web app's own chart components, built with Vite.
 *
 * Run: `npm run bench:charts` (ROUNDS=n for more alternating rounds; the median is printed).
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { chromium } from 'playwright-core';

/** Debian's Chromium with the e2e harness's flags (not imported from it: the bench needs no server). */
const launchChromium = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

declare global {
  interface Window {
    bench: (kind: 'client' | 'empty') => Promise<number>;
  }
}

const AIM_MS = 200;
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const root = fileURLToPath(new URL('./chart-render/', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'rapport-chart-bench-'));

await build({ root, configFile: false, logLevel: 'silent', plugins: [react()], build: { outDir: out, emptyOutDir: true, modulePreload: { polyfill: false } } });

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const server = createServer((req, res) => {
  const path = normalize(join(out, (req.url ?? '/').split('?')[0] === '/' ? 'index.html' : (req.url ?? '').split('?')[0]!));
  if (!path.startsWith(out) || !existsSync(path)) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;

const browser = await launchChromium();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => typeof window.bench === 'function');
  // Warm-up: loads the lazy uPlot chunk once, as the app does on the first chart.
  await page.evaluate(() => window.bench('empty'));
  await page.evaluate(() => window.bench('client'));
  const client: number[] = [];
  const empty: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    empty.push(await page.evaluate(() => window.bench('empty')));
    client.push(await page.evaluate(() => window.bench('client')));
  }
  if (errors.length) throw new Error(errors.join('\n'));
  const c = median(client);
  const e = median(empty);
  console.log(`chart render (Chromium, ${ROUNDS} alternating rounds, median)`);
  console.log(`  client, 52 weekly sessions × 3 measures + alliance panel (4 charts): ${c.toFixed(1)} ms  [min ${Math.min(...client).toFixed(1)}, max ${Math.max(...client).toFixed(1)}]`);
  console.log(`  one empty chart:                                                  ${e.toFixed(1)} ms  [min ${Math.min(...empty).toFixed(1)}, max ${Math.max(...empty).toFixed(1)}]`);
  console.log(`  aim: < ${AIM_MS} ms — ${c < AIM_MS ? 'met' : 'NOT met'}`);
  if (c >= AIM_MS) process.exitCode = 1;
} finally {
  await browser.close();
  server.close();
  rmSync(out, { recursive: true, force: true });
}
