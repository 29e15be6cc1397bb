import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { seedDemo, DEMO_PASSWORD } from '../packages/server/src/demo/demo.seed';
import { assertNoAxeViolations, launchChromium, screenshot, startStack } from './harness';
import type { Journey } from './run';

/**
 * Issue 7 item 1 (and issue 6's supervisor view) in real headless Chromium over the seeded demo
 * clinic: the admin opens Reports, reads the recovery rate as "n of N (%)" (the same numbers the API
 * gives), switches the rates chart to its table by keyboard, downloads the CSV with the same
 * filters; the supervisor reaches outcomes by therapist from the supervision screen. axe-core must
 * find nothing; screenshots go to e2e/screenshots/web-reports-*.png.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const webDir = join(root, 'packages/web');
function ensureWebBuilt(): void {
  const newest = (dir: string): number => readdirSync(dir, { withFileTypes: true }).reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
  const index = join(webDir, 'dist', 'index.html');
  if (!existsSync(index) || statSync(index).mtimeMs < newest(join(webDir, 'src'))) execFileSync('npm', ['run', 'build', '-w', '@rapport/web'], { stdio: 'ignore', cwd: root });
}

type Stack = Awaited<ReturnType<typeof startStack>>;

async function signIn(browser: Browser, stack: Stack, who: 'admin' | 'supervisor'): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${stack.url}/sign-in`);
  await page.getByLabel('Email address').fill(`${who}@demo.rapport.local`);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Caseload' }).waitFor({ timeout: 15_000 });
  return { page, problems };
}

async function check(page: Page, name: string): Promise<void> {
  await page.waitForSelector('.state-loading', { state: 'detached', timeout: 30_000 }).catch(() => undefined);
  await assertNoAxeViolations(page, name);
  await screenshot(page, `web-reports-${name}`);
}

type Rate = { numerator: number; denominator: number; rate: number | null };

async function reportsJourney(): Promise<void> {
  ensureWebBuilt();
  const stack = await startStack();
  await seedDemo(stack.db, { now: new Date() });
  const browser = await launchChromium();
  try {
    const { page, problems } = await signIn(browser, stack, 'admin');
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Outcome reports' }).waitFor();
    const tt = page.getByRole('region', { name: 'NHS Talking Therapies outcomes' });
    await tt.waitFor({ timeout: 30_000 });

    // The card says what the API says, as "n of N (%)".
    const params = new URL(page.url()).search || '';
    const csvHref = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    assert.ok(csvHref, 'a CSV link');
    const query = new URL(csvHref, stack.url).search;
    const api = (await (await page.request.get(`${stack.url}/api/v1/reports/outcomes${query}`)).json()) as { talkingTherapies: { recovery: Rate; endedEpisodes: number } };
    const recovery = api.talkingTherapies.recovery;
    assert.ok(api.talkingTherapies.endedEpisodes > 0 && recovery.denominator > 0, `the demo has ended episodes in the default period (${params})`);
    const figure = (await tt.locator('.report-card', { hasText: /^Recovery/ }).locator('.report-figure').textContent()) ?? '';
    const percent = (recovery.rate! * 100).toFixed(1);
    assert.equal(figure, `${recovery.numerator} of ${recovery.denominator} (${percent}\u00a0%)`);
    await check(page, 'admin');

    // The rates chart's table view, by keyboard.
    await tt.getByRole('button', { name: 'Show Talking Therapies rates as a table' }).focus();
    await page.keyboard.press('Enter');
    const table = tt.getByRole('table', { name: 'Talking Therapies rates' });
    await table.waitFor();
    const rows = await table.locator('tbody tr').all();
    assert.equal(rows.length, 5, 'five Talking Therapies rates');
    assert.deepEqual(await rows[0]!.locator('td').allTextContents(), [String(recovery.numerator), String(recovery.denominator), `${percent}\u00a0%`]);
    await check(page, 'admin-table');

    // The CSV with the same filters: a preset and the programme.
    await page.getByLabel('Period').selectOption('last90');
    await page.getByLabel('Programme').selectOption({ label: 'Adult talking therapies' });
    await page.getByRole('button', { name: 'Show the report' }).click();
    await page.waitForURL(/programmeId=/);
    const filtered = new URL(page.url()).searchParams;
    const link = new URL((await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href'))!, stack.url);
    assert.deepEqual(Object.fromEntries(link.searchParams), Object.fromEntries(filtered));
    const csv = await page.request.get(link.href);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'] ?? '', /^text\/csv/);
    assert.match((await csv.text()).split('\r\n')[0]!, /^section,metric,group,numerator,denominator,value$/);
    assert.deepEqual(problems, []);

    // Issue 6: the supervisor reaches outcomes by therapist from the supervision screen.
    const sup = await signIn(browser, stack, 'supervisor');
    await sup.page.getByRole('link', { name: 'Supervision', exact: true }).click();
    await sup.page.getByRole('heading', { level: 1, name: 'Supervision: alerts waiting' }).waitFor();
    await sup.page.getByRole('link', { name: 'Outcomes and alliance by therapist, in the outcome report' }).click();
    const heading = sup.page.getByRole('heading', { level: 2, name: 'Outcomes by therapist' });
    await heading.waitFor({ timeout: 30_000 });
    await sup.page.waitForFunction(() => document.activeElement?.id === 'by-therapist');
    const byTherapist = sup.page.getByRole('region', { name: 'Outcomes by therapist' });
    const named = await byTherapist.getByRole('table', { name: /Mean first-to-last PHQ-9 change per therapist/ }).locator('tbody th').allTextContents();
    assert.ok(named.length > 0, 'at least one consenting therapist is named');
    await check(sup.page, 'supervisor-by-therapist');
    assert.deepEqual(sup.problems, []);
  } finally {
    await browser.close();
    await stack.close();
  }
}

export const journeys: Journey[] = [
  { name: 'web: the admin reads the outcome report (a rate as n of N, its table by keyboard, CSV with the same filters); the supervisor reaches outcomes by therapist', run: reportsJourney },
];
