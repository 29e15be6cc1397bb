import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import axe from 'axe-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setFetcher } from '../api/client';
import type { ClientResponse, ResponseItem } from '../api/types';
import { App } from '../app/App';
import { navigate } from '../app/router';
import { fakeApi } from '../test/fake-api';

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
  settings: { colour: '#2F6F8F', timeZone: 'UTC', workingHours: { days: [1], start: '08:00', end: '18:00' }, mfaRequired: false, crisisResources: null, linkExpiryDays: 4, reminderAfterDays: 2, quietHours: { start: '21:00', end: '08:00' }, onCallSupervisorUserId: null, languages: ['en', 'fr'] },
  updatedAt: '2026-11-01T00:00:00Z',
};
// Times are shown in the clinic's zone: UTC here, whatever the machine's.
const signedIn = { 'GET /api/v1/me': { status: 200, body: me }, 'GET /api/v1/organisation': { status: 200, body: organisation } };
const at = '2026-11-18T16:00:00.000Z';
const clientBody = { id: 'c1', givenName: 'Ada', familyName: 'Lovelace', preferredName: null, status: 'active', email: null, mobile: null, language: 'en', timeZone: null, dateOfBirth: null, externalRef: null, createdAt: at, updatedAt: at };

const options = ['Not at all', 'Several days', 'More than half the days', 'Nearly every day'];
const item = (n: number, value: number | null, extra: Partial<ResponseItem> = {}): ResponseItem => ({
  itemId: `phq9_${n}`,
  number: n,
  text: { en: `Question ${n}` },
  value,
  answerLabel: value === null ? null : { en: options[value]! },
  scored: true,
  risk: null,
  endorsed: false,
  riskUnanswered: false,
  ...extra,
});
function phq9(id: string, completedAt: string, item9: number, total: number): ClientResponse {
  return {
    id,
    instrument: { id: 'phq9', version: '1.0.0', shortName: 'PHQ-9', name: 'Patient Health Questionnaire-9' },
    respondent: 'client',
    respondentUserId: null,
    respondentName: null,
    completedAt,
    episodeId: 'e1',
    appointment: { id: 'ap1', startsAt: completedAt },
    supersedesId: null,
    scores: { total, band: { id: 'moderate', label: 'Moderate' }, prorated: false, complete: true, subscales: [] },
    items: [...Array.from({ length: 8 }, (_, i) => item(i + 1, 1)), item(9, item9, { risk: { kind: 'suicidal-ideation', threshold: 1, clinicalSafety: false }, endorsed: item9 >= 1 })],
    flags: { riskEndorsed: item9 >= 1, riskUnanswered: false, items: item9 >= 1 ? [{ kind: 'risk', itemId: 'phq9_9', riskKind: 'suicidal-ideation' }] : [] },
    discussion: null,
  };
}
const isi: ClientResponse = {
  ...phq9('r-isi', '2026-11-01T09:00:00.000Z', 0, 14),
  instrument: { id: 'isi', version: '1.0.0', shortName: 'ISI', name: 'Insomnia Severity Index' },
  scores: { total: 14, band: { id: 'subthreshold', label: 'Subthreshold insomnia' }, prorated: false, complete: true, subscales: [] },
  items: Array.from({ length: 7 }, (_, i) => ({ ...item(i + 1, 2), itemId: `isi_${i + 1}`, text: null, answerLabel: null })),
  flags: { riskEndorsed: false, riskUnanswered: false, items: [] },
};

const latest = phq9('r2', '2026-11-18T09:00:00.000Z', 2, 12);
const earlier = phq9('r1', '2026-11-11T09:00:00.000Z', 0, 9);

function clientPage(routes: Record<string, unknown>) {
  return fakeApi({
    ...signedIn,
    'GET /api/v1/clients/c1': { status: 200, body: clientBody },
    'GET /api/v1/clients/c1/assignments': { status: 200, body: { items: [] } },
    'GET /api/v1/clients/c1/alerts': { status: 200, body: { items: [], nextCursor: null } },
    ...(routes as Record<string, { status: number; body?: unknown }>),
  });
}

/** The responses panel, once it has loaded. */
async function panel() {
  const heading = await screen.findByRole('heading', { level: 2, name: 'Responses' }, { timeout: 10_000 });
  const section = heading.closest('section')!;
  await waitFor(() => expect(section.querySelector('.state-loading')).toBeNull(), { timeout: 10_000 });
  return section;
}

