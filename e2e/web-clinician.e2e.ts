import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generate } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertNoAxeViolations, launchChromium, screenshot, startStack } from './harness';
import type { Journey } from './run';
import { alerts, appointments, episodes, programmes } from '../packages/server/src/db/schema';

/**
 * The clinician web app in real headless Chromium against the whole server: sign-in with MFA,
 * records (client, consent, episode, appointment, attendance), and administration (invite →
 * accept → sign in, programmes, settings, audit log, password reset). axe-core must find nothing on
 * every screen visited; every screen is saved to e2e/screenshots/web-*.png for review.
 */

const PASSWORD = 'correct horse battery staple';
const webDir = fileURLToPath(new URL('../packages/web/', import.meta.url));

/** Builds the app once per run unless dist is newer than every source file. */
let built = false;
function ensureWebBuilt(): void {
  if (built) return;
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
  const index = join(webDir, 'dist', 'index.html');
  if (!existsSync(index) || statSync(index).mtimeMs < newest(join(webDir, 'src'))) {
    execFileSync('npm', ['run', 'build', '-w', '@rapport/web'], { stdio: 'ignore', cwd: fileURLToPath(new URL('..', import.meta.url)) });
  }
  built = true;
}

type Stack = Awaited<ReturnType<typeof startStack>>;

async function withStack(run: (stack: Stack, browser: Browser) => Promise<void>): Promise<void> {
  ensureWebBuilt();
  const stack = await startStack();
  const browser = await launchChromium();
  try {
    await run(stack, browser);
  } finally {
    await browser.close();
    await stack.close();
  }
}

/** A browser context like a clinic desktop, failing on any page error or CSP violation. */
async function desktop(browser: Browser): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return { context, page, problems };
}

/** axe on the screen as it is, then a screenshot. */
async function check(page: Page, name: string): Promise<void> {
  await page.waitForSelector('.state-loading', { state: 'detached', timeout: 10_000 }).catch(() => undefined);
  await assertNoAxeViolations(page, name);
  await screenshot(page, `web-${name}`);
}

async function heading(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).waitFor({ timeout: 10_000 });
}

/** Signs in by keyboard only: Tab to the email field, type, Tab, type, Enter. */
async function signInByKeyboard(page: Page, email: string, password: string): Promise<void> {
  await heading(page, 'Sign in to Rapport');
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.getAttribute('name') === 'email')) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'email', 'Tab reaches the email field');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
}

const timeStep = (at = Date.now()) => Math.floor(at / 30_000);

