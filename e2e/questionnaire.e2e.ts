import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { alerts, clientConsents, organisations, responses } from '../packages/server/src/db/schema';
import { assertNoAxeViolations, launchChromium, screenshot, startStack } from './harness';
import type { Journey } from './run';

const phone = { viewport: { width: 390, height: 844 }, locale: 'en-GB' };

/** The PHQ-9 answers of this journey: item 9 endorsed ("several days"). */
const ANSWERS = [1, 2, 1, 0, 2, 1, 0, 1, 1];

/** Tabs from the current focus into the next radio group and picks `value` (the first option is 0). */
async function answerNext(page: Page, value: number): Promise<void> {
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  for (let i = 0; i < value; i++) await page.keyboard.press('ArrowDown');
}

async function markOf(page: Page, item: number): Promise<string> {
  return (await page.textContent(`fieldset[data-key="phq9.phq9_${item}"] .mark`))?.trim() ?? '';
}

async function waitForMark(page: Page, item: number, text: string): Promise<void> {
  await page.waitForFunction(
    ([key, expected]) => document.querySelector(`fieldset[data-key="${key}"] .mark`)?.textContent === expected,
    [`phq9.phq9_${item}`, text] as const,
    { timeout: 10_000 },
  );
}

/** Nothing the client answered may sit in the browser: no storage, no cookie but the session id. */
async function assertNoAnswersStored(context: BrowserContext, page: Page): Promise<void> {
  const storage = await page.evaluate(async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    indexedDb: (await indexedDB.databases()).length,
  }));
  assert.deepEqual(storage, { local: 0, session: 0, indexedDb: 0 });
  const cookies = await context.cookies();
  assert.deepEqual(
    cookies.map((c) => c.name),
    ['rapport_q'],
  );
  for (const c of cookies) assert.doesNotMatch(c.value, /phq9|answer/i);
}

async function skipToQuestions(page: Page): Promise<void> {
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('href')), '#questions');
  await page.keyboard.press('Enter');
}