// The client page makes a dozen requests; on a loaded machine the first render can pass 5 s.
vi.setConfig({ testTimeout: 30_000 });

beforeEach(() => navigate('/clients/c1', { replace: true }));
afterEach(() => setFetcher((...args) => fetch(...args)));

describe('responses panel', () => {
  it('lists responses newest first and opens one to its answers, the risk item marked in words', async () => {
    clientPage({ 'GET /api/v1/clients/c1/responses': { status: 200, body: { items: [latest, earlier], nextCursor: null } } });
    render(<App />);
    const section = await panel();
    const toggles = within(section).getAllByRole('button', { expanded: false });
    expect(toggles.map((b) => b.textContent)).toEqual([expect.stringMatching(/PHQ-9 · 18 Nov 2026 · Total 12 \(Moderate\)/), expect.stringMatching(/PHQ-9 · 11 Nov 2026 · Total 9 \(Moderate\)/)]);
    expect(within(section).getAllByText('Risk item endorsed')).toHaveLength(1);
    expect(within(section).queryByRole('table')).toBeNull();

    fireEvent.click(toggles[0]!);
    expect(toggles[0]!.getAttribute('aria-expanded')).toBe('true');
    const table = within(section).getByRole('table', { name: 'PHQ-9 on 18 Nov 2026: the answers item by item' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(9);
    expect(rows[1]!.textContent).toBe('2Question 21 — Several days—');
    expect(rows[8]!.className).toBe('row-flag');
    expect(rows[8]!.textContent).toBe('9Question 92 — More than half the days⚠ Risk item: endorsed');
    expect(rows.filter((r) => r.className === 'row-flag')).toHaveLength(1);

    fireEvent.click(toggles[0]!);
    expect(toggles[0]!.getAttribute('aria-expanded')).toBe('false');
    expect(within(section).queryByRole('table')).toBeNull();
  });

  it('marks a response discussed with a note and then says who and when', async () => {
    const calls = clientPage({
      'GET /api/v1/clients/c1/responses': { status: 200, body: { items: [latest], nextCursor: null } },
      'POST /api/v1/clients/c1/responses/r2/discussed': { status: 200, body: { responseId: 'r2', discussedBy: me.user.id, discussedAt: '2026-11-19T10:30:00.000Z', note: 'Safety plan reviewed.' } },
    });
    render(<App />);
    const section = await panel();
    fireEvent.click(within(section).getByRole('button', { expanded: false }));
    fireEvent.change(within(section).getByLabelText('Note (optional)'), { target: { value: '  Safety plan reviewed. ' } });
    fireEvent.click(within(section).getByRole('button', { name: 'Mark as discussed' }));
    expect((await within(section).findByText(/Discussed with client on 19 Nov 2026, 10:30 by Morgan Clinician\./)).textContent).toContain('Safety plan reviewed.');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ note: 'Safety plan reviewed.' });
    expect(within(section).queryByRole('button', { name: 'Mark as discussed' })).toBeNull();
    expect(within(section).getByText('Discussed')).toBeTruthy();
  });

  it('shows a colleague’s earlier discussion instead of the button', async () => {
    const discussed = { ...latest, discussion: { discussedBy: 'u2', discussedByName: 'Sam Rivers', discussedAt: '2026-11-18T17:00:00.000Z', note: null } };
    clientPage({ 'GET /api/v1/clients/c1/responses': { status: 200, body: { items: [discussed], nextCursor: null } } });
    render(<App />);
    const section = await panel();
    fireEvent.click(within(section).getByRole('button', { expanded: false }));
    expect(within(section).getByText('Discussed with client on 18 Nov 2026, 17:00 by Sam Rivers.')).toBeTruthy();
    expect(within(section).queryByRole('button', { name: 'Mark as discussed' })).toBeNull();
  });

  it('loads the next page after the ones shown', async () => {
    const calls = clientPage({
      'GET /api/v1/clients/c1/responses': (url: string) =>
        url.includes('cursor=') ? { status: 200, body: { items: [earlier], nextCursor: null } } : { status: 200, body: { items: [latest], nextCursor: 'next page' } },
    });
    render(<App />);
    const section = await panel();
    fireEvent.click(within(section).getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(within(section).getAllByRole('button', { expanded: false })).toHaveLength(2));
    expect(within(section).queryByRole('button', { name: 'Load more' })).toBeNull();
    // The button went away with the last page: focus is on the first response it loaded.
    await waitFor(() => expect(document.activeElement?.textContent).toMatch(/PHQ-9 · 11 Nov 2026/));
    expect(calls.filter((c) => c.url.startsWith('/api/v1/clients/c1/responses')).map((c) => c.url)).toEqual(['/api/v1/clients/c1/responses?limit=10', '/api/v1/clients/c1/responses?limit=10&cursor=next%20page']);
  });

  it('shows only item numbers where the wording is licensed, and says why', async () => {
    clientPage({ 'GET /api/v1/clients/c1/responses': { status: 200, body: { items: [isi], nextCursor: null } } });
    render(<App />);
    const section = await panel();
    fireEvent.click(within(section).getByRole('button', { expanded: false }));
    expect(within(section).getByText(/only item numbers are shown/)).toBeTruthy();
    const table = within(section).getByRole('table');
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Item', 'Answer', 'Risk']);
    expect(within(table).getAllByRole('row')[1]!.textContent).toBe('12—');
  });

  it('says when nothing was answered, and offers to try again after an error', async () => {
    let fail = true;
    clientPage({
      'GET /api/v1/clients/c1/responses': () => (fail ? { status: 500, body: { error: { code: 'internal', message: 'Boom.' } } } : { status: 200, body: { items: [], nextCursor: null } }),
    });
    render(<App />);
    const section = await panel();
    const alert = within(section).getByRole('alert');
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await within(section).findByText('No questionnaires answered yet.')).toBeTruthy();
  });

  it('speaks French', async () => {
    clientPage({
      'GET /api/v1/me': { status: 200, body: { ...me, user: { ...me.user, locale: 'fr' } } },
      'GET /api/v1/clients/c1/responses': { status: 200, body: { items: [latest], nextCursor: null } },
    });
    render(<App />);
    const heading = await screen.findByRole('heading', { level: 2, name: 'Réponses' }, { timeout: 10_000 });
    const section = heading.closest('section')!;
    const toggle = await within(section).findByRole('button', { expanded: false });
    fireEvent.click(toggle);
    expect(within(section).getByText('Item de risque coché')).toBeTruthy();
    expect(within(section).getByRole('button', { name: 'Marquer comme discuté' })).toBeTruthy();
  });

  it('has no axe violations, open and closed', async () => {
    clientPage({ 'GET /api/v1/clients/c1/responses': { status: 200, body: { items: [latest, isi], nextCursor: 'more' } } });
    render(<App />);
    const section = await panel();
    // jsdom draws nothing, so contrast is checked in Chromium by the e2e journey instead.
    const options = { rules: { 'color-contrast': { enabled: false } } };
    expect((await axe.run(section, options)).violations).toEqual([]);
    for (const toggle of within(section).getAllByRole('button', { expanded: false })) fireEvent.click(toggle);
    expect(within(section).getAllByRole('table')).toHaveLength(2);
    expect((await axe.run(section, options)).violations).toEqual([]);
  });
});

