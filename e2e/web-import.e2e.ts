import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { appointments, clients } from '../packages/server/src/db/schema';
import { assertNoAxeViolations, launchChromium, screenshot, startStack } from './harness';
import type { Journey } from './run';

/**
 * Issue 7 item 7 in real headless Chromium: an admin checks a clients CSV (a dry run: the report
 * names row 3's date of birth and nothing is written), imports the valid rows only, then imports
 * appointments from an iCalendar file after a clean check. The upload goes by XMLHttpRequest with
 * NDJSON progress, under the app's strict CSP. axe-core must find nothing; screenshots go to
 * e2e/screenshots/web-import-*.png.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const webDir = join(root, 'packages/web');
function ensureWebBuilt(): void {
  const newest = (dir: string): number => readdirSync(dir, { withFileTypes: true }).reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
  const index = join(webDir, 'dist', 'index.html');
  if (!existsSync(index) || statSync(index).mtimeMs < newest(join(webDir, 'src'))) execFileSync('npm', ['run', 'build', '-w', '@rapport/web'], { stdio: 'ignore', cwd: root });
}

const PASSWORD = 'import journey password 1';

async function importJourney(): Promise<void> {
  ensureWebBuilt();
  const stack = await startStack();
  const org = await stack.buildOrganisation({ name: 'Import Clinic' });
  const admin = await stack.buildStaff(org.id, 'admin', { password: PASSWORD });
  const clinician = await stack.buildStaff(org.id, 'clinician');
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    await page.goto(`${stack.url}/sign-in`);
    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Caseload' }).waitFor({ timeout: 15_000 });

    await page.getByRole('link', { name: 'Import', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Import data' }).waitFor();
    const csv = ['given_name,family_name,email,date_of_birth,clinician_email', `Ada,Lovelace,ada@mail.test,1990-12-10,${clinician.email}`, 'Bob,Stone,bob@mail.test,10/12/1990,', 'Cy,Young,cy@mail.test,,'].join('\r\n');
    await page.getByLabel('CSV file').setInputFiles({ name: 'clients.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Check file' }).click();
    const report = page.getByRole('region', { name: 'Report' });
    await report.waitFor();
    assert.match(await report.getByRole('status').innerText(), /^3 rows: 2 valid, 1 invalid, 0 already in the clinic \(skipped\)\. This was a check: nothing was written\./);
    assert.equal(await report.getByRole('row').nth(1).innerText().then((t) => t.replace(/\s+/g, ' ').trim()), '3 date_of_birth Row 3, column date_of_birth: not a date (expected YYYY-MM-DD). invalid_value');
    assert.equal((await stack.db.select().from(clients).where(eq(clients.orgId, org.id))).length, 0);
    await assertNoAxeViolations(page, 'import report');
    await screenshot(page, 'web-import-check');

    await page.getByLabel('If some rows are invalid').selectOption('valid-only');
    await page.getByLabel('Check only (dry run): validate every row, write nothing').uncheck();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('2 rows imported.', { exact: false }).waitFor();
    const imported = await stack.db.select().from(clients).where(eq(clients.orgId, org.id));
    assert.deepEqual(imported.map((c) => c.givenName).sort(), ['Ada', 'Cy']);

    await page.getByLabel('What to import').selectOption('appointments');
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VEVENT',
      'UID:e1',
      'DTSTART:20270110T100000Z',
      'DTEND:20270110T105000Z',
      `ORGANIZER:mailto:${clinician.email}`,
      'ATTENDEE:mailto:ada@mail.test',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:e2',
      'DTSTART;TZID=Europe/Paris:20270111T090000',
      'DURATION:PT1H',
      `ORGANIZER:mailto:${clinician.email}`,
      'ATTENDEE:mailto:cy@mail.test',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    await page.getByLabel('CSV or iCalendar (.ics) file').setInputFiles({ name: 'diary.ics', mimeType: 'text/calendar', buffer: Buffer.from(ics) });
    await page.getByLabel('If some rows are invalid').selectOption('all-or-nothing');
    await page.getByLabel('Check only (dry run): validate every row, write nothing').check();
    await page.getByRole('button', { name: 'Check file' }).click();
    await page.getByRole('button', { name: 'Import the 2 valid rows now' }).click();
    await page.getByText('2 rows imported.', { exact: false }).waitFor();
    const booked = await stack.db.select().from(appointments).where(eq(appointments.orgId, org.id));
    assert.deepEqual(booked.map((a) => a.startsAt.toISOString()).sort(), ['2027-01-10T10:00:00.000Z', '2027-01-11T08:00:00.000Z']);
    await assertNoAxeViolations(page, 'import done');
    await screenshot(page, 'web-import-done');
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await stack.close();
  }
}

export const journeys: Journey[] = [{ name: 'an admin checks a clients CSV, imports the valid rows, then appointments from iCal', run: importJourney }];
