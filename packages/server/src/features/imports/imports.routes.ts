import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { App, AppDeps } from '../../app';
import { auditEventOf, staffOf, withAudit, type AuditDescription } from '../../access/access';
import { AppError, notFound } from '../../errors';
import { getOrganisation } from '../organisations/organisations.queries';
import { handlerFor } from './imports.kinds';
import { auditSummary, presentReport } from './imports.present';
import { runImport, type RunResult } from './imports.run';
import { importColumns, importParams, importQuery, importReportView, type ImportKind } from './imports.schema';
import { openCsv, openIcal, spoolUpload, type ImportSource } from './imports.stream';

/**
 * Imports (issue 7 item 7): clients, appointments (CSV or iCal) and historical scores, by an
 * organisation's admins, into their own organisation only.
 *
 * `POST /api/v1/imports/:kind` (`clients` | `appointments` | `scores`), body `text/csv` (or
 * `text/calendar` for appointments), `?mode=all-or-nothing|valid-only&dryRun=true|false`.
 * 1. The body is never parsed by Fastify: a content-type parser scoped to this route hands over the
 *    raw stream, which is copied to a private temporary file while its bytes are counted (over
 *    `IMPORT_MAX_MB`: 413 `import_too_large`).
 * 2. The header is checked (400 `import_bad_header` naming the unknown, repeated or missing
 *    columns) before anything else.
 * 3. In one transaction, rows stream from the file in batches of 500: each through its zod schema,
 *    then the batch's look-ups (clients by external id or email, clinicians by email, instruments,
 *    episodes, duplicates), then the batch's inserts with one audit event per written row.
 *    All-or-nothing: the first invalid row stops the writing and the transaction is rolled back
 *    (nothing written); valid-only: valid rows are written. A dry run writes nothing. Duplicates
 *    (already in the clinic, or earlier in the file) are skipped and listed, and do not block.
 * 4. One audit event per import (`imports.<kind>`, counts in `entity_id`), committed with the rows,
 *    or on its own when they were rolled back.
 * The answer is the report (`importReportView`). With `Accept: application/x-ndjson` it is a stream
 * of lines instead: `{"type":"started"}`, `{"type":"progress","rows":n}` after each batch, then
 * `{"type":"report","report":…}` (or `{"type":"error","error":…}`), so the admin screen shows rows
 * processed; errors found before the first line (access, size, header) are ordinary JSON errors.
 */
export function registerImportRoutes(app: App, deps: AppDeps): void {
  const { db, clock, config } = deps;

  app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    // Scoped to this plugin: no other route accepts these types. The body stays the raw request stream.
    scope.addContentTypeParser(['text/csv', 'text/calendar'], (_request, payload, done) => done(null, payload));

    scope.post(
      '/api/v1/imports/:kind',
      {
        config: { access: { kind: 'staff', roles: ['admin'] }, rateLimit: { max: 60, timeWindow: '1 minute' } },
        schema: { tags: ['imports'], params: importParams, querystring: importQuery, response: { 200: importReportView } },
      },
      async (request, reply) => {
        const p = staffOf(request);
        const { kind } = request.params;
        const { mode } = request.query;
        const dryRun = request.query.dryRun === 'true';
        const format = mediaType(request) === 'text/calendar' ? 'ical' : 'csv';
        if (!(request.body instanceof Readable) || (format === 'ical' && kind !== 'appointments')) {
          throw new AppError(415, 'unsupported_media_type', kind === 'appointments' ? 'Send the file as text/csv or text/calendar.' : 'Send the file as text/csv.');
        }
        const declared = Number(request.headers['content-length']);
        const upload = await spoolUpload(request.body, { dataDir: config.dataDir, maxBytes: config.importMaxBytes, declaredLength: Number.isFinite(declared) ? declared : undefined });
        try {
          const organisation = await getOrganisation(db, p.orgId);
          if (!organisation) throw notFound('organisation');
          const timeZone = organisation.settings.timeZone;
          const source = format === 'ical' ? await openIcal(upload.path, timeZone) : await openCsv(upload.path, importColumns[kind]);
          const importId = randomUUID();
          const progress = wantsProgress(request) ? new PassThrough() : null;
          const line = (value: unknown) => progress?.write(`${JSON.stringify(value)}\n`);
          if (progress) {
            // A stream, not the report the schema describes: the untyped reply sends it as is.
            (reply as FastifyReply).header('content-type', 'application/x-ndjson; charset=utf-8').header('cache-control', 'no-store').send(progress);
            line({ type: 'started', importId, bytes: upload.bytes });
          }
          try {
            const result = await execute(request, { kind, importId, mode, dryRun, timeZone, source, onProgress: (rows) => line({ type: 'progress', rows }) });
            const report = presentReport({ importId, kind, format, mode, dryRun, result });
            if (!progress) return report;
            progress.end(`${JSON.stringify({ type: 'report', report })}\n`);
            return reply;
          } catch (error) {
            if (!progress) throw error;
            // The status line is gone already: the error travels as the last line, in the usual shape.
            const known = error instanceof AppError ? { code: error.code, message: error.message } : { code: 'internal', message: 'Something went wrong on our side. It has been logged.', requestId: request.id };
            if (!(error instanceof AppError)) request.log.error({ type: error instanceof Error ? error.name : typeof error }, 'import failed');
            progress.end(`${JSON.stringify({ type: 'error', error: known })}\n`);
            return reply;
          }
        } finally {
          await upload.remove();
        }
      },
    );
  });

  /** The run inside one transaction; rolled back (its audit event then written alone) for a dry run or a rejected all-or-nothing import. */
  async function execute(
    request: FastifyRequest,
    input: { kind: ImportKind; importId: string; mode: 'all-or-nothing' | 'valid-only'; dryRun: boolean; timeZone: string; source: ImportSource; onProgress: (rows: number) => void },
  ): Promise<RunResult> {
    const p = staffOf(request);
    const { kind, importId, mode, dryRun, source } = input;
    const summary = (result: RunResult) => ({
      action: `imports.${kind}`,
      entityType: 'import',
      entityId: auditSummary(presentReport({ importId, kind, format: source.format, mode, dryRun, result })),
    });
    try {
      return await withAudit(request, db, clock, summary, async (tx) => {
        const context = {
          tx,
          orgId: p.orgId,
          importId,
          now: clock.now(),
          clinicTimeZone: input.timeZone,
          auditEvent: (e: AuditDescription) => auditEventOf(request, clock, e),
        };
        const result = await runImport(source, handlerFor(kind), context, { mode, dryRun, onProgress: input.onProgress });
        if (result.rollback) throw new RolledBack(result);
        return result;
      });
    } catch (error) {
      if (!(error instanceof RolledBack)) throw error;
      await withAudit(request, db, clock, summary(error.result), async () => null);
      return error.result;
    }
  }
}

/** Thrown out of the import's transaction to roll it back while keeping the report. */
class RolledBack extends Error {
  constructor(readonly result: RunResult) {
    super('import rolled back');
  }
}

function mediaType(request: FastifyRequest): string {
  return String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function wantsProgress(request: FastifyRequest): boolean {
  return String(request.headers.accept ?? '').includes('application/x-ndjson');
}
