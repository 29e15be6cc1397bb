import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import axe from 'axe-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setFetcher } from '../../api/client';
import { App } from '../../app/App';
import { navigate } from '../../app/router';
import { fakeApi } from '../../test/fake-api';

const ids = { me: '00000000-0000-4000-8000-000000000001', org: '00000000-0000-4000-8000-000000000002', sup: '00000000-0000-4000-8000-000000000003', clin: '00000000-0000-4000-8000-000000000004', gone: '00000000-0000-4000-8000-000000000005' };
const meAs = (role: string, locale = 'en') => ({
  user: { id: ids.me, email: 'lee@clinic.test', displayName: 'Lee Admin', mfaEnabled: true, locale },
  organisation: { id: ids.org, name: 'Harbour Clinic' },
  role,
  stage: 'full',
  organisations: [],
});
const settings = {
  colour: '#2F6F8F',
  timeZone: 'Europe/London',
  workingHours: { days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' },
  mfaRequired: true,
  crisisResources: 'Call 999',
  linkExpiryDays: 4,
  reminderAfterDays: null,
  quietHours: { start: '21:00', end: '08:00' },
  onCallSupervisorUserId: null,
  languages: ['en', 'fr'],
  urgentEscalationHours: 4,
  retentionYears: 8,
};
const organisation = { id: ids.org, name: 'Harbour Clinic', settings, updatedAt: '2026-11-01T00:00:00Z' };
const staff = (id: string, displayName: string, role: string, extra: object = {}) => ({
  id,
  email: `${id.slice(-1)}@clinic.test`,
  displayName,
  role,
  status: 'active',
  experienceYears: null,
  trainee: false,
  calibrationConsent: false,
  mfaEnabled: true,
  joined: true,
  joinedAt: '2026-01-01T00:00:00Z',
  deactivatedAt: null,
  ...extra,
});
const people = [staff(ids.me, 'Lee Admin', 'admin'), staff(ids.sup, 'Sam Supervisor', 'supervisor'), staff(ids.clin, 'Robin Clinician', 'clinician', { calibrationConsent: true })];
const signedIn = (role = 'admin', locale = 'en') => ({ 'GET /api/v1/me': { status: 200, body: meAs(role, locale) }, 'GET /api/v1/organisation': { status: 200, body: organisation } });
const stats = (n: number, meanGap: number | null) => ({ n, meanGap, sdGap: 4, confidenceInterval: meanGap == null ? null : { lower: meanGap - 2, upper: meanGap + 2, level: 0.95 }, therapistAboveCount: 3, therapistAboveShare: n ? 3 / n : null, correlation: 0.41 });
const calibration = (userId: string, n = 12, meanGap: number | null = 6.2) => ({ userId, report: { thresholdPercent: 10, overall: stats(n, meanGap), byMonth: [{ month: '2026-10', ...stats(n, meanGap) }] }, organisation: null, minTherapists: 5, rulesVersion: '1' });

afterEach(() => setFetcher((...args) => fetch(...args)));
// The first render of a file loads the lazy screens; a loaded two-core machine needs more than 5 s.
const slow = { timeout: 20_000 };

describe('clinic settings', slow, () => {
  beforeEach(() => navigate('/admin/settings', { replace: true }));

  it('shows every setting and sends them all, with working hours, languages, on-call supervisor and retention', async () => {
    const calls = fakeApi({
      ...signedIn(),
      'GET /api/v1/users': { status: 200, body: { items: people } },
      'PATCH /api/v1/organisation': (_url, init) => ({ status: 200, body: { ...organisation, settings: { ...settings, ...JSON.parse(String(init.body)).settings } } }),
    });
    render(<App />);
    const onCall = (await screen.findByLabelText('On-call supervisor')) as HTMLSelectElement;
    // Only active supervisors and admins can be chosen.
    expect([...onCall.options].map((o) => o.textContent)).toEqual(['No one', 'Lee Admin (Administrator)', 'Sam Supervisor (Supervisor)']);
    expect((screen.getByLabelText('Send a reminder after (days)') as HTMLInputElement).value).toBe('');
    expect((screen.getByRole('checkbox', { name: 'Saturday' }) as HTMLInputElement).checked).toBe(false);

    fireEvent.change(onCall, { target: { value: ids.sup } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Saturday' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Français' }));
    fireEvent.change(screen.getByLabelText('Closes at'), { target: { value: '17:30' } });
    fireEvent.change(screen.getByLabelText('Escalate an unacknowledged urgent alert after (hours)'), { target: { value: '2' } });
    fireEvent.change(screen.getByLabelText('Erase a client’s records after (years)'), { target: { value: '10' } });
    fireEvent.change(screen.getByLabelText('Questionnaire links expire after (days)'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Settings saved.')).toBeTruthy();
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      name: 'Harbour Clinic',
      settings: {
        ...settings,
        workingHours: { days: [1, 2, 3, 4, 5, 6], start: '08:00', end: '17:30' },
        languages: ['en'],
        onCallSupervisorUserId: ids.sup,
        urgentEscalationHours: 2,
        retentionYears: 10,
        linkExpiryDays: null,
      },
    });
  });

  it.each([
    ['settings.workingHours.end', 'Use 24-hour time, e.g. 08:30.', 'Closes at'],
    ['settings.onCallSupervisorUserId', 'The on-call supervisor must be an active supervisor or admin of this clinic.', 'On-call supervisor'],
    ['settings.retentionYears', 'Too big: expected number to be <=100', 'Erase a client’s records after (years)'],
  ])('puts the server’s error on %s next to its field', async (field, message, label) => {
    fakeApi({
      ...signedIn(),
      'GET /api/v1/users': { status: 200, body: { items: people } },
      'PATCH /api/v1/organisation': { status: 400, body: { error: { code: 'validation_failed', message, field } } },
    });
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Save' }));
    const input = screen.getByLabelText(label);
    await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(input.getAttribute('aria-describedby')!.split(' ').pop()!)?.textContent).toBe(message);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('puts an error about the languages on the group, and shows a server message in French to a French admin', async () => {
    fakeApi({
      ...signedIn('admin', 'fr'),
      'GET /api/v1/users': { status: 200, body: { items: people } },
      'PATCH /api/v1/organisation': { status: 400, body: { error: { code: 'validation_failed', message: 'Too small: expected array to have >=1 items', field: 'settings.languages' } } },
    });
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Enregistrer' }));
    const group = await screen.findByRole('group', { name: 'Langues proposées' });
    await waitFor(() => expect(within(group).getByText('Cette valeur n’est pas valide.')).toBeTruthy());
  });

  it('says when the settings cannot be loaded, and offers to try again', async () => {
    fakeApi({ ...signedIn(), 'GET /api/v1/users': { status: 500, body: { error: { code: 'internal', message: 'Boom.' } } } });
    render(<App />);
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});

describe('custom instruments', slow, () => {
  beforeEach(() => navigate('/admin/custom-instruments', { replace: true }));
  const version = (v: number, current: boolean) => ({ id: `v${v}`, instrumentId: 'clinic_sleep', version: v, current, uploadedAt: '2026-11-20T10:00:00Z', uploadedBy: ids.me, uploadedByName: 'Lee Admin', definitionVersion: `1.${v - 1}.0`, shortName: 'Sleep check', name: 'Clinic sleep check', respondent: 'client', itemCount: 3 });

  it('is in the administration menu next to content packs, and says when there are none yet', async () => {
    fakeApi({ ...signedIn(), 'GET /api/v1/custom-instruments': { status: 200, body: { items: [] } } });
    render(<App />);
    expect(await screen.findByText('No custom instruments yet.')).toBeTruthy();
    const links = within(screen.getByRole('navigation', { name: 'Main' })).getAllByRole('link').map((l) => l.textContent);
    expect(links.indexOf('Custom instruments')).toBe(links.indexOf('Content packs') + 1);
  });

  it('lists each version and what the one in use unlocks', async () => {
    fakeApi({ ...signedIn(), 'GET /api/v1/custom-instruments': { status: 200, body: { items: [version(2, true), version(1, false)] } } });
    render(<App />);
    const rows = within(await screen.findByRole('table')).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.textContent).toContain('Can be chosen in protocols and questionnaires as clinic_sleep: 3 items, answered by the client.');
    expect(rows[0]!.textContent).toContain('2 · in use');
    expect(rows[1]!.textContent).toContain('1 · earlier version');
  });

  it('uploads a pasted definition and lists the new version', async () => {
    let items = [version(1, true)];
    const calls = fakeApi({
      ...signedIn(),
      'GET /api/v1/custom-instruments': () => ({ status: 200, body: { items } }),
      'POST /api/v1/custom-instruments': () => {
        items = [version(2, true), version(1, false)];
        return { status: 201, body: items[0] };
      },
    });
    render(<App />);
    await screen.findByRole('table');
    fireEvent.change(screen.getByLabelText('Or paste the definition (JSON)'), { target: { value: '{ "id": "clinic_sleep", "version": "1.1.0" }' } });
    fireEvent.click(screen.getByRole('button', { name: 'Check and upload' }));
    expect(await screen.findByText('Sleep check version 2 is now in use.')).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ id: 'clinic_sleep', version: '1.1.0' });
    await waitFor(() => expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(3));
  });

  it('reads a chosen file into the box before sending it', async () => {
    const calls = fakeApi({ ...signedIn(), 'GET /api/v1/custom-instruments': { status: 200, body: { items: [] } }, 'POST /api/v1/custom-instruments': { status: 201, body: version(1, true) } });
    render(<App />);
    await screen.findByText('No custom instruments yet.');
    const file = new File(['{"id":"clinic_sleep"}'], 'sleep.json', { type: 'application/json' });
    fireEvent.change(screen.getByLabelText('Definition file (JSON)'), { target: { files: [file] } });
    await waitFor(() => expect((screen.getByLabelText('Or paste the definition (JSON)') as HTMLTextAreaElement).value).toBe('{"id":"clinic_sleep"}'));
    fireEvent.click(screen.getByRole('button', { name: 'Check and upload' }));
    await screen.findByText('Sleep check version 1 is now in use.');
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ id: 'clinic_sleep' }]);
  });

  it('shows the library’s refusal naming the item, and in French keeps the server’s details', async () => {
    const refusal = { error: { code: 'invalid_definition', message: 'This instrument definition is not valid: items.2.response: options must not be empty', field: 'items.clinic_sleep_2' } };
    fakeApi({ ...signedIn('admin', 'fr'), 'GET /api/v1/custom-instruments': { status: 200, body: { items: [] } }, 'POST /api/v1/custom-instruments': { status: 400, body: refusal } });
    render(<App />);
    await screen.findByText('Aucun instrument propre pour l’instant.');
    fireEvent.change(screen.getByLabelText('Ou collez la définition (JSON)'), { target: { value: '{"id":"clinic_sleep"}' } });
    fireEvent.click(screen.getByRole('button', { name: 'Vérifier et téléverser' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Cette définition d’instrument n’est pas valide.');
    expect(alert.textContent).toContain('Emplacement : items.clinic_sleep_2');
    expect(within(alert).getByText(refusal.error.message).getAttribute('lang')).toBe('en');
  });

  it.each([
    ['', 'Choose a file or paste a definition first.'],
    ['{ "id": ', 'That is not JSON. Check for a missing comma, bracket or quote.'],
    ['[1, 2]', 'A definition is one JSON object, in braces.'],
  ])('refuses %j before sending anything', async (text, message) => {
    const calls = fakeApi({ ...signedIn(), 'GET /api/v1/custom-instruments': { status: 200, body: { items: [] } } });
    render(<App />);
    await screen.findByText('No custom instruments yet.');
    fireEvent.change(screen.getByLabelText('Or paste the definition (JSON)'), { target: { value: text } });
    fireEvent.click(screen.getByRole('button', { name: 'Check and upload' }));
    expect((await screen.findByRole('alert')).textContent).toBe(message);
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });
});

describe('staff list and invitations', slow, () => {
  beforeEach(() => navigate('/admin/users', { replace: true }));
  const axeClean = async (node: Element) => (await axe.run(node, { rules: { 'color-contrast': { enabled: false } } })).violations;
  const pendingId = '00000000-0000-4000-8000-0000000000a1';
  const withdrawnId = '00000000-0000-4000-8000-0000000000a2';
  const pending = staff(pendingId, 'Ivy Invited', 'clinician', { email: 'ivy@clinic.test', status: 'invited', joined: false, mfaEnabled: false, experienceYears: 4, trainee: true });
  const withdrawn = staff(withdrawnId, 'Wes Withdrawn', 'supervisor', { email: 'wes@clinic.test', status: 'deactivated', joined: false, mfaEnabled: false, deactivatedAt: '2026-11-01T00:00:00Z' });
  const departed = staff(ids.gone, 'Dee Departed', 'clinician', { status: 'deactivated', deactivatedAt: '2026-10-01T00:00:00Z' });
  const rowOf = async (name: string) => (await screen.findByRole('rowheader', { name: new RegExp(name) })).closest('tr')!;
  const buttonsIn = (row: HTMLElement) => within(row).queryAllByRole('button').map((b) => b.textContent);

  it('offers only resending or withdrawing an invitation not yet accepted, and reactivation to a member who left', async () => {
    fakeApi({ ...signedIn(), 'GET /api/v1/users': { status: 200, body: { items: [...people, pending, withdrawn, departed] } } });
    const { container } = render(<App />);
    const ivy = await rowOf('Ivy Invited');
    expect(within(ivy).getByText('Invitation pending')).toBeTruthy();
    expect(buttonsIn(ivy)).toEqual(['Resend invitation Ivy Invited', 'Withdraw Ivy Invited']);
    expect(within(ivy).queryByRole('link')).toBeNull();
    const wes = await rowOf('Wes Withdrawn');
    expect(within(wes).getByText('Invitation withdrawn')).toBeTruthy();
    expect(buttonsIn(wes)).toEqual(['Resend invitation Wes Withdrawn']);
    expect(within(wes).queryByRole('link')).toBeNull();
    const dee = await rowOf('Dee Departed');
    expect(within(dee).getByText('Deactivated')).toBeTruthy();
    expect(buttonsIn(dee)).toEqual(['Reactivate Dee Departed', 'Reset two-step sign-in Dee Departed']);
    expect(await axeClean(container)).toEqual([]);
  });

  it('resends an invitation with what was typed, and withdraws one, saying so', async () => {
    const calls = fakeApi({
      ...signedIn(),
      'GET /api/v1/users': { status: 200, body: { items: [...people, pending] } },
      'POST /api/v1/users/invite': { status: 201, body: pending },
      [`POST /api/v1/users/${pendingId}/deactivate`]: { status: 200, body: { ...pending, status: 'deactivated', deactivatedAt: '2026-11-25T00:00:00Z' } },
    });
    const { container } = render(<App />);
    const ivy = await rowOf('Ivy Invited');
    fireEvent.click(within(ivy).getByRole('button', { name: /^Resend invitation/ }));
    expect(await screen.findByText(`The invitation was sent again to ${pending.email}. The earlier link no longer works.`)).toBeTruthy();
    expect(calls.find((c) => c.url === '/api/v1/users/invite')).toEqual({
      method: 'POST',
      url: '/api/v1/users/invite',
      body: { email: pending.email, displayName: 'Ivy Invited', role: 'clinician', experienceYears: 4, trainee: true },
    });
    fireEvent.click(within(ivy).getByRole('button', { name: /^Withdraw/ }));
    expect(await screen.findByText(`The invitation to ${pending.email} was withdrawn.`)).toBeTruthy();
    await waitFor(() => expect(within(ivy).getByText('Invitation withdrawn')).toBeTruthy());
    expect(buttonsIn(ivy)).toEqual(['Resend invitation Ivy Invited']);
    expect(calls.some((c) => /reactivate|mfa-reset/.test(c.url))).toBe(false);
    expect(await axeClean(container)).toEqual([]);
  });

  it('shows the server’s refusal next to the invitation’s actions', async () => {
    fakeApi({
      ...signedIn(),
      'GET /api/v1/users': { status: 200, body: { items: [...people, withdrawn] } },
      'POST /api/v1/users/invite': { status: 503, body: { error: { code: 'mail_failed', message: 'The invitation was saved but its email could not be sent. Invite them again to retry.' } } },
    });
    render(<App />);
    const wes = await rowOf('Wes Withdrawn');
    fireEvent.click(within(wes).getByRole('button', { name: /^Resend invitation/ }));
    expect((await within(wes).findByRole('alert')).textContent).toBe('The invitation was saved but its email could not be sent. Invite them again to retry.');
  });

  it('says it in French to a French admin', async () => {
    fakeApi({ ...signedIn('admin', 'fr'), 'GET /api/v1/users': { status: 200, body: { items: [...people, pending] } } });
    render(<App />);
    const ivy = await rowOf('Ivy Invited');
    expect(within(ivy).getByText('Invitation en attente')).toBeTruthy();
    expect(buttonsIn(ivy)).toEqual(['Renvoyer l’invitation Ivy Invited', 'Retirer Ivy Invited']);
  });
});

describe('calibration for supervision', slow, () => {
  it('links each therapist’s calibration from the staff list, and opens a shared report named for them', async () => {
    navigate('/admin/users', { replace: true });
    fakeApi({ ...signedIn('supervisor'), 'GET /api/v1/users': { status: 200, body: { items: people } }, [`GET /api/v1/users/${ids.clin}/calibration`]: { status: 200, body: calibration(ids.clin) } });
    render(<App />);
    const row = (await screen.findByRole('rowheader', { name: /Sam Supervisor/ })).closest('tr')!;
    expect(within(row).getByText('(not shared)')).toBeTruthy();
    fireEvent.click(screen.getByRole('link', { name: 'Calibration of Robin Clinician' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Calibration: Robin Clinician' })).toBeTruthy();
    expect(await screen.findByText(/^On average Robin Clinician rates the alliance 6\.2 points \(percent of the scale\) above their clients, over 12 sessions/)).toBeTruthy();
    expect(screen.getAllByRole('columnheader', { name: 'Mean gap (therapist − client)' }).length).toBeGreaterThan(0);
  });

  it('says "not shared by this therapist" when the server hides the report', async () => {
    navigate(`/admin/users/${ids.sup}/calibration`, { replace: true });
    fakeApi({ ...signedIn('admin'), 'GET /api/v1/users': { status: 200, body: { items: people } }, [`GET /api/v1/users/${ids.sup}/calibration`]: { status: 404, body: { error: { code: 'not_found', message: 'No such calibration report.' } } } });
    render(<App />);
    expect(await screen.findByText(/^Not shared by this therapist\./)).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Calibration: Sam Supervisor' })).toBeTruthy();
  });

  it('keeps a therapist’s report away from a clinician', async () => {
    navigate(`/admin/users/${ids.clin}/calibration`, { replace: true });
    const calls = fakeApi({ ...signedIn('clinician') });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Your role cannot open this page' })).toBeTruthy();
    expect(calls.some((c) => c.url.includes('/calibration'))).toBe(false);
  });
});

describe('my calibration', slow, () => {
  beforeEach(() => navigate('/calibration', { replace: true }));

  it('lets the therapist turn sharing with supervisors on and off', async () => {
    let consent = false;
    const calls = fakeApi({
      ...signedIn('clinician'),
      'GET /api/v1/me/calibration': { status: 200, body: calibration(ids.me, 8, -3.1) },
      'GET /api/v1/me/settings': () => ({ status: 200, body: { locale: 'en', calibrationConsent: consent } }),
      'PATCH /api/v1/me/settings': (_url, init) => {
        consent = JSON.parse(String(init.body)).calibrationConsent;
        return { status: 200, body: { locale: 'en', calibrationConsent: consent } };
      },
    });
    render(<App />);
    const box = (await screen.findByRole('checkbox', { name: 'Let this clinic’s supervisors and admins see my calibration report' })) as HTMLInputElement;
    expect(box.checked).toBe(false);
    expect(screen.getByText(/^Not shared: only you can see your report\./)).toBeTruthy();
    fireEvent.click(box);
    await screen.findByText(/^Shared: this clinic’s supervisors and admins can open your report\./);
    expect(box.checked).toBe(true);
    expect(await screen.findByText(/^On average you rate the alliance 3\.1 points/)).toBeTruthy();
    fireEvent.click(box);
    await screen.findByText(/^Not shared/);
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ calibrationConsent: true }, { calibrationConsent: false }]);
  });
});