async function linkJourney(): Promise<void> {
  const stack = await startStack();
  const browser = await launchChromium();
  try {
    // A clinic, a clinician and a client who consented to email.
    const org = await stack.buildOrganisation({ name: 'Riverside Therapy', settings: { timeZone: 'UTC', quietHours: { start: '00:00', end: '00:00' } } });
    const clinician = await stack.buildStaff(org.id, 'clinician');
    const client = await stack.buildClient(org.id, { email: 'client@example.test' }, [clinician.userId]);
    await stack.db.insert(clientConsents).values({ orgId: org.id, clientId: client.id, channel: 'email', granted: true, recordedBy: clinician.userId, recordedAt: new Date() });

    // The clinician sends the PHQ-9 now; the job sends the email to the local SMTP server.
    const sent = await fetch(`${stack.url}/api/v1/clients/${client.id}/assignments`, {
      method: 'POST',
      headers: { cookie: clinician.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ instrumentIds: ['phq9'] }),
    });
    assert.equal(sent.status, 201, await sent.text());
    await stack.jobs.drain();
    const [mail] = await stack.smtp.waitFor(1);
    assert.deepEqual(mail!.to, ['client@example.test']);
    assert.doesNotMatch(mail!.text, /PHQ|depress/i);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/q\/[A-Za-z0-9_-]+)(?!\/stop)\s/.exec(mail!.text)?.[1];
    assert.ok(link, `no questionnaire link in:\n${mail!.text}`);
    const token = link.split('/q/')[1]!;

    // The link page itself (script blocked so it stays put) passes axe.
    const probe = await browser.newContext(phone);
    await probe.route('**/q/app.js*', (route) => route.abort());
    const probePage = await probe.newPage();
    await probePage.goto(link);
    await assertNoAxeViolations(probePage, 'the link page');
    await screenshot(probePage, '1-link-page');
    await probe.close();

    // Open the link: the script posts the token and the address bar ends at /q.
    const first = await browser.newContext(phone);
    let page = await first.newPage();
    await page.goto(link);
    await page.waitForSelector('#questions');
    assert.equal(new URL(page.url()).pathname, '/q');
    assert.ok(!page.url().includes(token));
    await assertNoAxeViolations(page, 'the questionnaire');
    await screenshot(page, '2-form');

    // Answer items 1–4 by keyboard; each shows "Saved".
    await skipToQuestions(page);
    for (let item = 1; item <= 4; item++) {
      await answerNext(page, ANSWERS[item - 1]!);
      await waitForMark(page, item, 'Saved');
    }
    assert.equal(await page.textContent('#progress'), '4 of 9 answered');

    // The network drops: item 5 is kept on the page, marked "not saved yet".
    await first.setOffline(true);
    await answerNext(page, ANSWERS[4]!);
    await waitForMark(page, 5, 'Not saved yet');
    assert.equal(await page.isVisible('#net'), true);
    assert.equal(await page.textContent('#progress'), '5 of 9 answered');
    await assertNoAxeViolations(page, 'the questionnaire offline');
    await screenshot(page, '3-offline');
    const [whileOffline] = await stack.db.select().from(responses).where(eq(responses.clientId, client.id));
    assert.equal(whileOffline!.answers.phq9_5, undefined);

    // The network returns: item 5 is saved.
    await first.setOffline(false);
    await waitForMark(page, 5, 'Saved');
    const [afterOnline] = await stack.db.select().from(responses).where(eq(responses.clientId, client.id));
    assert.deepEqual(afterOnline!.answers, { phq9_1: 1, phq9_2: 2, phq9_3: 1, phq9_4: 0, phq9_5: 2 });
    await assertNoAnswersStored(first, page);

    // Close everything and open the link again in a new browser context: the answers are there.
    await page.close();
    await first.close();
    const second = await browser.newContext(phone);
    page = await second.newPage();
    await page.goto(link);
    await page.waitForSelector('#questions');
    for (let item = 1; item <= 5; item++) {
      assert.equal(await page.isChecked(`input[name="phq9.phq9_${item}"][value="${ANSWERS[item - 1]}"]`), true, `item ${item} restored`);
      assert.equal(await markOf(page, item), 'Saved');
    }
    assert.equal(await page.textContent('#progress'), '5 of 9 answered');

    // Finish by keyboard: skip link, Tab past the five answered groups, answer 6–9 and the difficulty item, submit.
    await skipToQuestions(page);
    for (let item = 1; item <= 5; item++) await page.keyboard.press('Tab');
    for (let item = 6; item <= 9; item++) {
      await answerNext(page, ANSWERS[item - 1]!);
      await waitForMark(page, item, 'Saved');
    }
    await answerNext(page, 1);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLButtonElement | null)?.type), 'submit');
    await page.keyboard.press('Enter');

    // Item 9 was endorsed: the thank-you page shows the crisis resources (the clinic set none: the default).
    await page.waitForSelector('.crisis', { timeout: 10_000 });
    assert.equal(new URL(page.url()).pathname, '/q');
    assert.match((await page.textContent('h1')) ?? '', /Thank you/);
    assert.match((await page.textContent('.crisis')) ?? '', /call your local emergency number now/);
    await assertNoAxeViolations(page, 'the thank-you page with crisis resources');
    await screenshot(page, '4-crisis');
    await assertNoAnswersStored(second, page);

    // The clinician's urgent alert exists, in the same transaction as the scored response.
    const riskAlerts = await stack.db.select().from(alerts).where(and(eq(alerts.clientId, client.id), eq(alerts.kind, 'risk_item')));
    assert.equal(riskAlerts.length, 1);
    assert.equal(riskAlerts[0]!.urgent, true);
    const completed = await stack.db.select().from(responses).where(and(eq(responses.clientId, client.id), eq(responses.status, 'completed')));
    assert.equal(completed.length, 1);
    assert.equal(completed[0]!.total, String(ANSWERS.reduce((a, b) => a + b, 0)));
    const alertsApi = await fetch(`${stack.url}/api/v1/clients/${client.id}/alerts`, { headers: { cookie: clinician.cookie } });
    assert.equal(alertsApi.status, 200);
    assert.match(await alertsApi.text(), new RegExp(riskAlerts[0]!.id));

    // The used link now shows the friendly page; so does a tampered one.
    const third = await browser.newContext(phone);
    page = await third.newPage();
    await page.goto(link);
    await page.waitForSelector('h1');
    assert.equal(await page.textContent('h1'), 'This link does not work any more');
    await assertNoAxeViolations(page, 'the invalid-link page');
    await screenshot(page, '5-invalid-link');

    // The stop page from the email's stop link.
    await page.goto(`${link}/stop`);
    await assertNoAxeViolations(page, 'the stop page');
    await screenshot(page, '6-stop');
    await third.close();
    await second.close();

    const [settings] = await stack.db.select({ s: organisations.settings }).from(organisations).where(eq(organisations.id, org.id));
    assert.equal(settings!.s.crisisResources, null);
  } finally {
    await browser.close();
    await stack.close();
  }
}

