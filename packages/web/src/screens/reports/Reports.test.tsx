import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setFetcher } from '../../api/client';
import type { OutcomeReport } from '../../api/types';
import { App } from '../../app/App';
import { navigate } from '../../app/router';
import { fakeApi } from '../../test/fake-api';
import { isIsoDate, presetOf, presetPeriod } from './period';

const orgId = '00000000-0000-4000-8000-000000000002';
const ids = { ann: '00000000-0000-4000-8000-0000000000a1', ben: '00000000-0000-4000-8000-0000000000b1', programme: '00000000-0000-4000-8000-0000000000c1' };
const me = (role: 'admin' | 'supervisor' | 'clinician', locale = 'en') => ({
  user: { id: ids.ann, email: 'ann@clinic.test', displayName: 'Ann Admin', mfaEnabled: false, locale },
  organisation: { id: orgId, name: 'Harbour Clinic' },
  role,
  stage: 'full',
  organisations: [],
});
const organisation = {
  id: orgId,
  name: 'Harbour Clinic',
  settings: { colour: '#2F6F8F', timeZone: 'Europe/London', workingHours: { days: [1], start: '08:00', end: '18:00' }, mfaRequired: false, crisisResources: null, linkExpiryDays: 4, reminderAfterDays: 2, quietHours: { start: '21:00', end: '08:00' }, onCallSupervisorUserId: null, languages: ['en', 'fr'] },
  updatedAt: '2026-11-01T00:00:00Z',
};
const staff = (id: string, displayName: string, status = 'active') => ({ id, email: `${id}@x.test`, displayName, role: 'clinician', status, experienceYears: 3, trainee: false, calibrationConsent: true, mfaEnabled: false, joinedAt: '2026-01-01T00:00:00Z', deactivatedAt: null });
const rate = (numerator: number, denominator: number) => ({ numerator, denominator, rate: denominator ? numerator / denominator : null });

function report(overrides: Partial<OutcomeReport> = {}): OutcomeReport {
  const change = { instrumentId: 'phq9', n: 30, meanFirst: 14.2, meanLast: 8.1, meanChange: -6.1, sdFirst: 4, effectSize: -1.525 };
  return {
    scope: { from: '2026-01-01', to: '2026-06-30', programmeId: null, clinicianId: null },
    talkingTherapies: {
      endedEpisodes: 90,
      finishedCourses: 84,
      finishedWithoutPairedScores: 4,
      finishedWithPairedScores: 80,
      notAtCaseness: 0,
      recovery: rate(42, 80),
      reliableImprovement: rate(56, 80),
      reliableRecovery: rate(40, 80),
      reliableDeterioration: rate(3, 80),
      dropout: rate(18, 90),
    },
    jacobsonTruax: { available: true, categories: [{ category: 'improved', count: 5 }, { category: 'recovered', count: 15 }] },
    change: [change, { ...change, instrumentId: 'gad7', meanChange: -3, effectSize: -0.75 }],
    changeByTherapist: [
      { therapistId: ids.ben, name: 'Ben Therapist', pooled: false, therapists: 1, ...change },
      { therapistId: null, name: null, pooled: true, therapists: 6, ...change, n: 40, meanChange: -4.5 },
    ],
    changeByTherapistPool: { pooledTherapists: 6, shown: true, reasonCode: null, reason: null },
    adherence: { sent: 200, completed: 150, expired: 20, completion: rate(150, 200), sessionsRated: rate(70, 100) },
    alertAcknowledgement: { raised: 10, acknowledged: 8, medianHours: 2.25, p90Hours: 20 },
    discussedWithClient: { available: true, share: rate(30, 150) },
    allianceByTherapist: [{ therapistId: ids.ben, name: 'Ben Therapist', pooled: false, therapists: 1, clientForm: 'rapport_alliance', sessions: 40, meanClientAlliance: 31.5, pairedSessions: 38, meanGap: 2.25 }],
    alliancePool: { pooledTherapists: 3, shown: false, reasonCode: 'pool_too_small', reason: 'fewer than 5 therapists without consent: not shown' },
    ...overrides,
  };
}