async function mfaJourney(): Promise<void> {
  await withStack(async (stack, browser) => {
    const org = await stack.buildOrganisation({ name: 'Harbour Clinic', settings: { timeZone: 'UTC', colour: '#7A2E5C' } });
    const clinician = await stack.buildStaff(org.id, 'clinician', { email: 'sam@harbour.test', displayName: 'Sam Rivers', password: PASSWORD });
    const { page, problems } = await desktop(browser);

    // The first screen's JavaScript, as Chromium loads it: at most 200 KB gzip (issue 6).
    const scripts: Promise<Buffer>[] = [];
    page.on('response', (r) => {
      if (r.request().resourceType() === 'script') scripts.push(r.body());
    });
    await page.goto(`${stack.url}/`);
    await page.waitForURL(/\/sign-in$/);
    await check(page, 'sign-in');
    const bodies = await Promise.all(scripts);
    const gzipKb = bodies.reduce((sum, b) => sum + gzipSync(b, { level: 9 }).length, 0) / 1024;
    console.log(`  first screen JavaScript: ${bodies.length} file(s), ${(bodies.reduce((s, b) => s + b.length, 0) / 1024).toFixed(1)} KB raw, ${gzipKb.toFixed(1)} KB gzip`);
    assert.ok(bodies.length > 0 && gzipKb <= 200, `first screen JavaScript is ${gzipKb.toFixed(1)} KB gzip`);
    await signInByKeyboard(page, clinician.email, PASSWORD);
    await heading(page, 'Caseload');
    await page.getByText('No clients yet.').waitFor();
    await check(page, 'caseload-empty');

    // Header colour is the clinic's, applied without inline styles (CSP style-src 'self').
    const background = await page.evaluate(() => getComputedStyle(document.querySelector('.app-header')!).backgroundColor);
    assert.equal(background, 'rgb(122, 46, 92)');

    await page.getByRole('link', { name: 'Sam Rivers' }).click();
    await heading(page, 'My account');
    await check(page, 'account');
    await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    await heading(page, 'Set up two-step sign-in');
    await page.locator('img.qr').waitFor();
    await check(page, 'mfa-enrol');
    const secret = (await page.getByTestId('mfa-secret').textContent())!.trim();
    const enrolledStep = timeStep();
    await page.getByLabel('Then enter the 6-digit code the app shows').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await heading(page, 'Save your recovery codes');
    assert.equal(await page.locator('.recovery-codes li').count(), 10);
    await check(page, 'mfa-recovery-codes');
    await page.getByRole('button', { name: 'I have saved these codes' }).click();
    await page.getByText('Two-step sign-in is on.').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInByKeyboard(page, clinician.email, PASSWORD);
    await heading(page, 'Two-step sign-in');
    await check(page, 'mfa-verify');
    // A wrong code is refused next to the field.
    await page.getByLabel('Code', { exact: true }).fill('000000');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.locator('.field-error, .form-error').first().waitFor();
    await check(page, 'mfa-verify-error');
    // The server refuses a code from the step already used at enrolment: wait for the next one.
    while (timeStep() <= enrolledStep) await new Promise((r) => setTimeout(r, 500));
    await page.getByLabel('Code', { exact: true }).fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Continue' }).click();
    await heading(page, 'Caseload');
    assert.deepEqual(problems, []);

    // A clinic that requires two-step sign-in: enrolment comes straight after the password.
    const strict = await stack.buildOrganisation({ name: 'Strict Clinic', settings: { timeZone: 'UTC', mfaRequired: true } });
    const newcomer = await stack.buildStaff(strict.id, 'clinician', { email: 'ana@strict.test', displayName: 'Ana Strict', password: PASSWORD });
    const second = await desktop(browser);
    await second.page.goto(`${stack.url}/sign-in`);
    await signInByKeyboard(second.page, newcomer.email, PASSWORD);
    await heading(second.page, 'Set up two-step sign-in');
    await second.page.getByText('Your clinic asks everyone to use two-step sign-in.').waitFor();
    await check(second.page, 'mfa-enrol-required');
    const strictSecret = (await second.page.getByTestId('mfa-secret').textContent())!.trim();
    await second.page.getByLabel('Then enter the 6-digit code the app shows').fill(await generate({ secret: strictSecret }));
    await second.page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await heading(second.page, 'Save your recovery codes');
    await second.page.getByRole('button', { name: 'I have saved these codes' }).click();
    await heading(second.page, 'Caseload');
    assert.deepEqual(second.problems, []);
  });
}

/** `datetime-local` text for a moment, in the context's zone (UTC). */
const localInput = (d: Date) => d.toISOString().slice(0, 16);

