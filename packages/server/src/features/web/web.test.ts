import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App, AppDeps } from '../../app';
import { isReserved, registerWebRoutes } from './web.routes';

/** A bare Fastify with the app's JSON 404, so the web routes are tested without a database. */
async function appWith(distDir: string) {
  const app = Fastify();
  app.setNotFoundHandler((_req, reply) => reply.status(404).send({ error: { code: 'not_found', message: 'There is nothing at this address.' } }));
  app.get('/api/v1/thing', async () => ({ ok: true }));
  registerWebRoutes(app as unknown as App, {} as AppDeps, distDir);
  await app.ready();
  return app;
}

let dist: string;
beforeAll(() => {
  dist = mkdtempSync(join(tmpdir(), 'rapport-web-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Rapport app</title><div id="root"></div>');
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dist, 'app-sections.json'), JSON.stringify(['clients', 'reset-password', 'admin']));
});
afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe('the web app routes', () => {
  it('serve index.html at / and at every client-side route, revalidated each time', async () => {
    const app = await appWith(dist);
    for (const url of ['/', '/clients/8d3c', '/reset-password', '/admin/users?x=1']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('Rapport app');
    }
  });

  it('serve hashed assets with a year-long immutable cache and other files without one', async () => {
    const app = await appWith(dist);
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('public, max-age=0');
  });

  it.each(['/assets/missing.js', '/nothing.png', '/../package.json', '/%2e%2e/%2e%2e/package.json', '/assets/../../secret.txt', '/c/some-token', '/wp-login', '/clientsx/1'])(
    'answer a missing file, a path outside the build or an address the app does not own (%s) with the JSON 404',
    async (url) => {
      const app = await appWith(dist);
      const res = await app.inject({ method: 'GET', url });
      if (res.statusCode === 200) expect(res.body).toContain('Rapport app'); // normalised back inside dist: the app itself
      else expect(res.json()).toEqual({ error: { code: 'not_found', message: 'There is nothing at this address.' } });
    },
  );

  it.each(['/api/v1/nope', '/api', '/q/unknown/deeper', '/kiosk/x/y', '/healthz/x', '/internal/x', '/fhir/Patient'])(
    'never shadow the reserved address %s',
    async (url) => {
      const app = await appWith(dist);
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    },
  );

  it('leave the API routes to the API', async () => {
    const app = await appWith(dist);
    const res = await app.inject({ method: 'GET', url: '/api/v1/thing' });
    expect(res.json()).toEqual({ ok: true });
  });

  it('show the home page with a hint to build at / when there is no build, and 404 elsewhere', async () => {
    const app = await appWith(join(dist, 'not-built'));
    const home = await app.inject({ method: 'GET', url: '/' });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('npm run build -w @rapport/web');
    for (const url of ['/clients/8d3c', '/assets/index.js']) expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
  });

  it.each([
    ['/api', true],
    ['/api/v1/me', true],
    ['/apiary', false],
    ['/q', true],
    ['/quick', false],
    ['/kiosk/abc', true],
    ['/fhir', true],
    ['/', false],
  ])('treat %s as reserved: %s', (path, reserved) => {
    expect(isReserved(path)).toBe(reserved);
  });
});