async function kioskJourney(): Promise<void> {
  const stack = await startStack();
  const browser = await launchChromium();
  try {
    const org = await stack.buildOrganisation({ name: 'Riverside Therapy' });
    const admin = await stack.buildStaff(org.id, 'admin');
    const clinician = await stack.buildStaff(org.id, 'clinician');
    const client = await stack.buildClient(org.id, {}, [clinician.userId]);
    const assignment = await stack.buildAssignment(org.id, client.id, { channel: 'kiosk', status: 'scheduled', sentAt: null, expiresAt: null });

    // An admin registers the waiting-room tablet; opening the set-up address stores its cookie.
    const registered = await fetch(`${stack.url}/api/v1/kiosk-devices`, { method: 'POST', headers: { cookie: admin.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Waiting room' }) });
    assert.equal(registered.status, 201);
    const { setupUrl } = (await registered.json()) as { setupUrl: string };
    const tablet = await browser.newContext({ viewport: { width: 800, height: 1100 }, locale: 'en-GB' });
    const page = await tablet.newPage();
    await page.goto(setupUrl);
    await page.waitForSelector('a[href="/kiosk"]');
    assert.ok(!page.url().includes('token'), page.url());
    assert.deepEqual((await tablet.cookies()).map((c) => c.name), ['rapport_kiosk']);
    await assertNoAxeViolations(page, 'the kiosk set-up page');

    // The code screen; a wrong code is refused with a message, the clinician's code opens the form.
    await page.goto(`${stack.url}/kiosk`);
    await assertNoAxeViolations(page, 'the kiosk code screen');
    const made = await fetch(`${stack.url}/api/v1/clients/${client.id}/assignments/${assignment.id}/kiosk-code`, { method: 'POST', headers: { cookie: clinician.cookie } });
    const { code } = (await made.json()) as { code: string };
    await page.keyboard.press('Tab');
    await page.keyboard.type(code === '000000' ? '111111' : '000000');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[role=alert]');
    await assertNoAxeViolations(page, 'the kiosk code screen with an error');
    await screenshot(page, '7-kiosk-wrong-code');
    await page.focus('#code');
    await page.keyboard.type(code);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#questions');
    assert.equal(await page.$('a[href="/q/stop"]'), null);

    await skipToQuestions(page);
    for (let item = 1; item <= 9; item++) {
      await answerNext(page, 0);
      await waitForMark(page, item, 'Saved');
    }
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('a[href="/kiosk"]', { timeout: 10_000 });
    assert.match((await page.textContent('main')) ?? '', /You can leave this screen now/);
    assert.equal(await page.$('.crisis'), null);
    await assertNoAxeViolations(page, 'the kiosk thank-you page');
    await screenshot(page, '8-kiosk-done');

    // The thank-you page is shown once: the next person starts from the code screen.
    await page.goto(`${stack.url}/q`);
    assert.equal(await page.textContent('h1'), 'This link does not work any more');
    const [row] = await stack.db.select().from(responses).where(and(eq(responses.clientId, client.id), eq(responses.status, 'completed')));
    assert.equal(row!.channel, 'kiosk');
    await tablet.close();
  } finally {
    await browser.close();
    await stack.close();
  }
}

export const journeys: Journey[] = [
  { name: 'email link → PHQ-9 by keyboard, offline and back, resume elsewhere, crisis page, alert', run: linkJourney },
  { name: 'kiosk: set-up link, wrong then right code, PHQ-9 by keyboard, thank-you shown once', run: kioskJourney },
];