function api(role: 'admin' | 'supervisor' | 'clinician', body: OutcomeReport | ((url: string) => { status: number; body?: unknown }), locale = 'en') {
  return fakeApi({
    'GET /api/v1/me': { status: 200, body: me(role, locale) },
    'GET /api/v1/organisation': { status: 200, body: organisation },
    'GET /api/v1/programmes': { status: 200, body: { items: [{ id: ids.programme, name: 'Adult talking therapies', description: null, archivedAt: null, createdAt: '2026-01-01T00:00:00Z' }] } },
    'GET /api/v1/users': { status: 200, body: { items: [staff(ids.ben, 'Ben Therapist'), { ...staff(ids.ann, 'Ann Admin'), calibrationConsent: false }, { ...staff('00000000-0000-4000-8000-0000000000e1', 'Cal Private'), calibrationConsent: false }, { ...staff('00000000-0000-4000-8000-0000000000d1', 'Ivy Invited'), status: 'invited' }] } },
    'GET /api/v1/instruments': { status: 200, body: { items: [{ id: 'phq9', shortName: 'PHQ-9' }, { id: 'gad7', shortName: 'GAD-7' }, { id: 'rapport_alliance', shortName: 'Alliance check' }] } },
    'GET /api/v1/reports/outcomes': typeof body === 'function' ? body : { status: 200, body },
    'GET /api/v1/alerts': { status: 200, body: { items: [], nextCursor: null } },
  });
}

/** The lazy screen and its first data take a while on a loaded machine. */
const slow = { timeout: 10_000 };
const query = (url: string) => Object.fromEntries(new URL(url, 'http://x').searchParams);

// A loaded two-core machine: the lazy screen's first render can take several seconds.
vi.setConfig({ testTimeout: 30_000 });
beforeEach(() => navigate('/reports?from=2026-01-01&to=2026-06-30', { replace: true }));
afterEach(() => setFetcher((...args) => fetch(...args)));

