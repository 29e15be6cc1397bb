import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setFetcher } from '../../api/client';
import { App } from '../../app/App';
import { navigate } from '../../app/router';
import { caseloadItem, fakeApi } from '../../test/fake-api';

const me = {
  user: { id: '00000000-0000-4000-8000-000000000001', email: 'morgan@clinic.test', displayName: 'Morgan Clinician', mfaEnabled: false, locale: 'en' },
  organisation: { id: '00000000-0000-4000-8000-000000000002', name: 'Harbour Clinic' },
  role: 'clinician',
  stage: 'full',
  organisations: [],
};
const organisation = {
  id: me.organisation.id,
  name: 'Harbour Clinic',
  settings: { colour: '#2F6F8F', timeZone: 'Europe/London', workingHours: { days: [1], start: '08:00', end: '18:00' }, mfaRequired: false, crisisResources: null, linkExpiryDays: 4, reminderAfterDays: 2, quietHours: { start: '21:00', end: '08:00' }, onCallSupervisorUserId: null, languages: ['en', 'fr'] },
  updatedAt: '2026-11-01T00:00:00Z',
};
const signedIn = (role = 'clinician', locale = 'en') => ({
  'GET /api/v1/me': { status: 200, body: { ...me, role, user: { ...me.user, locale } } },
  'GET /api/v1/organisation': { status: 200, body: organisation },
  'GET /api/v1/programmes': { status: 200, body: { items: [{ id: 'prog1', name: 'Adult service', description: null, archivedAt: null, createdAt: '2026-01-01T00:00:00Z' }] } },
});
const ada = { id: 'c1', givenName: 'Ada', familyName: 'Lovelace' };
const alan = { id: 'c2', givenName: 'Alan', familyName: 'Turing' };
const grace = { id: 'c3', givenName: 'Grace', familyName: 'Hopper' };
const page = (items: ReturnType<typeof caseloadItem>[], more: Partial<{ total: number; nextOffset: number | null }> = {}) => ({
  status: 200,
  body: { items, total: items.length, nextOffset: null, asOf: '2026-11-25T09:00:00Z', ...more },
});
const bodyRows = () => within(screen.getByRole('table')).getAllByRole('row').slice(1);
const rowNames = () => bodyRows().map((r) => within(r).getByRole('rowheader').querySelector('a')!.textContent);

beforeEach(() => navigate('/', { replace: true }));
afterEach(() => setFetcher((...args) => fetch(...args)));

