import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setFetcher } from '../api/client';
import { App } from '../app/App';
import { navigate } from '../app/router';
import { fakeApi } from '../test/fake-api';
import { browserNavigation } from './client/ActionsPanel';

const me = {
  user: { id: '00000000-0000-4000-8000-000000000001', email: 'morgan@clinic.test', displayName: 'Morgan Clinician', mfaEnabled: false, locale: 'en' },
  organisation: { id: '00000000-0000-4000-8000-000000000002', name: 'Harbour Clinic' },
  role: 'clinician',
  stage: 'full',
  organisations: [],
};
const signedIn = { 'GET /api/v1/me': { status: 200, body: me }, 'GET /api/v1/organisation': { status: 404, body: { error: { code: 'not_found', message: 'x' } } } };
const at = '2026-11-18T16:00:00.000Z';
const side = (percent: number) => ({ responseId: `r${percent}`, score: percent * 0.4, percent, submittedAt: at });
const session = (n: number, client: number | null, therapist: number | null, hidden = false) => ({
  sessionNumber: n,
  appointmentId: `ap${n}`,
  date: at,
  client: hidden || client === null ? null : side(client),
  clientHidden: hidden,
  therapist: therapist === null ? null : { ...side(therapist), userId: me.user.id },
  gap:
    client !== null && therapist !== null && !hidden
      ? { therapistMinusClientPercent: therapist - client, direction: 'therapist_above', therapistAboveAlert: therapist - client > 10, thresholdPercent: 10, items: [{ clientItemId: 'rapport_alliance_bond', therapistItemId: 'rapport_alliance_therapist_bond', clientPercent: client, therapistPercent: therapist, gapPercent: therapist - client, direction: 'therapist_above' }] }
      : null,
  rupture: n === 2 ? { rupture: 'lenient', rule: 'previous_drop', score: 20, priorMean: 28, lenientThreshold: 25, strictThreshold: null, repair: { status: 'repaired', repairedAt: 3 } } : { rupture: 'none', rule: 'none', score: null, priorMean: null, lenientThreshold: null, strictThreshold: null, repair: null },
});
const alliance = (hidden: boolean) => ({
  clientId: 'c1',
  ratingsOwed: hidden ? [{ appointmentId: 'ap3', blindUntil: at }] : [],
  episodes: [{ episodeId: 'e1', startedOn: '2026-09-01', endedOn: null, measures: [{ clientInstrumentId: 'rapport_alliance', therapistInstrumentId: 'rapport_alliance_therapist', range: { min: 0, max: 40 }, sessions: [session(1, 70, 75), session(2, 50, 80), hidden ? session(3, 82, null, true) : session(3, 82, 90)], ruptures: [], gapTrend: { label: 'stable' } }] }],
  rulesVersion: '1',
});
const clientBody = { id: 'c1', givenName: 'Ada', familyName: 'Lovelace', preferredName: null, status: 'active', email: null, mobile: null, language: 'en', timeZone: null, dateOfBirth: null, externalRef: null, createdAt: at, updatedAt: at };
const pending = { assignmentId: 'as3', appointmentId: 'ap3', appointmentStartsAt: at, episodeId: 'e1', instrumentIds: ['rapport_alliance_therapist'], dueSince: at, blindUntil: at };
const options = Array.from({ length: 11 }, (_, v) => ({ value: v, label: { en: String(v) } }));
const instrument = { id: 'rapport_alliance_therapist', version: '1', definition: { id: 'rapport_alliance_therapist', names: { short: 'A', full: 'A' }, items: ['goals', 'tasks', 'bond', 'overall'].map((k) => ({ id: `t_${k}`, text: { en: `Item ${k}` }, response: { kind: 'options', options }, required: true })) } };

function clientPage(hidden: boolean, extra: Record<string, unknown> = {}) {
  return fakeApi({
    ...signedIn,
    'GET /api/v1/clients/c1': { status: 200, body: clientBody },
    'GET /api/v1/clients/c1/alliance': { status: 200, body: alliance(hidden) },
    'GET /api/v1/clients/c1/ratings/pending': { status: 200, body: { items: hidden ? [pending] : [] } },
    'GET /api/v1/clients/c1/assignments': { status: 200, body: { items: [] } },
    'GET /api/v1/clients/c1/alerts': { status: 200, body: { items: [], nextCursor: null } },
    ...(extra as Record<string, { status: number; body?: unknown }>),
  });
}

