import { z } from 'zod';
import type { App, AppDeps } from '../../app';
import { safeEqual } from '../../lib/crypto';
import { unauthorized, unavailable } from '../../errors';

/** Liveness and the local control endpoint the CLI uses for a consistent backup. */
export function registerSystemRoutes(app: App, deps: AppDeps): void {
  app.get(
    '/healthz',
    {
      config: { access: { kind: 'public' } },
      schema: { tags: ['system'], response: { 200: z.object({ status: z.literal('ok'), database: z.literal('up') }) } },
    },
    async () => {
      if (!(await deps.ping())) throw unavailable('The database cannot be reached.', 'database_unavailable');
      return { status: 'ok' as const, database: 'up' as const };
    },
  );

  app.post(
    '/internal/backup',
    { config: { access: { kind: 'public' } }, schema: { hide: true } },
    async (request, reply) => {
      const given = request.headers['x-rapport-control'];
      if (!deps.controlToken || typeof given !== 'string' || !safeEqual(given, deps.controlToken)) throw unauthorized();
      if (!deps.backup) throw unavailable('Backups through the server are for the embedded database; use pg_dump on PostgreSQL.', 'backup_unsupported');
      const blob = await deps.backup();
      return reply.type('application/gzip').send(Buffer.from(await blob.arrayBuffer()));
    },
  );
}
