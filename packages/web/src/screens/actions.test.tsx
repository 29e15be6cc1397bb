import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import axe from 'axe-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setFetcher } from '../api/client';
import { App } from '../app/App';
import { navigate } from '../app/router';
import { fakeApi } from '../test/fake-api';
import { channelOptions, zonedTimeToUtc } from './client/SendQuestionnaire';

const me = {
  user: { id: '00000000-0000-4000-8000-000000000001', email: 'morgan@clinic.test', displayName: 'Morgan Clinician', mfaEnabled: false, locale: 'en' },
  organisation: { id: '00000000-0000-4000-8000-000000000002', name: 'Harbour Clinic' },
  role: 'clinician',
  stage: 'full',
  organisations: [],
};
const at = '2026-11-18T16:00:00.000Z';
const clientBody = { id: 'c1', givenName: 'Ada', familyName: 'Lovelace', preferredName: null, status: 'active', email: 'ada@example.test', mobile: null, language: 'en', timeZone: 'Europe/Paris', dateOfBirth: null, externalRef: null, createdAt: at, updatedAt: at };
const summary = (id: string, shortName: string, name: string, respondent = 'client') => ({ id, shortName, name, respondent, itemCount: 9, direction: 'higher-is-worse', range: { min: 0, max: 27 }, licenceStatus: 'public-domain', validated: true, source: 'built-in', wordingAvailable: true });
const instruments = [summary('phq9', 'PHQ-9', 'Patient Health Questionnaire-9'), summary('gad7', 'GAD-7', 'Generalised Anxiety Disorder-7'), summary('rapport_alliance_therapist', 'TA', 'Therapist alliance', 'clinician')];
const consent = (channel: 'email' | 'sms', granted: boolean) => ({ channel, granted, source: 'staff', recordedBy: null, recordedAt: at, note: null });
const assignment = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  clientId: 'c1',
  episodeId: null,
  appointmentId: null,
  instrumentIds: ['phq9'],
  respondent: 'client',
  channel: 'email',
  status: 'scheduled',
  scheduledFor: '2030-03-05T22:30:00.000Z',
  sentAt: null,
  completedAt: null,
  expiresAt: null,
  cancelledAt: null,
  cancelReason: null,
  deliveryProblem: null,
  messages: [],
  ...over,
});

type Routes = Parameters<typeof fakeApi>[0];
function clientPage(routes: Routes = {}) {
  return fakeApi({
    'GET /api/v1/me': { status: 200, body: me },
    'GET /api/v1/organisation': { status: 404, body: { error: { code: 'not_found', message: 'x' } } },
    'GET /api/v1/clients/c1': { status: 200, body: clientBody },
    'GET /api/v1/clients/c1/ratings/pending': { status: 200, body: { items: [] } },
    'GET /api/v1/clients/c1/alerts': { status: 200, body: { items: [], nextCursor: null } },
    'GET /api/v1/clients/c1/consents': { status: 200, body: { current: [consent('email', true)], history: [] } },
    'GET /api/v1/clients/c1/assignments': { status: 200, body: { items: [] } },
    'GET /api/v1/instruments': { status: 200, body: { items: instruments } },
    ...routes,
  });
}

/** The Actions panel once its form and list have loaded. */
async function actionsPanel() {
  const heading = await screen.findByRole('heading', { name: 'Send or schedule a questionnaire' }, { timeout: 10_000 });
  const section = heading.closest('section')!;
  await within(section).findByRole('radio', { name: 'Email' });
  return section;
}

vi.setConfig({ testTimeout: 30_000 });
beforeEach(() => navigate('/clients/c1', { replace: true }));
afterEach(() => setFetcher((...args) => fetch(...args)));

describe('zonedTimeToUtc', () => {
  it.each([
    ['2030-03-05T23:30', 'Europe/Paris', '2030-03-05T22:30:00.000Z'], // winter, UTC+1
    ['2030-07-05T23:30', 'Europe/Paris', '2030-07-05T21:30:00.000Z'], // summer, UTC+2
    ['2030-01-10T09:00', 'America/New_York', '2030-01-10T14:00:00.000Z'],
    ['2030-03-31T02:30', 'Europe/Paris', '2030-03-31T01:30:00.000Z'], // skipped by the clock change: moves to 03:30 local
    ['2030-06-01T12:00', 'UTC', '2030-06-01T12:00:00.000Z'],
  ])('reads %s in %s as %s', (local, zone, iso) => {
    expect(zonedTimeToUtc(local, zone).toISOString()).toBe(iso);
  });
});

describe('channelOptions', () => {
  it('offers only consented channels that can reach the client, with the reason for the others', () => {
    expect(channelOptions({ email: 'a@example.test', mobile: null }, [consent('email', true), consent('sms', true)])).toEqual([
      { channel: 'email', why: null },
      { channel: 'sms', why: 'actions.why.noMobile' },
      { channel: 'kiosk', why: null },
    ]);
    expect(channelOptions({ email: null, mobile: '+447700900123' }, [consent('email', true), consent('sms', false)])).toEqual([
      { channel: 'email', why: 'actions.why.noEmail' },
      { channel: 'sms', why: 'actions.why.noConsent' },
      { channel: 'kiosk', why: null },
    ]);
  });
});