async function recordsJourney(): Promise<void> {
  await withStack(async (stack, browser) => {
    const org = await stack.buildOrganisation({ name: 'Harbour Clinic', settings: { timeZone: 'UTC' } });
    const clinician = await stack.buildStaff(org.id, 'clinician', { email: 'kim@harbour.test', displayName: 'Kim Osei', password: PASSWORD });
    const { page, problems } = await desktop(browser);
    await page.goto(`${stack.url}/sign-in`);
    await signInByKeyboard(page, clinician.email, PASSWORD);
    await heading(page, 'Caseload');

    await page.getByRole('link', { name: 'Add a client' }).click();
    await heading(page, 'Add a client');
    await check(page, 'client-new');
    // The server's validation message lands next to the field it names.
    await page.getByRole('button', { name: 'Add client' }).click();
    const given = page.getByLabel('Given name');
    await page.waitForFunction(() => document.querySelector('input[name="givenName"]')?.getAttribute('aria-invalid') === 'true');
    assert.match((await page.locator('.field-invalid .field-error').first().textContent())!, /required/i);
    await check(page, 'client-new-error');
    await given.fill('Ada');
    await page.getByLabel('Family name').fill('Lovelace');
    await page.getByLabel('Email address').fill('ada@example.test');
    await page.getByRole('button', { name: 'Add client' }).click();
    await heading(page, 'Ada Lovelace');
    await check(page, 'client');

    // Consent to email, with who and when.
    await page.getByRole('button', { name: 'Record consent to Email' }).click();
    await page.getByRole('button', { name: 'Record withdrawal from Email' }).waitFor();
    await page.getByText(/by Kim Osei/).waitFor();

    // Open an episode.
    await page.getByRole('button', { name: 'Open episode' }).click();
    await page.getByText(/open since/).waitFor();

    // An appointment that has just started, then attendance from Today.
    const start = new Date(Date.now() - 60_000);
    await page.getByLabel('Date and time', { exact: true }).fill(localInput(start));
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    await page.locator('.appointment').first().waitFor();
    // And one next week, moved by a day.
    const later = new Date(Date.now() + 7 * 86_400_000);
    later.setUTCHours(10, 0, 0, 0);
    await page.getByLabel('Date and time', { exact: true }).fill(localInput(later));
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('.appointment').length === 2);
    await page.getByRole('button', { name: 'Move' }).first().click();
    const moved = new Date(later.getTime() + 86_400_000);
    await page.getByLabel('New date and time').fill(localInput(moved));
    await page.getByRole('button', { name: 'Move appointment' }).click();
    await page.getByLabel('New date and time').waitFor({ state: 'detached' });
    await check(page, 'client-with-records');

    await page.getByRole('link', { name: 'Today' }).click();
    await heading(page, 'Today');
    const group = page.getByRole('group', { name: 'Attendance for Ada Lovelace' });
    await group.waitFor();
    await check(page, 'today');
    await group.getByRole('button', { name: 'Attended' }).click();
    await page.waitForFunction(() => document.querySelector('[role="group"] button[aria-pressed="true"]')?.textContent === 'Attended');
    await check(page, 'today-attended');

    // The caseload lists the client with the next appointment.
    await page.getByRole('link', { name: 'Caseload' }).click();
    await heading(page, 'Caseload');
    const row = page.getByRole('row', { name: /Ada Lovelace/ });
    await row.waitFor();
    assert.doesNotMatch((await row.textContent())!, /None booked/);
    await check(page, 'caseload');

    // The same screen in French.
    await page.getByRole('button', { name: 'Français' }).click();
    await heading(page, 'Patientèle');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
    await check(page, 'caseload-fr');
    assert.deepEqual(problems, []);
  });
}

/**
 * Issue 6: the caseload ranks what needs attention (urgent alert, then questionnaire due, then the
 * rest by next appointment) from one request, says the tier in words, and filters and searches.
 */
