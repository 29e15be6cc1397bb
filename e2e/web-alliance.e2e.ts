import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedDemo, DEMO_PASSWORD } from '../packages/server/src/demo/demo.seed';
import { assertNoAxeViolations, launchChromium, screenshot, startStack } from './harness';
import type { Journey } from './run';

/**
 * Issue 5/6 journeys in real headless Chromium over the seeded demo clinic: read a client's
 * symptom and alliance charts (and their table views), rate a session blind in at most 8 key
 * presses and then see the client's rating and the gap, acknowledge and resolve an alert, and an
 * admin edits a protocol with its preview. axe-core must find nothing on each screen; screenshots
 * go to e2e/screenshots/web-alliance-*.png.
 */

const webDir = fileURLToPath(new URL('../packages/web/', import.meta.url));
function ensureWebBuilt(): void {
  const newest = (dir: string): number => readdirSync(dir, { withFileTypes: true }).reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
  const index = join(webDir, 'dist', 'index.html');
  if (!existsSync(index) || statSync(index).mtimeMs < newest(join(webDir, 'src'))) {
    execFileSync('npm', ['run', 'build', '-w', '@rapport/web'], { stdio: 'ignore', cwd: fileURLToPath(new URL('..', import.meta.url)) });
  }
}

type Stack = Awaited<ReturnType<typeof startStack>>;
async function withDemo(run: (stack: Stack, browser: Browser) => Promise<void>): Promise<void> {
  ensureWebBuilt();
  const stack = await startStack();
  await seedDemo(stack.db, { now: new Date() });
  const browser = await launchChromium();
  try {
    await run(stack, browser);
  } finally {
    await browser.close();
    await stack.close();
  }
}

async function signedIn(browser: Browser, stack: Stack, who: 'jordan' | 'morgan' | 'admin' | 'supervisor'): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
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
  return { context, page, problems };
}

async function check(page: Page, name: string): Promise<void> {
  await page.waitForSelector('.state-loading', { state: 'detached', timeout: 15_000 }).catch(() => undefined);
  await assertNoAxeViolations(page, name);
  await screenshot(page, `web-alliance-${name}`);
}

/** A client of the signed-in clinician whose latest alliance session is hidden until they rate it. */
async function clientWithBlindSession(page: Page, url: string): Promise<{ id: string; name: string }> {
  const clients = (await (await page.request.get(`${url}/api/v1/clients?limit=100`)).json()) as { items: { id: string; givenName: string; familyName: string }[] };
  for (const c of clients.items) {
    const a = (await (await page.request.get(`${url}/api/v1/clients/${c.id}/alliance`)).json()) as { episodes: { measures: { sessions: { clientHidden: boolean }[] }[] }[] };
    const sessions = a.episodes.at(-1)?.measures[0]?.sessions ?? [];
    if (sessions.at(-1)?.clientHidden) return { id: c.id, name: `${c.givenName} ${c.familyName}` };
  }
  throw new Error('the demo has no client with a blind session for this clinician');
}

