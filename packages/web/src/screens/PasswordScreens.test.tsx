import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import axe from 'axe-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setFetcher } from '../api/client';
import { App } from '../app/App';
import { navigate } from '../app/router';
import { fakeApi } from '../test/fake-api';

const anonymous = { 'GET /api/v1/me': { status: 401, body: { error: { code: 'unauthorized', message: 'Sign in first.' } } } };
const invalidToken = { status: 401, body: { error: { code: 'invalid_token', message: 'This invitation has expired or was already used. Ask your administrator for a new one.' } } };
let n = 0;

/** Opens the emailed link with a fresh token; returns the token. */
function openInvitation(): string {
  const token = `invitation-token-${++n}-${'x'.repeat(30)}`;
  navigate(`/accept-invitation#token=${token}`, { replace: true });
  return token;
}

const axeClean = async (node: Element) => (await axe.run(node, { rules: { 'color-contrast': { enabled: false } } })).violations;

afterEach(() => setFetcher((...args) => fetch(...args)));

describe('accepting an invitation with an existing account', () => {
  beforeEach(() => Object.defineProperty(navigator, 'language', { value: 'en-GB', configurable: true }));

  it('asks only for the current password, names the clinic, and joins with it', async () => {
    const token = openInvitation();
    let accepted = false;
    const calls = fakeApi({
      ...anonymous,
      'POST /api/v1/auth/invitation/details': { status: 200, body: { organisationName: 'Harbour Clinic', existingAccount: true } },
      'POST /api/v1/auth/invitation/accept': (_url, init) => {
        const { password } = JSON.parse(String(init.body)) as { password: string };
        if (password !== 'my usual passphrase')
          return { status: 401, body: { error: { code: 'invalid_credentials', message: 'This email address already has a Rapport account. Enter the password you sign in with: accepting keeps it as it is.' } } };
        accepted = true;
        return { status: 204 };
      },
    });
    const { container } = render(<App />);
    expect(await screen.findByText('You already have a Rapport account: sign in with your current password to join Harbour Clinic. Your password stays as it is.')).toBeTruthy();
    expect(screen.queryByLabelText('New password', { exact: false })).toBeNull();
    expect(screen.queryByLabelText('Repeat the new password')).toBeNull();
    expect(screen.getByRole('link', { name: /Forgot your password/ }).getAttribute('href')).toBe('/forgot-password');
    expect(window.location.hash).toBe('');
    expect(calls.find((c) => c.url.includes('/invitation/details'))).toEqual({ method: 'POST', url: '/api/v1/auth/invitation/details', body: { token } });
    expect(await axeClean(container)).toEqual([]);

    const field = screen.getByLabelText('Current password');
    expect(field.getAttribute('autocomplete')).toBe('current-password');
    fireEvent.change(field, { target: { value: 'a new one I made up' } });
    fireEvent.click(screen.getByRole('button', { name: 'Join Harbour Clinic' }));
    await waitFor(() => expect(field.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(field.getAttribute('aria-describedby')!)?.textContent).toBe('That is not the password you sign in with.');
    expect(await axeClean(container)).toEqual([]);

    fireEvent.change(field, { target: { value: 'my usual passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Join Harbour Clinic' }));
    expect((await screen.findByRole('status')).textContent).toBe('You have joined Harbour Clinic. Sign in as usual to work there.');
    expect(accepted).toBe(true);
    expect(calls.filter((c) => c.url === '/api/v1/auth/invitation/accept').map((c) => c.body)).toEqual([
      { token, password: 'a new one I made up' },
      { token, password: 'my usual passphrase' },
    ]);
  });

  it('speaks French to a French browser', async () => {
    Object.defineProperty(navigator, 'language', { value: 'fr-FR', configurable: true });
    openInvitation();
    fakeApi({ ...anonymous, 'POST /api/v1/auth/invitation/details': { status: 200, body: { organisationName: 'Cabinet du Port', existingAccount: true } } });
    render(<App />);
    expect(await screen.findByText('Vous avez déjà un compte Rapport : connectez-vous avec votre mot de passe actuel pour rejoindre Cabinet du Port. Votre mot de passe ne change pas.')).toBeTruthy();
    expect(screen.getByLabelText('Mot de passe actuel')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Rejoindre Cabinet du Port' })).toBeTruthy();
  });
});

describe('accepting an invitation as someone new', () => {
  beforeEach(() => Object.defineProperty(navigator, 'language', { value: 'en-GB', configurable: true }));

  it('asks for a new password twice, naming the clinic', async () => {
    const token = openInvitation();
    const calls = fakeApi({
      ...anonymous,
      'POST /api/v1/auth/invitation/details': { status: 200, body: { organisationName: 'Harbour Clinic', existingAccount: false } },
      'POST /api/v1/auth/invitation/accept': { status: 204 },
    });
    const { container } = render(<App />);
    expect(await screen.findByText('Harbour Clinic has invited you. Choose a password to finish setting up your account.')).toBeTruthy();
    expect(screen.queryByLabelText('Current password')).toBeNull();
    expect(await axeClean(container)).toEqual([]);
    fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'a brand new passphrase' } });
    fireEvent.change(screen.getByLabelText('Repeat the new password'), { target: { value: 'a brand new passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create my account' }));
    expect((await screen.findByRole('status')).textContent).toContain('Your account is ready.');
    expect(calls.find((c) => c.url === '/api/v1/auth/invitation/accept')?.body).toEqual({ token, password: 'a brand new passphrase' });
  });
});

describe('an invitation that cannot be used', () => {
  beforeEach(() => Object.defineProperty(navigator, 'language', { value: 'en-GB', configurable: true }));

  it('says an expired or used invitation needs a new one, and shows no form', async () => {
    openInvitation();
    fakeApi({ ...anonymous, 'POST /api/v1/auth/invitation/details': invalidToken });
    const { container } = render(<App />);
    expect((await screen.findByRole('alert')).textContent).toBe('This invitation has expired or was already used. Ask your clinic’s administrator to invite you again.');
    const card = container.querySelector<HTMLElement>('.auth-card')!;
    expect(within(card).queryByRole('button')).toBeNull();
    expect(within(card).queryByLabelText(/password/i)).toBeNull();
    expect(await axeClean(container)).toEqual([]);
  });

  it('shows that it is checking, then offers to try again when the server does not answer', async () => {
    openInvitation();
    let release: (() => void) | undefined;
    let attempts = 0;
    fakeApi({
      ...anonymous,
      'POST /api/v1/auth/invitation/details': async () => {
        attempts++;
        if (attempts === 1) {
          await new Promise<void>((resolve) => (release = resolve));
          return { status: 503, body: { error: { code: 'unavailable', message: 'Try again later.' } } };
        }
        return { status: 200, body: { organisationName: 'Harbour Clinic', existingAccount: false } };
      },
    });
    render(<App />);
    expect((await screen.findByRole('status')).textContent).toBe('Checking your invitation…');
    await waitFor(() => expect(release).toBeDefined());
    release!();
    const alert = await screen.findByRole('alert');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByLabelText('Repeat the new password')).toBeTruthy();
    expect(alert.isConnected).toBe(false);
  });
});