async function triageJourney(): Promise<void> {
  await withStack(async (stack, browser) => {
    const org = await stack.buildOrganisation({ name: 'Harbour Clinic', settings: { timeZone: 'UTC' } });
    const clinician = await stack.buildStaff(org.id, 'clinician', { email: 'ria@harbour.test', displayName: 'Ria Moss', password: PASSWORD });
    const team = [clinician.userId];
    const routine = await stack.buildClient(org.id, { givenName: 'Ada', familyName: 'Lovelace' }, team);
    const due = await stack.buildClient(org.id, { givenName: 'Grace', familyName: 'Hopper' }, team);
    const urgent = await stack.buildClient(org.id, { givenName: 'Alan', familyName: 'Turing' }, team);
    await stack.buildClient(org.id, { givenName: 'Someone', familyName: 'Else' });
    await stack.db.insert(appointments).values({ orgId: org.id, clientId: routine.id, clinicianId: clinician.userId, startsAt: new Date(Date.now() + 2 * 86_400_000) });
    await stack.buildAssignment(org.id, due.id);
    await stack.db.insert(alerts).values({ orgId: org.id, clientId: urgent.id, kind: 'risk_item', urgent: true, evidenceKey: 'e2e', evidence: {}, rulesVersion: 'e2e' });
    const [programme] = await stack.db.insert(programmes).values({ orgId: org.id, name: 'Adult service' }).returning();
    await stack.db.insert(episodes).values({ orgId: org.id, clientId: routine.id, primaryClinicianId: clinician.userId, programmeId: programme!.id, presentingProblem: 'depression', startedOn: new Date().toISOString().slice(0, 10) });

    const { page, problems } = await desktop(browser);
    const apiCalls: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/api/v1/')) apiCalls.push(path);
    });
    await page.goto(`${stack.url}/sign-in`);
    await signInByKeyboard(page, clinician.email, PASSWORD);
    await heading(page, 'Caseload');
    const table = page.getByRole('table', { name: 'Clients, those needing attention first' });
    const names = async () => table.getByRole('rowheader').getByRole('link').allTextContents();
    await page.waitForFunction(() => document.querySelectorAll('table.data tbody tr').length === 3);
    assert.deepEqual(await names(), ['Alan Turing', 'Grace Hopper', 'Ada Lovelace']);
    const rows = table.getByRole('row');
    assert.match((await rows.nth(1).textContent())!, /Urgent alert/);
    assert.match((await rows.nth(2).textContent())!, /Questionnaire due/);
    assert.match((await rows.nth(3).textContent())!, /Routine/);
    assert.doesNotMatch((await rows.nth(3).textContent())!, /None booked/);
    // One request for the list: nothing per client.
    assert.deepEqual(apiCalls.filter((p) => p.startsWith('/api/v1/clients')), []);
    assert.equal(apiCalls.filter((p) => p === '/api/v1/caseload').length, 1);
    await check(page, 'caseload-triage');

    await page.getByLabel('Needs attention').selectOption('urgent');
    await page.waitForFunction(() => document.querySelectorAll('table.data tbody tr').length === 1);
    assert.deepEqual(await names(), ['Alan Turing']);
    await page.getByLabel('Needs attention').selectOption('due');
    await page.waitForFunction(() => document.querySelector('table.data tbody th a')?.textContent === 'Grace Hopper');
    await page.getByLabel('Needs attention').selectOption('all');
    await page.getByLabel('In programme').selectOption({ label: 'Adult service' });
    await page.waitForFunction(() => document.querySelectorAll('table.data tbody tr').length === 1 && document.querySelector('table.data tbody th a')?.textContent === 'Ada Lovelace');
    await page.getByLabel('In programme').selectOption('');
    await page.getByLabel('Search by name').fill('love');
    await page.waitForFunction(() => document.querySelectorAll('table.data tbody tr').length === 1 && document.querySelector('table.data tbody th a')?.textContent === 'Ada Lovelace');
    await page.getByLabel('Search by name').fill('nobody at all');
    await page.getByText('No client matches this search.').waitFor();
    await check(page, 'caseload-no-match');
    assert.deepEqual(problems, []);
  });
}

