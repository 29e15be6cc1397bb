import { existsSync, statSync } from 'node:fs';
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
 * The clinician web app at `/`: files from `packages/web/dist`, and `index.html` for any other
 * address so client-side routes (`/clients/…`, `/reset-password#token=…`) survive a reload. Hashed
 * files under `/assets/` are cached for a year; `index.html` is revalidated every time. Without a
 * build, the same addresses show the small home page with a hint to build.
 */
export function registerWebRoutes(app: App, _deps: AppDeps, distDir: string = defaultWebDist): void {
  const root = normalize(distDir);
  const built = existsSync(join(root, 'index.html'));
  if (built) void app.register(fastifyStatic, { root, serve: false, decorateReply: true });

  const sendIndex = (reply: FastifyReply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
  const sendHome = (reply: FastifyReply) => reply.type('text/html; charset=utf-8').send(renderHomePage());

  app.get('/', { config: { access: { kind: 'public' } }, schema: { hide: true } }, async (_request, reply) =>
    built ? sendIndex(reply) : sendHome(reply),
  );

  app.get('/*', { config: { access: { kind: 'public' } }, schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (isReserved(path)) return reply.callNotFound();
    if (!built) return extname(path) ? reply.callNotFound() : sendHome(reply);
    const wildcard = (request.params as Record<string, string | undefined>)['*'] ?? '';
    const relative = normalize(`/${wildcard}`);
    const file = join(root, relative);
    if (!file.startsWith(root + sep)) return reply.callNotFound();
    if (isFile(file)) {
      const hashed = relative.startsWith(`${sep}assets${sep}`);
      return reply.sendFile(relative.slice(1), root, hashed ? { immutable: true, maxAge: '365d' } : { maxAge: 0 });
    }
    // A missing file (anything with an extension) is a 404, never the app's HTML in its place.
    if (extname(relative)) return reply.callNotFound();
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
