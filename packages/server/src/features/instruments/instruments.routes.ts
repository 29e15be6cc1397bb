import { eq } from 'drizzle-orm';
import {
  InstrumentError,
  SCORER_VERSION,
  createRegistry,
  getInstrument,
  hasInstrument,
  listInstruments,
  loadContentPack,
  type Answers,
} from '@rapport/instruments';
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { App, AppDeps } from '../../app';
import { staffOf, withAudit } from '../../access/access';
import type { StaffPrincipal } from '../../access/principal';
import { users } from '../../db/schema';
import type { Queryable } from '../../db/database';
import { AppError, badRequest, conflict, notFound } from '../../errors';
import {
  currentOrgInstruments,
  insertOrgInstrumentVersion,
  listOrgInstrumentVersions,
  type OrgInstrumentKind,
  type OrgInstrumentRow,
} from './instruments.queries';
import { presentContentPack, presentCustomInstrument, presentInstrument, presentInstrumentSummary } from './instruments.present';
import {
  catalogueView,
  contentPackView,
  customInstrumentView,
  documentBody,
  instrumentIdParams,
  instrumentView,
  scoreBody,
  scoreView,
} from './instruments.schema';
import { answerError, resolveBuiltIn, resolveInstrument, resolveInstruments } from './org-instruments';

const tags = ['instruments'];
type Upload = { row: OrgInstrumentRow; name: string | null };
/** Public routes: generous for a form or an integrator, tight enough to stop scraping loops. */
const catalogueRateLimit = { max: 120, timeWindow: 60_000 };
const scoreRateLimit = { max: 60, timeWindow: 60_000 };

/** The signed-in staff member on a public route, if any: they also see their organisation's instruments. */
function signedInStaff(request: FastifyRequest): StaffPrincipal | null {
  const p = request.principal;
  return p.kind === 'staff' && p.stage === 'full' ? p : null;
}

/** A library validation error as a 400 naming the item (`items.<itemId>`) or the field. */
function documentError(error: unknown, what: 'content pack' | 'instrument definition'): AppError {
  if (!(error instanceof InstrumentError)) throw error;
  if (error.code === 'unknown_instrument') return badRequest('No built-in instrument has this id.', 'instrumentId', 'unknown_instrument');
  const firstPath = error.issues[0]?.match(/^([\w.]+): /)?.[1];
  const field = error.itemId ? `items.${error.itemId}` : firstPath;
  const code = error.code === 'invalid_content_pack' || error.code === 'invalid_definition' ? error.code : `invalid_${what.replace(/ /g, '_')}`;
  return badRequest(`This ${what} is not valid: ${error.message}`, field, code);
}

async function displayName(db: Queryable, userId: string): Promise<string | null> {
  const [u] = await db.select({ name: users.displayName }).from(users).where(eq(users.id, userId));
  return u?.name ?? null;
}