describe('send or schedule a questionnaire', () => {
  it('disables channels without consent and says why', async () => {
    clientPage();
    render(<App />);
    const panel = await actionsPanel();
    expect(within(panel).getByRole('radio', { name: 'Email' })).toHaveProperty('checked', true);
    const sms = within(panel).getByRole('radio', { name: /Text message/ });
    expect(sms).toHaveProperty('disabled', true);
    expect(sms.closest('label')!.textContent).toContain('off: the client has not consented to it');
    expect(within(panel).getByRole('radio', { name: /kiosk/ })).toHaveProperty('disabled', false);
  });

  it('schedules in the client’s time zone, says when quiet hours move the message, and lists it', async () => {
    const created = assignment('a1', { instrumentIds: ['phq9', 'gad7'] });
    let listed: unknown[] = [];
    const calls = clientPage({
      'GET /api/v1/clients/c1/assignments': () => ({ status: 200, body: { items: listed } }),
      'POST /api/v1/clients/c1/assignments': () => {
        listed = [created];
        return { status: 201, body: { assignment: created, sendAt: '2030-03-06T07:00:00.000Z' } };
      },
    });
    render(<App />);
    const panel = await actionsPanel();
    await within(panel).findByText('No questionnaire is waiting for this client.');
    fireEvent.click(within(panel).getByRole('checkbox', { name: 'PHQ-9 — Patient Health Questionnaire-9' }));
    fireEvent.click(within(panel).getByRole('checkbox', { name: 'GAD-7 — Generalised Anxiety Disorder-7' }));
    fireEvent.click(within(panel).getByRole('radio', { name: 'Later' }));
    fireEvent.change(within(panel).getByLabelText('Date and time (Europe/Paris)'), { target: { value: '2030-03-05T23:30' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Schedule' }));
    await within(panel).findByText('Scheduled for 5 Mar 2030, 23:30, client’s time. That is within the client’s quiet hours, so the message will go at 6 Mar 2030, 08:00.');
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ instrumentIds: ['phq9', 'gad7'], scheduledFor: '2030-03-05T22:30:00.000Z', channel: 'email' }]);
    const row = (await within(panel).findByRole('rowheader', { name: 'PHQ-9, GAD-7' })).closest('tr')!;
    expect(within(row).getByText('Scheduled')).toBeTruthy();
    expect(within(row).getByText('5 Mar 2030, 23:30')).toBeTruthy();
  });

  it('asks for an instrument and a future time before calling the API', async () => {
    const calls = clientPage();
    render(<App />);
    const panel = await actionsPanel();
    fireEvent.click(within(panel).getByRole('button', { name: 'Send now' }));
    await within(panel).findByText('Choose at least one questionnaire.');
    fireEvent.click(within(panel).getByRole('checkbox', { name: 'PHQ-9 — Patient Health Questionnaire-9' }));
    fireEvent.click(within(panel).getByRole('radio', { name: 'Later' }));
    const when = within(panel).getByLabelText('Date and time (Europe/Paris)');
    fireEvent.change(when, { target: { value: '2020-01-01T10:00' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Schedule' }));
    await within(panel).findByText('Choose a time in the future, or send now.');
    expect(when.getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
  });

  it('says when a message sent now waits for the end of the client’s quiet hours', async () => {
    clientPage({ 'POST /api/v1/clients/c1/assignments': { status: 201, body: { assignment: assignment('a3', { scheduledFor: '2030-03-05T22:30:00.000Z' }), sendAt: '2030-03-06T07:00:00.000Z' } } });
    render(<App />);
    const panel = await actionsPanel();
    fireEvent.click(within(panel).getByRole('checkbox', { name: 'PHQ-9 — Patient Health Questionnaire-9' }));
    fireEvent.click(within(panel).getByRole('button', { name: 'Send now' }));
    await within(panel).findByText('It is the client’s quiet hours now, so the message will go at 6 Mar 2030, 08:00.');
  });

  it('shows the server’s refusal of a channel on the channel group', async () => {
    clientPage({ 'POST /api/v1/clients/c1/assignments': { status: 400, body: { error: { code: 'no_consent', field: 'channel', message: 'The client has not consented to email.' } } } });
    render(<App />);
    const panel = await actionsPanel();
    fireEvent.click(within(panel).getByRole('checkbox', { name: 'PHQ-9 — Patient Health Questionnaire-9' }));
    fireEvent.click(within(panel).getByRole('button', { name: 'Send now' }));
    await within(panel).findByText('The client has not consented to email.');
  });

  it('makes a clinician questionnaire without a channel', async () => {
    const calls = clientPage({ 'POST /api/v1/clients/c1/assignments': { status: 201, body: { assignment: assignment('a2', { respondent: 'clinician', channel: 'in_session', instrumentIds: ['rapport_alliance_therapist'] }), sendAt: null } } });
    render(<App />);
    const panel = await actionsPanel();
    fireEvent.click(within(panel).getByRole('radio', { name: 'Me (a clinician-rated questionnaire)' }));
    expect(within(panel).queryByRole('radio', { name: 'Email' })).toBeNull();
    expect(within(panel).queryByRole('button', { name: 'Hand the device to the client' })).toBeNull();
    fireEvent.click(within(panel).getByRole('checkbox', { name: 'TA — Therapist alliance' }));
    fireEvent.click(within(panel).getByRole('button', { name: 'Create' }));
    await within(panel).findByText('Created. It appears under “Rate the session” once it is due.');
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ instrumentIds: ['rapport_alliance_therapist'], channel: 'in_session' }]);
  });
});

describe('questionnaires waiting', () => {
  it('cancels, resends and gives a kiosk code, each on its own row', async () => {
    let items = [
      assignment('s1', { status: 'scheduled' }),
      assignment('s2', { status: 'sent', instrumentIds: ['gad7'], sentAt: '2030-03-01T09:00:00.000Z' }),
      assignment('s3', { status: 'scheduled', channel: 'kiosk', instrumentIds: ['phq9', 'gad7'] }),
      assignment('s4', { status: 'scheduled', respondent: 'clinician', channel: 'in_session', instrumentIds: ['rapport_alliance_therapist'] }),
    ];
    const calls = clientPage({
      'GET /api/v1/clients/c1/assignments': () => ({ status: 200, body: { items: [...items, assignment('done', { status: 'completed' })] } }),
      'POST /api/v1/clients/c1/assignments/s1/cancel': () => {
        items = items.filter((a) => a.id !== 's1');
        return { status: 200, body: assignment('s1', { status: 'cancelled' }) };
      },
      'POST /api/v1/clients/c1/assignments/s2/resend': { status: 202, body: { assignment: items[1], sendAt: '2030-03-02T07:00:00.000Z' } },
      'POST /api/v1/clients/c1/assignments/s3/kiosk-code': { status: 201, body: { code: '493021', expiresAt: '2030-03-02T08:00:00.000Z' } },
    });
    render(<App />);
    const panel = await actionsPanel();
    const table = await within(panel).findByRole('table');
    expect(within(table).getAllByRole('row')).toHaveLength(5); // header + four open ones; the completed one is not waiting
    const clinicianRow = within(table).getByRole('rowheader', { name: 'TA' }).closest('tr')!;
    expect(within(clinicianRow).getByText('A clinician answers it in Rapport')).toBeTruthy();
    expect(within(clinicianRow).getAllByRole('button').map((b) => b.textContent)).toEqual(['Cancel TA']);
    // Only a questionnaire sent by a message can be resent; only the kiosk one gets a code.
    expect(within(table).getAllByRole('button', { name: /^Resend/ }).map((b) => b.textContent)).toEqual(['Resend GAD-7']);
    fireEvent.click(within(table).getByRole('button', { name: 'Resend GAD-7' }));
    await within(panel).findByText('Sent again: GAD-7. The message goes at 2 Mar 2030, 08:00.');
    fireEvent.click(within(table).getByRole('button', { name: 'Kiosk code PHQ-9, GAD-7' }));
    await within(panel).findByText('Kiosk code: 493021 (valid until 2 Mar 2030, 09:00).');
    fireEvent.click(within(panel).getByRole('button', { name: 'Cancel PHQ-9' }));
    await within(panel).findByText('Cancelled: PHQ-9.');
    await waitFor(() => expect(within(panel).getAllByRole('row')).toHaveLength(4));
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.url)).toEqual([
      '/api/v1/clients/c1/assignments/s2/resend',
      '/api/v1/clients/c1/assignments/s3/kiosk-code',
      '/api/v1/clients/c1/assignments/s1/cancel',
    ]);
  });

  it('shows an error with a retry when the list cannot load', async () => {
    clientPage({ 'GET /api/v1/clients/c1/assignments': { status: 500, body: { error: { code: 'internal', message: 'x' } } } });
    render(<App />);
    const panel = await actionsPanel();
    const alert = await within(panel).findByRole('alert');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('has no axe violations with the form and a list', async () => {
    clientPage({ 'GET /api/v1/clients/c1/assignments': { status: 200, body: { items: [assignment('s1'), assignment('s2', { status: 'sent', deliveryProblem: null })] } } });
    render(<App />);
    const panel = await actionsPanel();
    await within(panel).findByRole('table');
    fireEvent.click(within(panel).getByRole('radio', { name: 'Later' }));
    // jsdom draws nothing, so contrast is checked in Chromium by the e2e journeys instead.
    expect((await axe.run(panel, { rules: { 'color-contrast': { enabled: false } } })).violations).toEqual([]);
  });
});
