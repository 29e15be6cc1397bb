import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setFetcher } from '../api/client';
import type { MySettings } from '../api/types';
import { App } from '../app/App';
import { navigate } from '../app/router';
import { fakeApi } from '../test/fake-api';

const me = (locale: 'en' | 'fr') => ({
  user: { id: '00000000-0000-4000-8000-000000000001', email: 'morgan@clinic.test', displayName: 'Morgan Clinician', mfaEnabled: true, locale },
  organisation: { id: '00000000-0000-4000-8000-000000000002', name: 'Harbour Clinic' },
  role: 'clinician',
  stage: 'full',
  organisations: [],
});
const settings: MySettings = { locale: 'en', calibrationConsent: false, alertMobile: null, smsUrgentAlerts: false, smsUrgentAlertsSetAt: null, smsAvailable: true };
const mobileRefused = { status: 400, body: { error: { code: 'validation_failed', message: 'Enter the mobile number in international format, e.g. +44 7700 900123.', field: 'alertMobile' } } };

beforeEach(() => navigate('/account', { replace: true }));
afterEach(() => setFetcher((...args) => fetch(...args)));

describe('my account: urgent alerts by text', () => {
  it('saves my own mobile number and my consent to texts, labelled for assistive technology', async () => {
    const calls = fakeApi({
      'GET /api/v1/me': { status: 200, body: me('en') },
      'GET /api/v1/me/settings': { status: 200, body: settings },
      'PATCH /api/v1/me/settings': { status: 200, body: { ...settings, alertMobile: '+447700900123', smsUrgentAlerts: true, smsUrgentAlertsSetAt: '2026-11-26T02:00:00.000Z' } },
    });
    render(<App />);
    const mobile = await screen.findByLabelText('Mobile number for urgent alerts');
    expect(mobile.getAttribute('type')).toBe('tel');
    expect(document.getElementById(mobile.getAttribute('aria-describedby')!)?.textContent).toContain('international format');
    const consent = screen.getByLabelText('Text me when an urgent item is waiting') as HTMLInputElement;
    expect(consent.checked).toBe(false);
    expect(document.getElementById(consent.getAttribute('aria-describedby')!)?.textContent).toContain('no name, questionnaire or score');

    fireEvent.change(mobile, { target: { value: ' +44 7700 900123 ' } });
    fireEvent.click(consent);
    fireEvent.click(screen.getByRole('button', { name: 'Save text settings' }));
    expect((await screen.findByRole('status')).textContent).toBe('Text settings saved.');
    expect(calls.filter((c) => c.method === 'PATCH')).toEqual([{ method: 'PATCH', url: '/api/v1/me/settings', body: { alertMobile: '+44 7700 900123', smsUrgentAlerts: true } }]);
    expect((screen.getByLabelText('Mobile number for urgent alerts') as HTMLInputElement).value).toBe('+447700900123');
  });

  it('sends an emptied number as none, and shows the server’s message about the number at the field', async () => {
    const calls = fakeApi({
      'GET /api/v1/me': { status: 200, body: me('en') },
      'GET /api/v1/me/settings': { status: 200, body: { ...settings, alertMobile: '+447700900123', smsUrgentAlerts: true } },
      'PATCH /api/v1/me/settings': { status: 400, body: { error: { code: 'alert_mobile_required', message: 'Enter your mobile number to be texted about urgent items.', field: 'alertMobile' } } },
    });
    render(<App />);
    const mobile = await screen.findByLabelText('Mobile number for urgent alerts');
    await waitFor(() => expect((mobile as HTMLInputElement).value).toBe('+447700900123'));
    fireEvent.change(mobile, { target: { value: '  ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save text settings' }));
    await waitFor(() => expect(mobile.getAttribute('aria-invalid')).toBe('true'));
    const described = mobile.getAttribute('aria-describedby')!.split(' ').map((id) => document.getElementById(id)?.textContent);
    expect(described).toContain('Enter your mobile number to be texted about urgent items.');
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ alertMobile: null, smsUrgentAlerts: true }]);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows the server’s refusal of a number in French, and says when texts are not set up on the server', async () => {
    fakeApi({
      'GET /api/v1/me': { status: 200, body: me('fr') },
      'GET /api/v1/organisation': { status: 404, body: { error: { code: 'not_found', message: 'x' } } },
      'GET /api/v1/me/settings': { status: 200, body: { ...settings, locale: 'fr', smsAvailable: false } },
      'PATCH /api/v1/me/settings': mobileRefused,
    });
    render(<App />);
    const mobile = await screen.findByLabelText('Numéro de mobile pour les alertes urgentes');
    expect(screen.getByText('Les SMS ne sont pas encore configurés sur ce serveur : vous recevrez seulement l’e-mail.')).toBeTruthy();
    fireEvent.change(mobile, { target: { value: '07700 900123' } });
    fireEvent.click(screen.getByLabelText('M’envoyer un SMS quand un élément urgent m’attend'));
    fireEvent.click(screen.getByRole('button', { name: 'Enregistrer les réglages SMS' }));
    await waitFor(() => expect(mobile.getAttribute('aria-invalid')).toBe('true'));
    const described = mobile.getAttribute('aria-describedby')!.split(' ').map((id) => document.getElementById(id)?.textContent);
    expect(described).toContain('Saisissez le numéro de mobile au format international, par ex. +33 6 12 34 56 78.');
  });
});