/** The instrument catalogue, stateless scoring, and each organisation's content packs and custom instruments. */
export function registerInstrumentRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  app.get(
    '/api/v1/instruments',
    { config: { access: { kind: 'public' }, rateLimit: catalogueRateLimit }, schema: { tags, response: { 200: catalogueView } } },
    async (request) => {
      const staff = signedInStaff(request);
      const rows = staff ? await currentOrgInstruments(db, staff.orgId) : [];
      const packs = new Set(rows.filter((r) => r.kind === 'content_pack').map((r) => r.instrumentId));
      const items = listInstruments().map((summary) => {
        const definition = getInstrument(summary.id);
        const hasPack = packs.has(summary.id);
        return presentInstrumentSummary(definition, hasPack ? 'content-pack' : 'built-in', hasPack || !definition.needsLicensedWording);
      });
      if (!staff) return { items, organisation: null };
      const custom = rows.filter((r) => r.kind === 'custom_instrument' && !hasInstrument(r.instrumentId));
      const resolved = await resolveInstruments(db, staff.orgId, custom.map((r) => r.instrumentId));
      for (const r of resolved.values()) if (r) items.push(presentInstrumentSummary(r.definition, 'custom', true));
      const summary = (kind: OrgInstrumentKind) =>
        rows.filter((r) => r.kind === kind).map((r) => ({ instrumentId: r.instrumentId, version: r.version, uploadedAt: r.createdAt.toISOString() }));
      return { items, organisation: { contentPacks: summary('content_pack'), customInstruments: summary('custom_instrument') } };
    },
  );

  app.get(
    '/api/v1/instruments/:instrumentId',
    { config: { access: { kind: 'public' }, rateLimit: catalogueRateLimit }, schema: { tags, params: instrumentIdParams, response: { 200: instrumentView } } },
    async (request) => {
      const staff = signedInStaff(request);
      const { instrumentId } = request.params;
      const resolved = staff ? await resolveInstrument(db, staff.orgId, instrumentId) : resolveBuiltIn(instrumentId);
      if (!resolved) throw notFound('instrument');
      return presentInstrument(resolved);
    },
  );

  app.post(
    '/api/v1/instruments/:instrumentId/score',
    {
      config: { access: { kind: 'public' }, rateLimit: scoreRateLimit },
      schema: { tags, params: instrumentIdParams, body: scoreBody, response: { 200: scoreView } },
    },
    async (request) => {
      const staff = signedInStaff(request);
      const { instrumentId } = request.params;
      const resolved = staff ? await resolveInstrument(db, staff.orgId, instrumentId) : resolveBuiltIn(instrumentId);
      if (!resolved) throw notFound('instrument');
      let result;
      try {
        result = resolved.score(request.body.answers as Answers);
      } catch (error) {
        throw answerError(error);
      }
      return {
        instrumentId: result.instrumentId,
        instrumentVersion: resolved.version,
        scorerVersion: SCORER_VERSION,
        complete: result.complete,
        total: result.total,
        prorated: result.prorated,
        band: result.band,
        caseness: result.caseness,
        subscales: result.subscales,
        flags: result.flags.map((f) => ({ ...f })),
        missing: [...result.missing],
        interpretations: [...result.interpretations],
      };
    },
  );

  app.post(
    '/api/v1/content-packs',
    { config: { access: { kind: 'staff', roles: ['admin'] } }, schema: { tags, body: documentBody, response: { 201: contentPackView } } },
    async (request, reply) => {
      const p = staffOf(request);
      let pack;
      try {
        pack = loadContentPack(request.body);
      } catch (error) {
        throw documentError(error, 'content pack');
      }
      const { row, name } = await withAudit<Upload>(
        request,
        db,
        clock,
        (r) => ({ action: 'content_pack.upload', entityType: 'org_instrument', entityId: r.row.id }),
        async (tx) => ({
          row: await insertOrgInstrumentVersion(tx, {
            orgId: p.orgId,
            kind: 'content_pack',
            instrumentId: pack.instrumentId,
            document: request.body,
            uploadedBy: p.userId,
            now: clock.now(),
          }),
          name: await displayName(tx, p.userId),
        }),
      );
      return reply.status(201).send(presentContentPack(row, true, name));
    },
  );

  app.get(
    '/api/v1/content-packs',
    { config: { access: { kind: 'staff' } }, schema: { tags, response: { 200: z.object({ items: z.array(contentPackView) }) } } },
    async (request) => {
      const p = staffOf(request);
      const rows = await listOrgInstrumentVersions(db, p.orgId, 'content_pack');
      return { items: rows.map((r, i) => presentContentPack(r.row, i === 0 || rows[i - 1]!.row.instrumentId !== r.row.instrumentId, r.uploadedByName)) };
    },
  );

  app.post(
    '/api/v1/custom-instruments',
    { config: { access: { kind: 'staff', roles: ['admin'] } }, schema: { tags, body: documentBody, response: { 201: customInstrumentView } } },
    async (request, reply) => {
      const p = staffOf(request);
      let definition;
      try {
        definition = createRegistry([request.body]).getInstrument(String(request.body.id));
      } catch (error) {
        throw documentError(error, 'instrument definition');
      }
      if (hasInstrument(definition.id)) {
        throw conflict('A built-in instrument already has this id; choose another.', 'instrument_id_taken', 'id');
      }
      const unworded = definition.items.find((item) => !item.text);
      if (unworded) throw badRequest(`Item ${unworded.id} has no wording: a clinic's own instrument needs the text of every item.`, `items.${unworded.id}`, 'invalid_definition');
      const { row, name } = await withAudit<Upload>(
        request,
        db,
        clock,
        (r) => ({ action: 'custom_instrument.upload', entityType: 'org_instrument', entityId: r.row.id }),
        async (tx) => ({
          row: await insertOrgInstrumentVersion(tx, {
            orgId: p.orgId,
            kind: 'custom_instrument',
            instrumentId: definition.id,
            document: request.body,
            uploadedBy: p.userId,
            now: clock.now(),
          }),
          name: await displayName(tx, p.userId),
        }),
      );
      return reply.status(201).send(presentCustomInstrument(row, true, name));
    },
  );

  app.get(
    '/api/v1/custom-instruments',
    { config: { access: { kind: 'staff' } }, schema: { tags, response: { 200: z.object({ items: z.array(customInstrumentView) }) } } },
    async (request) => {
      const p = staffOf(request);
      const rows = await listOrgInstrumentVersions(db, p.orgId, 'custom_instrument');
      return { items: rows.map((r, i) => presentCustomInstrument(r.row, i === 0 || rows[i - 1]!.row.instrumentId !== r.row.instrumentId, r.uploadedByName)) };
    },
  );
}
