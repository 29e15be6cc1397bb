import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setFetcher } from '../api/client';
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
  settings: { colour: '#2F6F8F', timeZone: 'Europe/London', workingHours: { days: [1], start: '08:00', end: '18:00' }, mfaRequired: false, crisisResources: null, linkExpiryDays: 4, reminderAfterDays: 2, quietHours: { start: '21:00', end: '08:00' }, onCallSupervisorUserId: null, languages: ['en', 'fr'] },
  updatedAt: '2026-11-01T00:00:00Z',
};
const client = (id: string, givenName: string, familyName: string) => ({ id, givenName, familyName, preferredName: null, status: 'active' });
const signedIn = { 'GET /api/v1/me': { status: 200, body: me }, 'GET /api/v1/organisation': { status: 200, body: organisation } };

beforeEach(() => navigate('/', { replace: true }));
afterEach(() => setFetcher((...args) => fetch(...args)));

describe('sign-in', () => {
  beforeEach(() => navigate('/sign-in', { replace: true }));

  it('puts a server error that names a field next to that field', async () => {
    fakeApi({
      'GET /api/v1/me': { status: 401, body: { error: { code: 'unauthorized', message: 'Sign in first.' } } },
      'POST /api/v1/auth/sign-in': { status: 400, body: { error: { code: 'validation_failed', message: 'Enter an email address.', field: 'email' } } },
    });
    render(<App />);
    fireEvent.change(await screen.findByLabelText('Email address'), { target: { value: 'nope' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const email = screen.getByLabelText('Email address');
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    const describedBy = email.getAttribute('aria-describedby')!;
    expect(document.getElementById(describedBy)?.textContent).toBe('Enter an email address.');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows an error that names no field above the form, announced', async () => {
    fakeApi({
      'GET /api/v1/me': { status: 401, body: { error: { code: 'unauthorized', message: 'Sign in first.' } } },
      'POST /api/v1/auth/sign-in': { status: 401, body: { error: { code: 'invalid_credentials', message: 'That email and password do not match.' } } },
    });
    render(<App />);
    fireEvent.change(await screen.findByLabelText('Email address'), { target: { value: 'a@b.test' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That email and password do not match.');
  });

  it('asks for the second step when the server says so', async () => {
    let stage = 'none';
    fakeApi({
      'GET /api/v1/me': () => (stage === 'mfa' ? { status: 200, body: { ...me, stage: 'mfa' } } : { status: 401, body: { error: { code: 'unauthorized', message: 'x' } } }),
      'POST /api/v1/auth/sign-in': () => {
        stage = 'mfa';
        return { status: 200, body: { stage: 'mfa' } };
      },
    });
    render(<App />);
    fireEvent.change(await screen.findByLabelText('Email address'), { target: { value: 'a@b.test' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'right' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Two-step sign-in' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Use a recovery code instead' }));
    expect(screen.getByLabelText('Recovery code')).toBeTruthy();
  });
});

// The caseload's own tests are in caseload/caseload.test.tsx.

describe('today', () => {
  beforeEach(() => navigate('/today', { replace: true }));

  it('records attendance in one click and shows the new status as pressed', async () => {
    const at = new Date().toISOString();
    const appointment = { id: 'p1', clientId: 'c1', episodeId: null, clinicianId: me.user.id, startsAt: at, durationMinutes: 50, kind: 'treatment', status: 'scheduled', cancelledBy: null, createdAt: at, updatedAt: at };
    const calls = fakeApi({
      ...signedIn,
      'GET /api/v1/appointments': { status: 200, body: { date: '2026-11-25', timeZone: 'Europe/London', items: [{ ...appointment, client: client('c1', 'Ada', 'Lovelace'), clinician: { id: me.user.id, displayName: 'Morgan Clinician' } }] } },
      'POST /api/v1/clients/c1/appointments/p1/attendance': { status: 200, body: { ...appointment, status: 'attended' } },
    });
    render(<App />);
    const group = await screen.findByRole('group', { name: 'Attendance for Ada Lovelace' });
    fireEvent.click(within(group).getByRole('button', { name: 'Attended' }));
    await waitFor(() => expect(within(group).getByRole('button', { name: 'Attended' }).getAttribute('aria-pressed')).toBe('true'));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ status: 'attended' });
  });

  it('says when the day is empty, in French too', async () => {
    fakeApi({ ...signedIn, 'GET /api/v1/me': { status: 200, body: { ...me, user: { ...me.user, locale: 'fr' } } }, 'GET /api/v1/appointments': { status: 200, body: { date: '2026-11-25', timeZone: 'Europe/London', items: [] } } });
    render(<App />);
    expect(await screen.findByText('Aucun rendez-vous ce jour-là.')).toBeTruthy();
    expect(document.documentElement.lang).toBe('fr');
  });
});