// The client page makes a dozen requests; on a loaded machine the first render can pass 5 s.
vi.setConfig({ testTimeout: 30_000 });

beforeEach(() => navigate('/clients/c1', { replace: true }));
afterEach(() => setFetcher((...args) => fetch(...args)));

describe('alliance panel', () => {
  it('keeps the client’s rating of an unrated session hidden and asks the clinician to rate it first', async () => {
    clientPage(true);
    render(<App />);
    const notice = await screen.findByText(/stays hidden until you give yours/, {}, { timeout: 10_000 });
    expect(within(notice).getByRole('link', { name: 'Rate this session first' }).getAttribute('href')).toBe('/clients/c1/rate/as3');
    expect(screen.getByText(/1 client ratings stay hidden until you rate those sessions/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Show Alliance per session as a table' }));
    const rows = within(screen.getByRole('table', { name: /Alliance ratings by session/ })).getAllByRole('row').slice(1);
    expect(rows[2]!.textContent).toContain('Rate this session first');
    expect(rows[2]!.textContent).not.toContain('82');
    expect(rows[1]!.textContent).toContain('Rupture · repaired');
  });

  it('shows both ratings and the gap item by item once the session is rated', async () => {
    clientPage(false);
    render(<App />);
    const table = await screen.findByRole('table', { name: /Session 3: the client’s answers and yours/ }, { timeout: 10_000 });
    expect(within(table).getByRole('row', { name: /Bond/ }).textContent).toBe('Bond82 %90 %+8');
    expect(screen.getByText(/At session 3 the client rated 82 % and you rated 90 % \(gap \+8 points/)).toBeTruthy();
  });

  it('marks the chart canvas aria-hidden and switches to the table by its button', async () => {
    clientPage(false);
    render(<App />);
    const button = await screen.findByRole('button', { name: 'Show Alliance per session as a table' }, { timeout: 10_000 });
    expect(document.querySelector('.chart-canvas, .chart-placeholder')?.getAttribute('aria-hidden')).toBe('true');
    fireEvent.click(button);
    expect(screen.getByRole('button', { name: 'Show Alliance per session as a chart' })).toBeTruthy();
  });
});

describe('rate this session', () => {
  beforeEach(() => navigate('/clients/c1/rate/as3', { replace: true }));

  it('answers with one digit per item and saves with Enter: five key presses', async () => {
    const calls = fakeApi({
      ...signedIn,
      'GET /api/v1/clients/c1/ratings/pending': { status: 200, body: { items: [pending] } },
      'GET /api/v1/instruments/rapport_alliance_therapist': { status: 200, body: instrument },
      'POST /api/v1/clients/c1/assignments/as3/rating': { status: 200, body: { assignmentId: 'as3', outcome: 'rated', skipReason: null, blind: true, responseIds: [], alertIds: [], decidedAt: at } },
      'GET /api/v1/clients/c1': { status: 200, body: clientBody },
    });
    render(<App />);
    const groups = await screen.findAllByRole('group', {}, { timeout: 10_000 });
    await waitFor(() => expect(groups[0]!.contains(document.activeElement)).toBe(true));
    for (const key of ['8', '7', '9', '6']) {
      fireEvent.keyDown(document.activeElement!, { key });
      await waitFor(() => expect(groups[['8', '7', '9', '6'].indexOf(key)]!.contains(document.activeElement)).toBe(false));
    }
    expect(document.activeElement?.textContent).toBe('Save my rating');
    fireEvent.submit(document.activeElement!.closest('form')!);
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    const post = calls.find((c) => c.method === 'POST')!;
    expect((post.body as { answers: unknown }).answers).toEqual({ rapport_alliance_therapist: { t_goals: 8, t_tasks: 7, t_bond: 9, t_overall: 6 } });
  });

  it('refuses to save with an item unanswered, and can skip instead', async () => {
    const calls = fakeApi({
      ...signedIn,
      'GET /api/v1/clients/c1/ratings/pending': { status: 200, body: { items: [pending] } },
      'GET /api/v1/instruments/rapport_alliance_therapist': { status: 200, body: instrument },
      'POST /api/v1/clients/c1/assignments/as3/rating/skip': { status: 200, body: { assignmentId: 'as3', outcome: 'skipped', skipReason: 'clinician', blind: null, responseIds: [], alertIds: [], decidedAt: at } },
    });
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Save my rating' }, { timeout: 10_000 }));
    expect((await screen.findByRole('alert')).textContent).toBe('Answer every question, or skip the rating.');
    fireEvent.click(screen.getByRole('button', { name: 'Skip this session' }));
    await waitFor(() => expect(calls.some((c) => c.url.endsWith('/rating/skip'))).toBe(true));
  });
});

describe('alerts', () => {
  beforeEach(() => navigate('/alerts', { replace: true }));

  it('acknowledges, then resolves with an action and a note, showing a refused note next to its field', async () => {
    const alert = { id: 'al1', clientId: 'c1', clientName: 'Ada Lovelace', episodeId: null, responseId: null, kind: 'risk_item', urgent: true, status: 'open', evidence: {}, createdAt: at, acknowledgedAt: null, escalatedAt: null };
    let resolves = 0;
    const calls = fakeApi({
      ...signedIn,
      'GET /api/v1/alerts': { status: 200, body: { items: [alert], nextCursor: null } },
      'POST /api/v1/clients/c1/alerts/al1/acknowledge': { status: 200, body: { ...alert, status: 'acknowledged', acknowledgedAt: at } },
      'POST /api/v1/clients/c1/alerts/al1/resolve': () =>
        ++resolves === 1
          ? { status: 400, body: { error: { code: 'validation_failed', message: 'This field is required.', field: 'note' } } }
          : { status: 200, body: { ...alert, status: 'resolved', acknowledgedAt: at, resolutionAction: 'safety_plan', resolutionNote: 'Plan agreed.' } },
    });
    render(<App />);
    const card = (await screen.findByRole('heading', { level: 2, name: /Risk item endorsed/ }, { timeout: 10_000 })).closest('li')!;
    fireEvent.click(within(card).getByRole('button', { name: 'Acknowledge' }));
    await within(card).findByText(/Acknowledged · acknowledged/);
    fireEvent.click(within(card).getByRole('button', { name: 'Resolve…' }));
    fireEvent.change(within(card).getByLabelText('Action taken'), { target: { value: 'safety_plan' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Resolve the alert' }));
    const note = within(card).getByLabelText('Note');
    await waitFor(() => expect(note.getAttribute('aria-invalid')).toBe('true'));
    fireEvent.change(note, { target: { value: 'Plan agreed.' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Resolve the alert' }));
    await within(card).findByText('Resolved: Safety plan — Plan agreed.');
    expect(calls.filter((c) => c.method === 'POST').at(-1)?.body).toEqual({ action: 'safety_plan', note: 'Plan agreed.' });
  });
});

describe('client actions', () => {
  it('hands the device to the client: creates the questionnaire, starts the in-session link, then opens /q?mode=handoff in this tab', async () => {
    const opened: string[] = [];
    browserNavigation.assign = (url) => void opened.push(url);
    const assignment = { id: 'as9', clientId: 'c1', episodeId: null, appointmentId: null, instrumentIds: ['phq9'], respondent: 'client', channel: 'link', status: 'scheduled', scheduledFor: at, sentAt: null, completedAt: null };
    const calls = clientPage(false, {
      'GET /api/v1/instruments': { status: 200, body: { items: [{ id: 'phq9', shortName: 'PHQ-9', name: 'Patient Health Questionnaire-9', respondent: 'client', itemCount: 10, direction: 'higher-is-worse', range: { min: 0, max: 27 }, licenceStatus: 'public-domain', validated: true, source: 'built-in', wordingAvailable: true }] } },
      'POST /api/v1/clients/c1/assignments': { status: 201, body: { assignment, sendAt: null } },
      'POST /api/v1/clients/c1/assignments/as9/in-session': { status: 201, body: { url: '/q?mode=handoff' } },
    });
    render(<App />);
    const button = await screen.findByRole('button', { name: 'Hand the device to the client' }, { timeout: 10_000 });
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(screen.getByRole('checkbox', { name: 'PHQ-9 — Patient Health Questionnaire-9' }));
    fireEvent.click(button);
    await waitFor(() => expect(opened).toEqual(['/q?mode=handoff']));
    // In session: never sent as a message, so never counted as emailed.
    expect(calls.filter((c) => c.method === 'POST').map((c) => [c.url, c.body])).toEqual([
      ['/api/v1/clients/c1/assignments', { instrumentIds: ['phq9'], channel: 'in_session' }],
      ['/api/v1/clients/c1/assignments/as9/in-session', {}],
    ]);
  });
});
