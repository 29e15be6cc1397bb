import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, fieldError, formError, onUnauthorised, request, setFetcher, toApiError } from './client';
import { fakeApi } from '../test/fake-api';

afterEach(() => setFetcher((...args) => fetch(...args)));

describe('toApiError', () => {
  it.each([
    [400, { error: { code: 'validation_failed', message: 'This field is required.', field: 'givenName' } }, 'validation_failed', 'This field is required.', 'givenName'],
    [409, { error: { code: 'episode_open', message: 'An episode is already open.' } }, 'episode_open', 'An episode is already open.', undefined],
    [400, { error: { code: 'bad_request', message: 'Bad.', field: '' } }, 'bad_request', 'Bad.', undefined],
    [500, undefined, 'http_500', 'Something went wrong on the server. Please try again.', undefined],
    [502, '<html>bad gateway</html>', 'http_502', 'Something went wrong on the server. Please try again.', undefined],
    [403, { message: 'not our shape' }, 'http_403', 'The request was refused.', undefined],
  ])('maps a %i with body %j to code %s', (status, body, code, message, field) => {
    const error = toApiError(status, body);
    expect(error).toBeInstanceOf(ApiError);
    expect({ status: error.status, code: error.code, message: error.message, field: error.field }).toEqual({ status, code, message, field });
  });
});

describe('request', () => {
  it('sends JSON with the session cookie and returns the parsed body', async () => {
    const fetcher = vi.fn(async () => new Response(JSON.stringify({ id: 'c1' }), { status: 201 }));
    setFetcher(fetcher);
    await expect(request('POST', '/api/v1/clients', { givenName: 'Ada' })).resolves.toEqual({ id: 'c1' });
    expect(fetcher).toHaveBeenCalledWith('/api/v1/clients', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: '{"givenName":"Ada"}',
    });
  });

  it('returns undefined for a 204', async () => {
    fakeApi({ 'DELETE /x': { status: 204 } });
    await expect(request('DELETE', '/x')).resolves.toBeUndefined();
  });

  it('throws the server error with its field', async () => {
    fakeApi({ 'PATCH /api/v1/organisation': { status: 400, body: { error: { code: 'validation_failed', message: 'Use a hex colour such as #2F6F8F.', field: 'settings.colour' } } } });
    const error = await request('PATCH', '/api/v1/organisation', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 'validation_failed', field: 'settings.colour' });
  });

  it('turns a failed fetch into a network error with status 0', async () => {
    setFetcher(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(request('GET', '/api/v1/me')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('tells listeners about a 401 unless the call expects one', async () => {
    fakeApi({ 'GET /api/v1/me': { status: 401, body: { error: { code: 'unauthorized', message: 'Sign in.' } } } });
    const listener = vi.fn();
    const stop = onUnauthorised(listener);
    await request('GET', '/api/v1/me', undefined, { quiet401: true }).catch(() => undefined);
    expect(listener).not.toHaveBeenCalled();
    await request('GET', '/api/v1/me').catch(() => undefined);
    expect(listener).toHaveBeenCalledTimes(1);
    stop();
  });
});

describe('fieldError and formError', () => {
  const error = new ApiError(400, 'validation_failed', 'Use a hex colour such as #2F6F8F.', 'settings.colour');

  it.each([
    ['colour', 'settings', 'Use a hex colour such as #2F6F8F.'],
    ['colour', undefined, undefined],
    ['name', 'settings', undefined],
  ])('field %s with prefix %s gets %s', (field, prefix, expected) => {
    expect(fieldError(error, field, prefix)).toBe(expected);
  });

  it('matches a nested path to its top-level field (quietHours.start → quietHours)', () => {
    expect(fieldError(new ApiError(400, 'v', 'Use 24-hour time.', 'settings.quietHours.start'), 'quietHours', 'settings')).toBe('Use 24-hour time.');
  });

  it('puts the message above the form only when no field claims it', () => {
    expect(formError(error, ['colour'], 'settings')).toBeUndefined();
    expect(formError(error, ['name'])).toBe('Use a hex colour such as #2F6F8F.');
    expect(formError(new ApiError(409, 'conflict', 'Already taken.'), ['name'])).toBe('Already taken.');
    expect(formError(undefined, ['name'])).toBeUndefined();
  });
});