describe('outcome reports', () => {
  it('shows each rate as "n of N (%)", a bar chart with a table view, and a CSV link with the same filters', async () => {
    const calls = api('admin', report());
    render(<App />);
    const tt = await screen.findByRole('region', { name: 'NHS Talking Therapies outcomes' }, slow);
    const recovery = within(tt).getByText('Recovery', { selector: 'dt' }).parentElement!;
    expect(recovery.querySelector('.report-figure')!.textContent).toBe('42 of 80 (52.5\u00a0%)');
    expect(within(tt).getByText('Dropout', { selector: 'dt' }).parentElement!.querySelector('.report-figure')!.textContent).toBe('18 of 90 (20.0\u00a0%)');

    const chart = within(tt).getByRole('figure', { name: 'Talking Therapies rates' });
    expect(chart.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(chart.getAttribute('aria-describedby')!)!.textContent).toContain('80 finished courses with paired scores. Recovery: 42 of 80 (52.5\u00a0%); Reliable improvement: 56 of 80 (70.0\u00a0%)');
    fireEvent.click(within(chart).getByRole('button', { name: 'Show Talking Therapies rates as a table' }));
    const table = within(chart).getByRole('table', { name: 'Talking Therapies rates' });
    const rows = within(table).getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell').map((c) => c.textContent));
    expect(rows[0]).toEqual(['42', '80', '52.5\u00a0%']);
    expect(rows).toHaveLength(5);
    expect(within(chart).getByRole('button', { name: 'Show Talking Therapies rates as a chart' })).toBeTruthy();

    expect(screen.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe('/api/v1/reports/outcomes.csv?from=2026-01-01&to=2026-06-30');
    expect(query(calls.find((c) => c.url.startsWith('/api/v1/reports/outcomes'))!.url)).toEqual({ from: '2026-01-01', to: '2026-06-30' });
    // Instrument names from the catalogue; the process figures with their denominators.
    const change = screen.getByRole('table', { name: 'Mean first and last scores of finished courses, by measure' });
    expect(within(change).getAllByRole('rowheader').map((h) => h.textContent)).toEqual(['PHQ-9', 'GAD-7']);
    expect(within(change).getAllByRole('row')[1]!.textContent).toContain('−6.1');
    const process = screen.getByRole('region', { name: 'Questionnaires, ratings and alerts' });
    expect(within(process).getByText('Time to acknowledge an alert').parentElement!.textContent).toContain('median 2.3 hours, 90th percentile 20.0 hours');
    expect(within(process).getByText('Results marked discussed', { selector: 'dt' }).parentElement!.textContent).toContain('30 of 150 (20.0\u00a0%)');
  });

  it('names consenting therapists, pools the others, and says when a pool is too small to show', async () => {
    api('supervisor', report());
    render(<App />);
    const section = await screen.findByRole('region', { name: 'Outcomes by therapist' }, slow);
    const outcomes = within(section).getByRole('table', { name: /Mean first-to-last PHQ-9 change per therapist/ });
    expect(within(outcomes).getAllByRole('rowheader').map((h) => h.textContent)).toEqual(['Ben Therapist', 'Others, pooled (6 therapists)']);
    expect(within(section).getByText('6 therapists did not agree to be named: their figures are pooled in one unnamed row.')).toBeTruthy();
    const alliance = within(section).getByRole('table', { name: /Mean client alliance and therapist − client gap/ });
    expect(within(alliance).getAllByRole('row')[1]!.textContent).toBe('Ben TherapistAlliance check4031.538+2.3');
    expect(within(section).getByText(/3 therapists did not agree to be named\. Pooled figures are shown only for at least 5 therapists/)).toBeTruthy();
  });

  it('puts one unnamed therapist in the singular and says when no alert was acknowledged', async () => {
    api('admin', report({ alliancePool: { pooledTherapists: 1, shown: false, reasonCode: 'pool_too_small', reason: null }, alertAcknowledgement: { raised: 4, acknowledged: 0, medianHours: null, p90Hours: null } }));
    render(<App />);
    const section = await screen.findByRole('region', { name: 'Outcomes by therapist' }, slow);
    expect(within(section).getByText('One therapist did not agree to be named. Pooled figures are shown only for at least 5 therapists, so theirs are left out.')).toBeTruthy();
    const process = screen.getByRole('region', { name: 'Questionnaires, ratings and alerts' });
    expect(within(process).getByText('Time to acknowledge an alert').parentElement!.textContent).toContain('No alert acknowledged');
    expect(within(process).getByText('Alerts acknowledged', { selector: 'dt' }).parentElement!.textContent).toContain('0 of 4 (0.0\u00a0%)');
  });

  it('applies a preset period, a programme and a therapist to the report and the address', async () => {
    const calls = api('admin', report());
    render(<App />);
    await screen.findByRole('region', { name: 'NHS Talking Therapies outcomes' }, slow);
    expect((screen.getByLabelText('Period') as HTMLSelectElement).value).toBe('custom');
    fireEvent.change(screen.getByLabelText('Period'), { target: { value: 'last90' } });
    const from = (screen.getByLabelText('From') as HTMLInputElement).value;
    const to = (screen.getByLabelText('To') as HTMLInputElement).value;
    expect({ from, to }).toEqual(presetPeriod('last90', to));
    fireEvent.change(screen.getByLabelText('Programme'), { target: { value: ids.programme } });
    const therapist = screen.getByLabelText('Therapist') as HTMLSelectElement;
    // Only therapists who agreed to be named, and the viewer (Ann, who did not): a one-therapist report names them.
    expect([...therapist.options].map((o) => o.text)).toEqual(['All therapists', 'Ann Admin', 'Ben Therapist']);
    fireEvent.change(therapist, { target: { value: ids.ben } });
    fireEvent.click(screen.getByRole('button', { name: 'Show the report' }));
    await waitFor(() => expect(calls.filter((c) => c.url.startsWith('/api/v1/reports/outcomes'))).toHaveLength(2), slow);
    const wanted = { from, to, programmeId: ids.programme, clinicianId: ids.ben };
    expect(query(calls.filter((c) => c.url.startsWith('/api/v1/reports/outcomes'))[1]!.url)).toEqual(wanted);
    expect(Object.fromEntries(new URLSearchParams(window.location.search))).toEqual(wanted);
    expect(query(screen.getByRole('link', { name: 'Download CSV' }).getAttribute('href')!)).toEqual(wanted);
  });

  it('refuses a period that ends before it starts, next to the field, without asking the server', async () => {
    const calls = api('admin', report());
    render(<App />);
    await screen.findByRole('region', { name: 'NHS Talking Therapies outcomes' }, slow);
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-07-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Show the report' }));
    const to = screen.getByLabelText('To');
    await waitFor(() => expect(to.getAttribute('aria-invalid')).toBe('true'), slow);
    expect(document.getElementById(to.getAttribute('aria-describedby')!)!.textContent).toBe('The period must not end before it starts.');
    expect(calls.filter((c) => c.url.startsWith('/api/v1/reports/outcomes'))).toHaveLength(1);
  });

  it('gives a clinician their own caseload: no therapist filter, no staff list asked for', async () => {
    const calls = api('clinician', report({ scope: { from: '2026-01-01', to: '2026-06-30', programmeId: null, clinicianId: ids.ann } }));
    render(<App />);
    await screen.findByRole('region', { name: 'NHS Talking Therapies outcomes' }, slow);
    expect(screen.getByRole('link', { name: 'Reports' }).getAttribute('aria-current')).toBe('page');
    expect(screen.queryByLabelText('Therapist')).toBeNull();
    expect(screen.getByText(/· All programmes · Your caseload$/)).toBeTruthy();
    expect(calls.some((c) => c.url.startsWith('/api/v1/users'))).toBe(false);
  });

  it('says when nothing happened in the period, and shows a server error with a retry', async () => {
    const zero = rate(0, 0);
    const empty = report({
      talkingTherapies: { endedEpisodes: 0, finishedCourses: 0, finishedWithoutPairedScores: 0, finishedWithPairedScores: 0, notAtCaseness: 0, recovery: zero, reliableImprovement: zero, reliableRecovery: zero, reliableDeterioration: zero, dropout: zero },
      adherence: { sent: 0, completed: 0, expired: 0, completion: zero, sessionsRated: zero },
      alertAcknowledgement: { raised: 0, acknowledged: 0, medianHours: null, p90Hours: null },
      discussedWithClient: { available: true, share: zero },
      allianceByTherapist: [],
    });
    let fail = true;
    api('admin', () => (fail ? { status: 500, body: { error: { code: 'internal', message: 'Boom.' } } } : { status: 200, body: empty }));
    render(<App />);
    const alert = await screen.findByRole('alert', {}, slow);
    expect(alert.textContent).toContain('Something went wrong. Please try again.');
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText(/Nothing to report for this period/, {}, slow)).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Download CSV' })).toBeNull();
  });

  it.each([
    ['en', 'Outcomes by therapist', 'This therapist did not agree to be named, so their figures by therapist are not shown.'],
    ['fr', 'Résultats par thérapeute', 'Ce thérapeute n’a pas accepté d’être nommé : ses chiffres par thérapeute ne sont pas montrés.'],
  ] as const)('says (%s) why a report filtered to one therapist who did not agree to be named shows no figures by therapist', async (locale, region, text) => {
    const withheld = { pooledTherapists: 1, shown: false, reasonCode: 'therapist_not_consented' as const, reason: 'the therapist has not consented to be named: not shown' };
    api('admin', report({ scope: { from: '2026-01-01', to: '2026-06-30', programmeId: null, clinicianId: ids.ben }, changeByTherapist: [], changeByTherapistPool: withheld, allianceByTherapist: [], alliancePool: withheld }), locale);
    render(<App />);
    const section = await screen.findByRole('region', { name: region }, slow);
    expect(within(section).getAllByText(text)).toHaveLength(2);
    expect(within(section).queryByText(/Pooled figures|Les chiffres regroupés/)).toBeNull();
  });

  it('reads in French, with French numbers', async () => {
    api('admin', report(), 'fr');
    render(<App />);
    const tt = await screen.findByRole('region', { name: 'Résultats NHS Talking Therapies' }, slow);
    expect(within(tt).getByText('Rétablissement', { selector: 'dt' }).parentElement!.querySelector('.report-figure')!.textContent).toBe('42 sur 80 (52,5\u00a0%)');
  });
});

