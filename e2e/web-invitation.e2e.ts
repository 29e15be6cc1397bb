import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertNoAxeViolations, launchChromium, screenshot, startStack } from './harness';
import type { Journey } from './run';

/**
 * Someone who already works at one clinic is invited by the admin of another, in real headless
 * Chromium: the admin sees only the name they typed (nothing of the other clinic), and the invitee's
 * accept screen asks for the password they already sign in with (one field, a forgot-password link),
 * refuses a wrong one, and joins with the right one. axe-core must find nothing; screenshots go to
 * e2e/screenshots/web-invitation-*.png.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const webDir = join(root, 'packages/web');
function ensureWebBuilt(): void {
  const newest = (dir: string): number => readdirSync(dir, { withFileTypes: true }).reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
  const index = join(webDir, 'dist', 'index.html');
  if (!existsSync(index) || statSync(index).mtimeMs < newest(join(webDir, 'src'))) execFileSync('npm', ['run', 'build', '-w', '@rapport/web'], { stdio: 'ignore', cwd: root });
}

const ADMIN_PASSWORD = 'riverside admin passphrase';
const OWN_PASSWORD = 'my own harbour passphrase';

async function existingAccountJourney(): Promise<void> {
  ensureWebBuilt();
  const stack = await startStack();
  const harbour = await stack.buildOrganisation({ name: 'Harbour Clinic' });
  const riverside = await stack.buildOrganisation({ name: 'Riverside Clinic' });
  const person = await stack.buildStaff(harbour.id, 'clinician', { email: 'sam@harbour.test', displayName: 'Dr Private Elsewhere', password: OWN_PASSWORD });
  const admin = await stack.buildStaff(riverside.id, 'admin', { displayName: 'Lee Admin', password: ADMIN_PASSWORD });
  const browser = await launchChromium();
  try {
    const open = async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
      });
      return { page, problems };
    };

    // The admin of Riverside invites an address that has an account at Harbour.
    const { page, problems } = await open();
    await page.goto(`${stack.url}/sign-in`);
    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Caseload' }).waitFor({ timeout: 15_000 });
    await page.getByRole('link', { name: 'Staff', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
    await page.getByLabel('Email address').fill(person.email);
    await page.getByLabel('Name', { exact: true }).fill('Sam Typed');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText(`Invitation sent to ${person.email}.`).waitFor();
    await page.getByRole('rowheader', { name: /Sam Typed/ }).waitFor();
    assert.doesNotMatch(await page.locator('body').innerText(), /Dr Private Elsewhere/, 'nothing of the other clinic reaches the inviting admin');
    const [mail] = await stack.smtp.waitFor(1);
    const link = /(http:\/\/\S+\/accept-invitation#token=\S+)/.exec(mail!.text)?.[1];
    assert.ok(link, 'the invitation email carries the accept link');

    // The invitee is asked for the password they already have, and only that.
    const invitee = await open();
    await invitee.page.goto(link!);
    await invitee.page.getByRole('heading', { level: 1, name: 'Join your clinic on Rapport' }).waitFor({ timeout: 15_000 });
    await invitee.page.getByText('You already have a Rapport account: sign in with your current password to join Riverside Clinic.', { exact: false }).waitFor();
    assert.doesNotMatch(invitee.page.url(), /token=/, 'the token leaves the address bar');
    assert.equal(await invitee.page.getByLabel('New password', { exact: false }).count(), 0);
    assert.equal(await invitee.page.getByRole('link', { name: /Forgot your password/ }).getAttribute('href'), '/forgot-password');
    await assertNoAxeViolations(invitee.page, 'accept invitation (existing account)');
    await screenshot(invitee.page, 'web-invitation-existing');

    await invitee.page.getByLabel('Current password').fill('not my password at all');
    await invitee.page.getByRole('button', { name: 'Join Riverside Clinic' }).click();
    await invitee.page.getByText('That is not the password you sign in with.').waitFor();
    await assertNoAxeViolations(invitee.page, 'accept invitation (wrong password)');
    await screenshot(invitee.page, 'web-invitation-wrong-password');

    await invitee.page.getByLabel('Current password').fill(OWN_PASSWORD);
    await invitee.page.getByRole('button', { name: 'Join Riverside Clinic' }).click();
    await invitee.page.getByText('You have joined Riverside Clinic.', { exact: false }).waitFor();
    await assertNoAxeViolations(invitee.page, 'accept invitation (joined)');

    // The same link again (a fresh load: only the fragment would differ): a clear message, no form.
    await invitee.page.goto('about:blank');
    await invitee.page.goto(link!);
    await invitee.page.getByText('This invitation has expired or was already used.', { exact: false }).waitFor();
    assert.equal(await invitee.page.getByLabel('Current password').count(), 0);
    await assertNoAxeViolations(invitee.page, 'accept invitation (used)');
    await screenshot(invitee.page, 'web-invitation-used');

    // Once they have joined, Riverside sees the colleague as they are.
    await page.reload();
    await page.getByRole('rowheader', { name: /Dr Private Elsewhere/ }).waitFor();
    assert.deepEqual([...problems, ...invitee.problems], []);
  } finally {
    await browser.close();
    await stack.close();
  }
}

export const journeys: Journey[] = [{ name: 'someone with an account at another clinic joins with the password they have', run: existingAccountJourney }];