describe('caseload', () => {
  it('shows loading, then the rows in the server’s attention order with the tier in words, from one request', async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const calls = fakeApi({
      ...signedIn(),
      'GET /api/v1/caseload': async () => {
        await gate;
        return page([
          caseloadItem(alan, { attention: { tier: 'urgent', rank: 1 }, alerts: { urgent: 1, other: 0 } }),
          caseloadItem(grace, { attention: { tier: 'due', rank: 3 }, questionnaires: { due: 2, overdue: 1 } }),
          caseloadItem(ada, { nextAppointment: { id: 'p1', startsAt: future, kind: 'treatment' }, episode: { id: 'e1', startedOn: '2026-01-01', presentingProblem: 'depression', programme: { id: 'prog1', name: 'Adult service' } } }),
        ]);
      },
    });
    render(<App />);
    expect(await screen.findByRole('status')).toBeTruthy();
    await act(async () => release());
    await screen.findByRole('table');
    expect(rowNames()).toEqual(['Alan Turing', 'Grace Hopper', 'Ada Lovelace']);
    const [alanRow, graceRow, adaRow] = bodyRows();
    expect(within(alanRow!).getByText('Urgent alert')).toBeTruthy();
    expect(within(alanRow!).getByText('1 open, 1 urgent')).toBeTruthy();
    expect(within(alanRow!).getByText('None booked')).toBeTruthy();
    expect(within(graceRow!).getByText('Questionnaire due')).toBeTruthy();
    expect(within(graceRow!).getByText('2 due, 1 overdue')).toBeTruthy();
    expect(within(adaRow!).getByText('Routine')).toBeTruthy();
    expect(within(adaRow!).getByText('Adult service')).toBeTruthy();
    expect(within(adaRow!).queryByText('None booked')).toBeNull();
    // One request for the list, whatever the number of rows: nothing per client.
    expect(calls.filter((c) => c.url.startsWith('/api/v1/clients') || c.url.startsWith('/api/v1/alerts'))).toEqual([]);
    expect(calls.filter((c) => c.url.startsWith('/api/v1/caseload'))).toHaveLength(1);
  });

  it('shows the last scores with bands, the alliance trend, and today’s session rating', async () => {
    fakeApi({
      ...signedIn(),
      'GET /api/v1/caseload': page([
        caseloadItem(ada, {
          lastScores: [
            { instrumentId: 'phq9', name: 'PHQ-9', score: 9, band: { id: 'mild', label: 'Mild' }, submittedAt: '2026-11-20T10:00:00Z' },
            { instrumentId: 'gad7', name: 'GAD-7', score: 4, band: { id: 'minimal', label: 'Minimal' }, submittedAt: '2026-11-20T10:00:00Z' },
          ],
          alliance: { clientInstrumentId: 'rapport_alliance', gapTrend: 'narrowing', points: [{ appointmentId: 'p1', date: '2026-11-20T10:00:00Z', client: { score: 32, percent: 80 }, clientHidden: false, therapist: { score: 30, percent: 75 } }] },
          todaySession: { appointmentId: 'p2', startsAt: '2026-11-25T09:00:00Z', status: 'attended', rating: 'rated' },
        }),
      ]),
    });
    render(<App />);
    await screen.findByRole('table');
    const [row] = bodyRows();
    expect(row!.textContent).toContain('PHQ-9 9 (Mild)');
    expect(row!.textContent).toContain('GAD-7 4 (Minimal)');
    expect(within(row!).getByText('Client 80 % · The gap is narrowing.')).toBeTruthy();
    expect(within(row!).getByText('Rated')).toBeTruthy();
  });

  it('offers “rate today’s session” instead of the client’s alliance score while a rating is owed', async () => {
    fakeApi({
      ...signedIn(),
      'GET /api/v1/caseload': page([
        caseloadItem(ada, {
          alliance: {
            clientInstrumentId: 'rapport_alliance',
            gapTrend: 'stable',
            points: [
              { appointmentId: 'p1', date: '2026-11-18T10:00:00Z', client: { score: 32, percent: 80 }, clientHidden: false, therapist: { score: 30, percent: 75 } },
              { appointmentId: 'p2', date: '2026-11-25T10:00:00Z', client: null, clientHidden: true, therapist: null },
            ],
          },
          ratingOwed: { assignmentId: 'as1', appointmentId: 'p2', dueSince: '2026-11-25T10:50:00Z' },
          todaySession: { appointmentId: 'p2', startsAt: '2026-11-25T10:00:00Z', status: 'attended', rating: 'owed' },
        }),
      ]),
    });
    render(<App />);
    await screen.findByRole('table');
    const [row] = bodyRows();
    const link = within(row!).getByRole('link', { name: 'Rate today’s session' });
    expect(link.getAttribute('href')).toBe('/clients/c1/rate/as1');
    expect(row!.textContent).not.toContain('80 %');
    expect(within(row!).getByText('Not rated yet')).toBeTruthy();
  });

  it('sends search and filters to the server, and says when nothing matches', async () => {
    const calls = fakeApi({
      ...signedIn(),
      'GET /api/v1/caseload': (url) => (url.includes('attention=urgent') ? page([]) : page([caseloadItem(ada)])),
    });
    render(<App />);
    await screen.findByRole('table');
    fireEvent.change(screen.getByLabelText('Needs attention'), { target: { value: 'urgent' } });
    expect(await screen.findByText('No client matches these filters.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('In programme'), { target: { value: 'prog1' } });
    fireEvent.change(screen.getByLabelText('Search by name'), { target: { value: 'ada' } });
    await waitFor(() => expect(calls.some((c) => c.url.includes('q=ada'))).toBe(true));
    const last = new URL(calls.filter((c) => c.url.startsWith('/api/v1/caseload')).at(-1)!.url, 'http://x');
    expect(Object.fromEntries(last.searchParams)).toEqual({ q: 'ada', status: 'active', attention: 'urgent', programmeId: 'prog1', limit: '50' });
    expect(await screen.findByText('No client matches this search.')).toBeTruthy();
    // Clinicians see only their own caseload: no choice of whose.
    expect(screen.queryByLabelText('Whose clients')).toBeNull();
  });

  it('lets a supervisor open the whole clinic’s caseload or a colleague’s', async () => {
    const calls = fakeApi({
      ...signedIn('supervisor'),
      'GET /api/v1/users': { status: 200, body: { items: [{ id: 'u2', email: 'kim@clinic.test', displayName: 'Kim Osei', role: 'clinician', status: 'active' }] } },
      'GET /api/v1/caseload': (url) => (url.includes('therapistId') ? page([caseloadItem(ada)]) : page([])),
    });
    render(<App />);
    // A supervisor's own care teams may be empty: the screen says where everyone else is.
    expect(await screen.findByText('No clients on your care teams. Choose “Whole clinic” under “Whose clients” to see everyone’s.')).toBeTruthy();
    const whose = await screen.findByLabelText('Whose clients');
    await screen.findByRole('option', { name: 'Kim Osei' });
    fireEvent.change(whose, { target: { value: 'all' } });
    await waitFor(() => expect(calls.some((c) => c.url.includes('therapistId=all'))).toBe(true));
    fireEvent.change(whose, { target: { value: 'u2' } });
    await waitFor(() => expect(calls.some((c) => c.url.includes('therapistId=u2'))).toBe(true));
  });

  it('loads the next page on request and keeps the order', async () => {
    const calls = fakeApi({
      ...signedIn(),
      'GET /api/v1/caseload': (url) =>
        url.includes('offset=1') ? page([caseloadItem(grace)], { total: 2, nextOffset: null }) : page([caseloadItem(ada)], { total: 2, nextOffset: 1 }),
    });
    render(<App />);
    await screen.findByRole('table');
    expect(screen.getByText('Showing 1 of 2.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Show more clients' }));
    await waitFor(() => expect(rowNames()).toEqual(['Ada Lovelace', 'Grace Hopper']));
    expect(screen.queryByRole('button', { name: 'Show more clients' })).toBeNull();
    expect(calls.filter((c) => c.url.startsWith('/api/v1/caseload'))).toHaveLength(2);
  });

  it('says so when there are no clients, in French too', async () => {
    fakeApi({ ...signedIn('clinician', 'fr'), 'GET /api/v1/caseload': page([]) });
    render(<App />);
    expect(await screen.findByText('Aucun patient pour l’instant. Ajoutez votre premier patient pour commencer.')).toBeTruthy();
    expect(screen.getByLabelText('Demande de l’attention')).toBeTruthy();
  });

  it('shows an error with a way to try again, and recovers', async () => {
    let fail = true;
    fakeApi({
      ...signedIn(),
      'GET /api/v1/caseload': () => (fail ? { status: 500, body: { error: { code: 'internal', message: 'Boom.' } } } : page([])),
    });
    render(<App />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Something went wrong. Please try again.');
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No clients yet. Add your first client to start.')).toBeTruthy();
  });
});