describe('symptom charts', () => {
  it('are titled with the instrument’s display name from the catalogue', async () => {
    const point = (n: number, score: number) => ({ sessionNumber: n, responseId: `p${n}`, appointmentId: null, date: at, score, band: { id: 'mild', label: 'Mild' }, isCase: false, reliableChange: null, expected: null });
    clientPage({
      'GET /api/v1/clients/c1/responses': { status: 200, body: { items: [], nextCursor: null } },
      'GET /api/v1/instruments': { status: 200, body: { items: [{ id: 'phq9', shortName: 'PHQ-9', name: 'Patient Health Questionnaire-9', respondent: 'client' }], organisation: null } },
      'GET /api/v1/clients/c1/trajectories?instrumentId=phq9': {
        status: 200,
        body: { clientId: 'c1', episodeId: 'e1', instrumentId: 'phq9', range: { min: 0, max: 27 }, direction: 'higher-is-worse', bands: [], caseness: null, points: [point(1, 8), point(2, 6)], expectedBand: null, rulesVersion: '1' },
      },
    });
    render(<App />);
    expect(await screen.findByRole('button', { name: 'Show PHQ-9 as a table' }, { timeout: 10_000 })).toBeTruthy();
    expect(screen.getByText(/^PHQ-9: 2 scores, from 8 at the first to 6 now/)).toBeTruthy();
  });
});
