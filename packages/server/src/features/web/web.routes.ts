import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extname, join, normalize, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import type { App, AppDeps } from '../../app';
import { renderHomePage } from '../../pages/home.page';

/** Where `npm run build -w @rapport/web` writes the clinician app. */
export const defaultWebDist = fileURLToPath(new URL('../../../../web/dist', import.meta.url));

/** Addresses the app never answers with its HTML: the API, client pages, kiosk, health, control, FHIR. */
const RESERVED = ['/api', '/q', '/kiosk', '/healthz', '/internal', '/fhir'];
export const isReserved = (path: string) => RESERVED.some((p) => path === p || path.startsWith(`${p}/`));

/**
 * The first path segments the app routes itself (`/clients/…`, `/reset-password#token=…`), as the
 * build lists them in `app-sections.json` (from `packages/web/public/`; a web test keeps it in step
 * with the app's route table). Any other address stays a real 404.
 */
function readSections(root: string): Set<string> {
  try {
    const list = JSON.parse(readFileSync(join(root, 'app-sections.json'), 'utf8')) as unknown;
    return new Set(Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

/**
 * The clinician web app at `/`: files from `packages/web/dist`, and `index.html` for the app's own
 * addresses so client-side routes survive a reload. Hashed files under `/assets/` are cached for a
 * year; `index.html` is revalidated every time. Without a build, `/` shows the small home page with
 * a hint to build.
 */
export function registerWebRoutes(app: App, _deps: AppDeps, distDir: string = defaultWebDist): void {
  const root = normalize(distDir);
  const built = existsSync(join(root, 'index.html'));
  const sections = built ? readSections(root) : new Set<string>();
  if (built) void app.register(fastifyStatic, { root, serve: false, decorateReply: true });

  const sendIndex = (reply: FastifyReply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
  const sendHome = (reply: FastifyReply) => reply.type('text/html; charset=utf-8').send(renderHomePage());

  app.get('/', { config: { access: { kind: 'public' } }, schema: { hide: true } }, async (_request, reply) =>
    built ? sendIndex(reply) : sendHome(reply),
  );

  app.get('/*', { config: { access: { kind: 'public' } }, schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (isReserved(path) || !built) return reply.callNotFound();
    const wildcard = (request.params as Record<string, string | undefined>)['*'] ?? '';
    const relative = normalize(`/${wildcard}`);
    const file = join(root, relative);
    if (!file.startsWith(root + sep)) return reply.callNotFound();
    if (isFile(file)) {
      const hashed = relative.startsWith(`${sep}assets${sep}`);
      return reply.sendFile(relative.slice(1), root, hashed ? { immutable: true, maxAge: '365d' } : { maxAge: 0 });
    }
    // A missing file is a 404, never the app's HTML in its place; so is an address the app does not own.
    const section = relative.split(sep)[1] ?? '';
    if (extname(relative) || !sections.has(section)) return reply.callNotFound();
    return sendIndex(reply);
  });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