async function chartsAndBlindRating(): Promise<void> {
  await withDemo(async (stack, browser) => {
    const { page, problems } = await signedIn(browser, stack, 'jordan');
    const client = await clientWithBlindSession(page, stack.url);
    await page.goto(`${stack.url}/clients/${client.id}`);
    await page.getByRole('heading', { level: 1, name: client.name }).waitFor();

    // Both charts are drawn on canvas (hidden from assistive technology), each with its summary.
    await page.locator('#symptoms-h ~ * canvas').first().waitFor({ timeout: 15_000 });
    await page.locator('#alliance-h ~ * canvas').first().waitFor({ timeout: 15_000 });
    const summaries = await page.locator('.chart-summary').allTextContents();
    assert.ok(summaries.some((s) => /^PHQ-9: \d+ scores/.test(s)), `a PHQ-9 summary under its display name: ${summaries.join(' | ')}`);
    assert.ok(summaries.some((s) => /sessions with alliance ratings/.test(s) && /stay hidden until you rate/.test(s)), 'the alliance summary says a rating is hidden');
    assert.equal(await page.locator('.chart-canvas').first().getAttribute('aria-hidden'), 'true');
    await check(page, 'client-charts');

    // The table view, by keyboard.
    const toggle = page.getByRole('button', { name: 'Show PHQ-9 as a table' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    const table = page.getByRole('table', { name: 'PHQ-9 scores by session' });
    await table.waitFor();
    assert.ok((await table.locator('tbody tr').count()) >= 2, 'the table lists the scores');
    await page.getByRole('button', { name: 'Show Alliance per session as a table' }).click();
    const allianceTable = page.getByRole('table', { name: /Alliance ratings by session/ });
    await allianceTable.waitFor();
    assert.match((await allianceTable.locator('tbody tr').last().textContent()) ?? '', /Rate this session first/, 'the hidden session says rate first, not the score');
    await check(page, 'client-tables');

    // Rate blind: the item comparison names no client score yet.
    assert.match((await page.locator('.notice').textContent()) ?? '', /stays hidden until you give yours/);
    await page.locator('.notice').getByRole('link', { name: 'Rate this session first' }).click();
    await page.getByRole('heading', { level: 1, name: 'Rate this session' }).waitFor();
    await page.locator('fieldset.scale').first().waitFor();
    await check(page, 'rate');
    const items = await page.locator('fieldset.scale').count();
    assert.equal(items, 4, 'our alliance check has four items');
    // Focus starts on the first item: one digit per item moves on, Enter saves.
    const presses = ['8', '7', '9', '8', 'Enter'];
    for (const key of presses) {
      await page.keyboard.press(key);
      await page.waitForTimeout(80);
    }
    assert.ok(presses.length <= 8, `${presses.length} key presses`);
    await page.getByRole('heading', { level: 1, name: client.name }).waitFor({ timeout: 15_000 });

    // Now the client's rating and the gap are shown.
    const comparison = page.getByRole('table', { name: /the client’s answers and yours/ });
    await comparison.waitFor({ timeout: 15_000 });
    const rows = await comparison.locator('tbody tr').allTextContents();
    assert.equal(rows.length, 4);
    assert.ok(rows.every((r) => /\d+ %.*\d+ %.*[+-]?\d+/.test(r)), `client, therapist and gap per item: ${rows.join(' | ')}`);
    assert.match(rows.map((r) => r).join(), /80 %|70 %|90 %|100 %|60 %|50 %/);
    await check(page, 'after-rating');

    // The responses panel: the client's newest response not yet discussed opens to its answers and is marked discussed.
    await openResponsesAndMarkDiscussed(page, 'Talked the answers through together.');
    await check(page, 'responses-discussed');

    assert.deepEqual(problems, []);

    // The demo's client who endorsed a risk item (Jordan's or Morgan's): the row says so in words, not only colour.
    let risky = await clientWithRiskResponse(page, stack.url);
    let riskView: { page: Page; problems: string[] } = { page, problems };
    if (!risky) {
      riskView = await signedIn(browser, stack, 'morgan');
      risky = await clientWithRiskResponse(riskView.page, stack.url);
    }
    // The demo always has one (demo.responses.test.ts: exactly one endorsed PHQ-9 item 9).
    assert.ok(risky, 'neither Jordan nor Morgan has the demo client who endorsed a risk item');
    const p = riskView.page;
    await p.goto(`${stack.url}/clients/${risky.id}`);
    await p.getByRole('heading', { level: 1, name: risky.name }).waitFor();
    const panel = p.locator('section', { has: p.getByRole('heading', { level: 2, name: 'Responses' }) });
    const entry = panel.locator('li', { hasText: 'Risk item endorsed' }).first();
    await entry.waitFor({ timeout: 15_000 });
    const disclosure = entry.getByRole('button').first();
    await disclosure.focus();
    await p.keyboard.press('Enter');
    assert.equal(await disclosure.getAttribute('aria-expanded'), 'true');
    const riskRow = entry.locator('tr.row-flag');
    await riskRow.first().waitFor();
    assert.match((await riskRow.first().textContent()) ?? '', /⚠ Risk item: endorsed/);
    await check(p, 'responses-risk');
    assert.deepEqual(riskView.problems, []);
  });
}

/**
 * Opens the client's newest response not yet discussed in the client page's Responses panel, by
 * keyboard, and marks it discussed with a note. The demo's follow-up history has marked about half
 * the older results discussed, so the entry is picked by position (marking it adds a badge, the
 * list keeps its order).
 */
async function openResponsesAndMarkDiscussed(page: Page, note: string): Promise<void> {
  const panel = page.locator('section', { has: page.getByRole('heading', { level: 2, name: 'Responses' }) });
  const entries = panel.locator('li.response-entry');
  await entries.first().waitFor({ timeout: 15_000 });
  let index = -1;
  for (let i = 0; i < (await entries.count()) && index < 0; i++) {
    // The clinician's own ratings say "rated by"; the client's answers do not.
    const e = entries.nth(i);
    if (!/rated by/.test((await e.textContent()) ?? '') && (await e.locator('.badge', { hasText: /^Discussed$/ }).count()) === 0) index = i;
  }
  assert.ok(index >= 0, 'a client response not yet discussed');
  const entry = entries.nth(index);
  const disclosure = entry.getByRole('button').first();
  assert.equal(await disclosure.getAttribute('aria-expanded'), 'false');
  await disclosure.focus();
  await page.keyboard.press('Enter');
  assert.equal(await disclosure.getAttribute('aria-expanded'), 'true');
  const answers = entry.getByRole('table', { name: /the answers item by item/ });
  await answers.waitFor();
  assert.ok((await answers.locator('tbody tr').count()) >= 1, 'the answers are listed');
  await entry.getByLabel('Note (optional)').fill(note);
  await entry.getByRole('button', { name: 'Mark as discussed' }).click();
  await entry.getByText(/Discussed with client on .+ by /).waitFor({ timeout: 15_000 });
  assert.equal(await entry.getByRole('button', { name: 'Mark as discussed' }).count(), 0);
}

/** A client of the signed-in clinician with a response whose risk item was endorsed, if the demo made one. */
async function clientWithRiskResponse(page: Page, url: string): Promise<{ id: string; name: string } | null> {
  const clients = (await (await page.request.get(`${url}/api/v1/clients?limit=100`)).json()) as { items: { id: string; givenName: string; familyName: string }[] };
  for (const c of clients.items) {
    const list = (await (await page.request.get(`${url}/api/v1/clients/${c.id}/responses?limit=10`)).json()) as { items: { flags: { riskEndorsed: boolean } }[] };
    if (list.items.some((r) => r.flags.riskEndorsed)) return { id: c.id, name: `${c.givenName} ${c.familyName}` };
  }
  return null;
}

async function alertLifecycle(): Promise<void> {
  await withDemo(async (stack, browser) => {
    const { page, problems } = await signedIn(browser, stack, 'morgan');
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    await page.locator('.alert-card').first().waitFor({ timeout: 15_000 });
    await check(page, 'inbox');
    // The demo's follow-up history has acknowledged most older alerts, so the inbox's first card may
    // already be acknowledged: show only the open ones and take the first, pinned by its id (the
    // card stays in the list, in its place, once acknowledged).
    const openLoaded = page.waitForResponse((r) => /\/api\/v1\/alerts\?.*status=open/.test(r.url()));
    await page.getByLabel('Show', { exact: true }).selectOption('open');
    await openLoaded;
    // The list keeps the previous filter's cards until the new ones arrive: wait for open cards only.
    await page.waitForFunction(() => {
      const cards = [...document.querySelectorAll('.alert-card')];
      return cards.length > 0 && cards.every((c) => /· Open\b/.test(c.querySelector('p.muted')?.textContent ?? ''));
    }, undefined, { timeout: 15_000 });
    const first = page.locator('.alert-card').first();
    const headingId = (await first.getAttribute('aria-labelledby')) ?? '';
    assert.match(headingId, /^alert-/, 'an alert card names its heading');
    const alertId = headingId.slice('alert-'.length);
    const card = page.locator(`.alert-card[aria-labelledby="${headingId}"]`);
    const listed = async (status: 'open' | 'acknowledged') => ((await (await page.request.get(`${stack.url}/api/v1/alerts?status=${status}&limit=200`)).json()) as { items: { id: string }[] }).items.some((a) => a.id === alertId);
    assert.ok(await listed('open'), 'the alert picked is open on the server');
    assert.match((await card.locator('p.muted').first().textContent()) ?? '', /· Open\b/);
    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await card.getByText(/Acknowledged · acknowledged/).waitFor();
    assert.equal(await card.getByRole('button', { name: 'Acknowledge' }).count(), 0);
    assert.ok(await listed('acknowledged'), 'the server has it acknowledged');
    assert.ok(!(await listed('open')), 'and no longer open');
    await card.getByRole('button', { name: 'Resolve…' }).click();
    // The note is required: the server's message lands next to the field.
    await card.getByRole('button', { name: 'Resolve the alert' }).click();
    await card.getByText('This field is required.').waitFor();
    await card.getByLabel('Action taken').selectOption('safety_plan');
    await card.getByLabel('Note').fill('Safety plan agreed in session; GP informed.');
    await card.getByRole('button', { name: 'Resolve the alert' }).click();
    await card.getByText('Resolved: Safety plan — Safety plan agreed in session; GP informed.').waitFor();
    await check(page, 'alert-resolved');
    assert.deepEqual(problems, []);

    const sup = await signedIn(browser, stack, 'supervisor');
    await sup.page.goto(`${stack.url}/supervision`);
    await sup.page.getByRole('heading', { level: 1, name: 'Supervision: alerts waiting' }).waitFor();
    await check(sup.page, 'supervision');
    // From Staff, a supervisor opens the calibration of a therapist who shares it; another does not share.
    await sup.page.getByRole('link', { name: 'Staff', exact: true }).click();
    await sup.page.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
    await sup.page.getByRole('link', { name: 'Calibration of Dr Morgan Reyes' }).click();
    await sup.page.getByRole('heading', { level: 1, name: 'Calibration: Dr Morgan Reyes' }).waitFor();
    await sup.page.getByText(/^On average Dr Morgan Reyes rates the alliance/).waitFor({ timeout: 15_000 });
    await check(sup.page, 'supervisor-calibration');
    await sup.page.getByRole('link', { name: 'Back to staff' }).click();
    await sup.page.getByRole('link', { name: 'Calibration of Jordan Lee' }).click();
    await sup.page.getByText(/^Not shared by this therapist\./).waitFor({ timeout: 15_000 });
    await check(sup.page, 'supervisor-calibration-not-shared');
    assert.deepEqual(sup.problems, []);
    const cal = await signedIn(browser, stack, 'jordan');
    await cal.page.getByRole('link', { name: 'My calibration' }).click();
    await cal.page.getByRole('heading', { level: 1, name: 'My calibration' }).waitFor();
    await cal.page.getByText('What the gap means and what to do').waitFor({ timeout: 15_000 });
    await check(cal.page, 'calibration');
    // The therapist chooses to share it with supervisors, by keyboard.
    await cal.page.getByRole('checkbox', { name: 'Let this clinic’s supervisors and admins see my calibration report' }).focus();
    await cal.page.keyboard.press('Space');
    await cal.page.getByText(/^Shared: this clinic’s supervisors and admins can open your report\./).waitFor();
    assert.deepEqual(cal.problems, []);
  });
}

async function adminEditsProtocol(): Promise<void> {
  await withDemo(async (stack, browser) => {
    const { page, problems } = await signedIn(browser, stack, 'admin');
    await page.getByRole('link', { name: 'Protocols' }).click();
    await page.getByRole('heading', { level: 1, name: 'Measurement protocols' }).waitFor();
    const name = page.getByLabel('Name', { exact: true });
    await name.waitFor({ timeout: 15_000 });
    await name.fill('Brief check-ins, revised');
    await page.getByRole('button', { name: 'Add a rule' }).click();
    await page.getByLabel('Rule code').last().fill('gad7-every-4');
    await page.getByLabel('Questionnaires').last().fill('gad7');
    await page.getByLabel('When').last().selectOption('every_nth');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('table', { name: /What a client would receive/ });
    await preview.waitFor({ timeout: 15_000 });
    assert.ok((await preview.locator('tbody tr').count()) >= 6, 'the preview lists what goes out');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved. New appointments follow the new rules.').waitFor();
    await check(page, 'protocol-editor');
    await page.getByRole('link', { name: 'Content packs' }).click();
    await page.getByRole('heading', { level: 1, name: 'Licensed content packs' }).waitFor();
    await check(page, 'content-packs');
    // Custom instruments, next to content packs: the library's refusal names the item; a valid one is listed.
    await page.getByRole('link', { name: 'Custom instruments' }).click();
    await page.getByRole('heading', { level: 1, name: 'Custom instruments' }).waitFor();
    const scale = { kind: 'options', options: [0, 1, 2, 3].map((value) => ({ value, label: { en: `Level ${value}` } })) };
    const definition = {
      id: 'clinic_sleep',
      version: '1.0.0',
      names: { short: 'Sleep check', full: 'Clinic sleep check' },
      construct: 'Sleep quality',
      respondent: 'client',
      timeFrame: 'last week',
      items: [1, 2, 3].map((n) => ({ id: `clinic_sleep_${n}`, text: { en: `Sleep question ${n}` }, response: scale })),
      scoring: { method: 'sum', missing: { rule: 'none', source: 'clinic convention' } },
      range: { min: 0, max: 9 },
      direction: 'higher-is-worse',
      licence: { status: 'clinic-owned', mayShipWording: true, source: 'clinic' },
      citation: 'Our clinic, 2026.',
      validation: { status: 'not-validated', warning: { en: 'Not validated.' } },
    };
    const box = page.getByLabel('Or paste the definition (JSON)');
    await box.waitFor({ timeout: 15_000 });
    const { text: _dropped, ...unworded } = definition.items[1]!;
    await box.fill(JSON.stringify({ ...definition, items: [definition.items[0], unworded, definition.items[2]] }));
    await page.getByRole('button', { name: 'Check and upload' }).click();
    await page.getByText('Where: items.clinic_sleep_2').waitFor();
    await check(page, 'custom-instruments-error');
    await box.fill(JSON.stringify(definition));
    await page.getByRole('button', { name: 'Check and upload' }).click();
    await page.getByText('Sleep check version 1 is now in use.').waitFor();
    await page.getByText('Can be chosen in protocols and questionnaires as clinic_sleep: 3 items, answered by the client.').waitFor();
    await check(page, 'custom-instruments');
    assert.deepEqual(problems, []);
  });
}

export const journeys: Journey[] = [
  { name: 'web: open a client and read the symptom and alliance charts and their tables; rate the session blind in ≤ 8 key presses, then see the client’s rating and the gap; open a response’s answers, mark it discussed, see a risk item marked', run: chartsAndBlindRating },
  { name: 'web: acknowledge and resolve an alert with an action and a note; supervision view; my calibration', run: alertLifecycle },
  { name: 'web: an admin edits a protocol, previews it and saves it; content packs', run: adminEditsProtocol },
];