describe('the supervisor’s path to outcomes by therapist', () => {
  it('links from the supervision screen to the by-therapist section and moves focus there', async () => {
    navigate('/supervision', { replace: true });
    api('supervisor', report());
    render(<App />);
    fireEvent.click(await screen.findByRole('link', { name: 'Outcomes and alliance by therapist, in the outcome report' }, slow));
    const heading = await screen.findByRole('heading', { level: 2, name: 'Outcomes by therapist' }, slow);
    await waitFor(() => expect(document.activeElement).toBe(heading), slow);
    expect(window.location.pathname + window.location.hash).toBe('/reports#by-therapist');
  });
});

describe('report periods', () => {
  it.each([
    ['last90', '2026-03-01', { from: '2025-12-02', to: '2026-03-01' }],
    ['last365', '2026-03-01', { from: '2025-03-02', to: '2026-03-01' }],
    ['thisYear', '2026-03-01', { from: '2026-01-01', to: '2026-03-01' }],
    ['lastYear', '2026-01-01', { from: '2025-01-01', to: '2025-12-31' }],
  ] as const)('%s ending %s', (preset, today, period) => {
    expect(presetPeriod(preset, today)).toEqual(period);
    expect(presetOf(period, today)).toBe(preset);
  });

  it('calls any other pair of dates custom, and checks dates are real', () => {
    expect(presetOf({ from: '2026-01-02', to: '2026-03-01' }, '2026-03-01')).toBe('custom');
    expect([isIsoDate('2026-02-28'), isIsoDate('2026-02-29'), isIsoDate('2024-02-29'), isIsoDate(''), isIsoDate('2026-2-28')]).toEqual([true, false, true, false, false]);
  });
});