async function adminJourney(): Promise<void> {
  await withStack(async (stack, browser) => {
    const org = await stack.buildOrganisation({ name: 'Harbour Clinic', settings: { timeZone: 'UTC' } });
    const admin = await stack.buildStaff(org.id, 'admin', { email: 'lee@harbour.test', displayName: 'Lee Admin', password: PASSWORD });
    const client = await stack.buildClient(org.id, { givenName: 'Grace', familyName: 'Hopper' });
    const { page, problems } = await desktop(browser);
    await page.goto(`${stack.url}/sign-in`);
    await signInByKeyboard(page, admin.email, PASSWORD);
    await heading(page, 'Caseload');

    await page.getByRole('link', { name: 'Staff' }).click();
    await heading(page, 'Staff');
    await check(page, 'admin-users');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.locator('.field-invalid').first().waitFor();
    await check(page, 'admin-users-error');
    await page.getByLabel('Email address').fill('robin@harbour.test');
    await page.getByLabel('Name', { exact: true }).fill('Robin Clinician');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText('Invitation sent to robin@harbour.test.').waitFor();
    await page.getByRole('rowheader', { name: /Robin Clinician/ }).waitFor();
    const [mail] = await stack.smtp.waitFor(1);
    const link = /(http:\/\/\S+\/accept-invitation#token=\S+)/.exec(mail!.text)?.[1];
    assert.ok(link, 'the invitation email carries the accept link');

    await page.getByRole('link', { name: 'Programmes' }).click();
    await heading(page, 'Programmes');
    await page.getByLabel('Name', { exact: true }).fill('Adult IAPT');
    await page.getByRole('button', { name: 'Add programme' }).click();
    await page.getByRole('heading', { level: 2, name: 'Adult IAPT' }).waitFor();
    await check(page, 'admin-programmes');

    await page.getByRole('link', { name: 'Clinic settings' }).click();
    await heading(page, 'Clinic settings');
    await check(page, 'admin-settings');
    await page.getByLabel('Clinic colour', { exact: true }).fill('not a colour');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForFunction(() => document.querySelector('.field-invalid input')?.getAttribute('aria-invalid') === 'true');
    await check(page, 'admin-settings-error');
    await page.getByLabel('Clinic colour', { exact: true }).fill('#1D5C3A');
    await page.getByLabel('Crisis resources').fill('Call 999, or Samaritans on 116 123.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor();
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.app-header')!).backgroundColor), 'rgb(29, 92, 58)');
    // Escalation: the on-call supervisor (active supervisors and admins only) and Saturday as a working day.
    await page.getByLabel('On-call supervisor').selectOption({ label: 'Lee Admin (Administrator)' });
    await page.getByRole('checkbox', { name: 'Saturday' }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor();
    await page.reload();
    await heading(page, 'Clinic settings');
    assert.equal(await page.getByLabel('On-call supervisor').inputValue(), admin.userId);
    assert.equal(await page.getByRole('checkbox', { name: 'Saturday' }).isChecked(), true);

    await page.goto(`${stack.url}/clients/${client.id}`);
    await heading(page, 'Grace Hopper');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await heading(page, 'Audit log: Grace Hopper');
    await page.getByRole('cell', { name: 'client.read' }).first().waitFor();
    await check(page, 'admin-client-audit');
    assert.deepEqual(problems, []);

    // The invited clinician accepts in their own browser and signs in.
    const invitee = await desktop(browser);
    await invitee.page.goto(link!);
    await heading(invitee.page, 'Join your clinic on Rapport');
    assert.doesNotMatch(invitee.page.url(), /token=/, 'the token leaves the address bar');
    await check(invitee.page, 'accept-invitation');
    await invitee.page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await invitee.page.getByLabel('Repeat the new password').fill('a brand new passphrase');
    await invitee.page.getByRole('button', { name: 'Create my account' }).click();
    await invitee.page.getByText('Your account is ready.').waitFor();
    await invitee.page.getByRole('link', { name: 'Sign in now' }).click();
    await signInByKeyboard(invitee.page, 'robin@harbour.test', 'a brand new passphrase');
    await heading(invitee.page, 'Caseload');
    // A clinician sees no administration.
    assert.equal(await invitee.page.getByRole('link', { name: 'Staff' }).count(), 0);
    await invitee.page.goto(`${stack.url}/admin/settings`);
    await heading(invitee.page, 'Your role cannot open this page');

    // Forgot password → email → reset → sign in with the new password.
    await invitee.page.getByRole('button', { name: 'Sign out' }).click();
    await heading(invitee.page, 'Sign in to Rapport');
    await invitee.page.getByRole('link', { name: 'Forgot your password?' }).click();
    await heading(invitee.page, 'Reset your password');
    await check(invitee.page, 'forgot-password');
    await invitee.page.getByLabel('Email address').fill('robin@harbour.test');
    await invitee.page.getByRole('button', { name: 'Send the link' }).click();
    await invitee.page.getByText(/a link is on its way/).waitFor();
    const resetMail = (await stack.smtp.waitFor(2)).find((m) => /reset-password#token=/.test(m.text));
    const resetLink = /(http:\/\/\S+\/reset-password#token=\S+)/.exec(resetMail!.text)![1]!;
    await invitee.page.goto(resetLink);
    await heading(invitee.page, 'Choose a new password');
    await check(invitee.page, 'reset-password');
    await invitee.page.getByLabel('New password', { exact: true }).fill('another long passphrase');
    await invitee.page.getByLabel('Repeat the new password').fill('another long passphrase');
    await invitee.page.getByRole('button', { name: 'Save the new password' }).click();
    await invitee.page.getByText('Your password is changed.').waitFor();
    await invitee.page.getByRole('link', { name: 'Sign in now' }).click();
    await signInByKeyboard(invitee.page, 'robin@harbour.test', 'another long passphrase');
    await heading(invitee.page, 'Caseload');
    assert.deepEqual(invitee.problems, []);
  });
}

export const journeys: Journey[] = [
  { name: 'web: sign in, enrol in two-step sign-in, sign in again with a TOTP code; required enrolment at first sign-in', run: mfaJourney },
  { name: 'web: add a client, consent, episode and appointments, record attendance from Today', run: recordsJourney },
  { name: 'web: triage the caseload: urgent alert, questionnaire due, then by next appointment, from one request; filter and search', run: triageJourney },
  { name: 'web: an admin invites a clinician (email over SMTP), who accepts, signs in and resets the password', run: adminJourney },
];
