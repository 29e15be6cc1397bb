import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request, setFetcher, toApiError } from '../api/client';
import { fakeApi } from '../test/fake-api';
import { knownServerErrors, localiseServerError, setServerErrorLocale } from './server-errors';

afterEach(() => {
  setServerErrorLocale('en');
  setFetcher((...args) => fetch(...args));
});

describe('server errors in the user’s language', () => {
  it.each([
    ['last_admin', 'A clinic needs at least one active admin.', 'Une clinique a besoin d’au moins un administrateur actif. Nommez d’abord quelqu’un d’autre administrateur.'],
    ['validation_failed', 'This field is required.', 'Ce champ est obligatoire.'],
    ['validation_failed', 'Use a hex colour such as #2F6F8F.', 'Utilisez une couleur hexadécimale comme #2F6F8F.'],
    ['validation_failed', 'Too small: expected number to be >=1', 'Cette valeur n’est pas valide.'],
    ['not_found', 'No such client.', 'Introuvable : cet élément n’existe pas ou ne vous est pas accessible.'],
    ['some_future_code', 'A sentence only the server knows.', 'A sentence only the server knows.'],
  ])('in French, code %s with %j reads %j', (code, message, expected) => {
    expect(localiseServerError(code, message, 'fr')).toBe(expected);
  });

  it('keeps the server’s own sentence in English, even for a code it knows', () => {
    expect(localiseServerError('not_found', 'No such client.', 'en')).toBe('No such client.');
    expect(localiseServerError('validation_failed', 'This field is required.', 'en')).toBe('This field is required.');
  });

  it('does not treat inherited object keys as codes', () => {
    expect(localiseServerError('toString', 'Server text.', 'fr')).toBe('Server text.');
  });

  it('translates in toApiError, keeping code, field and the server’s message', () => {
    setServerErrorLocale('fr');
    const error = toApiError(400, { error: { code: 'validation_failed', message: 'Use 24-hour time, e.g. 08:30.', field: 'settings.quietHours.start' } });
    expect({ message: error.message, code: error.code, field: error.field, serverMessage: error.serverMessage }).toEqual({
      message: 'Utilisez l’heure sur 24 heures, par ex. 08:30.',
      code: 'validation_failed',
      field: 'settings.quietHours.start',
      serverMessage: 'Use 24-hour time, e.g. 08:30.',
    });
    expect(toApiError(502, '<html>').message).toBe('Un problème est survenu sur le serveur. Veuillez réessayer.');
  });

  it('gives a request’s error and a network failure in the language set last', async () => {
    fakeApi({ 'POST /api/v1/clients/c1/episodes': { status: 409, body: { error: { code: 'episode_open', message: 'This client already has an open episode of care. Close it before starting another.' } } } });
    setServerErrorLocale('fr');
    await expect(request('POST', '/api/v1/clients/c1/episodes', {})).rejects.toMatchObject({ status: 409, message: 'Ce client a déjà un épisode de soins ouvert. Clôturez-le avant d’en commencer un autre.' });
    setServerErrorLocale('en');
    await expect(request('POST', '/api/v1/clients/c1/episodes', {})).rejects.toMatchObject({ message: 'This client already has an open episode of care. Close it before starting another.' });
    setServerErrorLocale('fr');
    setFetcher(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(request('GET', '/api/v1/me')).rejects.toMatchObject({ status: 0, message: 'Le serveur est injoignable. Vérifiez votre connexion et réessayez.' });
  });
});

describe('the table stays in step with the server', () => {
  const serverSource = (() => {
    // The repository root is the working directory (npm test) or up to two levels above it (a package).
    const root = ['.', '..', '../..'].map((up) => join(process.cwd(), up, 'packages/server/src')).find((dir) => existsSync(dir))!;
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []));
    return files(root).map((f) => readFileSync(f, 'utf8')).join('\n');
  })();

  it('names only codes the server sends', () => {
    expect(knownServerErrors.codes.filter((code) => !serverSource.includes(`'${code}'`))).toEqual([]);
  });

  it('translates only sentences the server sends', () => {
    expect(knownServerErrors.sentences.filter((sentence) => !serverSource.includes(sentence))).toEqual([]);
  });
});
