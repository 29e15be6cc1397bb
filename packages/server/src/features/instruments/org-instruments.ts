import {
  InstrumentError,
  SCORER_VERSION,
  createRegistry,
  getInstrument,
  hasInstrument,
  loadContentPack,
  renderableInstrument,
  scoreResponse,
  type Answers,
  type ContentPack,
  type InstrumentDefinition,
  type InstrumentRegistry,
  type RenderableInstrument,
  type ScoreResult,
} from '@rapport/instruments';
import type { Queryable } from '../../db/database';
import type { ResponseFlag } from '../../db/schema';
import { badRequest, notFound, type AppError } from '../../errors';
import { currentOrgInstruments, type OrgInstrumentRow } from './instruments.queries';

/** Where an instrument an organisation uses comes from. */
export type InstrumentSource = 'built-in' | 'content-pack' | 'custom';

/**
 * An instrument as one organisation sees it: the built-in definition (with the organisation's latest
 * licensed content pack applied, if any) or the organisation's latest custom definition.
 */
export type ResolvedInstrument = {
  instrumentId: string;
  /** The definition's own semantic version (stored on each response as `instrument_version`). */
  version: string;
  source: InstrumentSource;
  /** The `org_instruments` row applied (content pack or custom definition), or null for a plain built-in. */
  orgInstrumentId: string | null;
  /** The version of that row (1, 2, …), or null. */
  orgVersion: number | null;
  definition: InstrumentDefinition;
  /** Ready to render, or null when the instrument needs licensed wording the organisation has not uploaded. */
  renderable: RenderableInstrument | null;
  /** Scores answers with the instruments library; throws `InstrumentError` naming the item. */
  score: (answers: Answers) => ScoreResult;
};

type Compiled = { pack?: ContentPack; registry?: InstrumentRegistry };

/**
 * Validated packs and compiled custom registries by `org_instruments` row id. Rows are never
 * changed (a new upload is a new row), so an entry can never go stale; the map is bounded.
 */
const compiledRows = new Map<string, Compiled>();
const MAX_CACHED = 500;

function compile(row: OrgInstrumentRow): Compiled {
  const cached = compiledRows.get(row.id);
  if (cached) return cached;
  const compiled: Compiled =
    row.kind === 'content_pack' ? { pack: loadContentPack(row.document) } : { registry: createRegistry([row.document]) };
  if (compiledRows.size >= MAX_CACHED) compiledRows.delete(compiledRows.keys().next().value!);
  compiledRows.set(row.id, compiled);
  return compiled;
}

/**
 * Resolved instruments by instrument id and the rows applied: built-in definitions never change
 * and neither do rows, so an entry never goes stale (a new upload is a new row id). Bounded.
 */
const resolvedByRows = new Map<string, ResolvedInstrument | null>();

function fromRows(instrumentId: string, rows: readonly OrgInstrumentRow[]): ResolvedInstrument | null {
  const applied = rows.filter((r) => r.instrumentId === instrumentId).map((r) => r.id);
  const key = `${instrumentId}\u0000${applied.join(',')}`;
  const known = resolvedByRows.get(key);
  if (known !== undefined) return known;
  const resolved = resolveFromRows(instrumentId, rows);
  if (resolvedByRows.size >= MAX_CACHED) resolvedByRows.delete(resolvedByRows.keys().next().value!);
  resolvedByRows.set(key, resolved);
  return resolved;
}

function resolveFromRows(instrumentId: string, rows: readonly OrgInstrumentRow[]): ResolvedInstrument | null {
  const custom = rows.find((r) => r.kind === 'custom_instrument' && r.instrumentId === instrumentId);
  // A built-in id always means the built-in: custom ids may not clash with one (checked on upload).
  if (hasInstrument(instrumentId)) {
    const packRow = rows.find((r) => r.kind === 'content_pack' && r.instrumentId === instrumentId);
    const pack = packRow ? compile(packRow).pack : undefined;
    const definition = getInstrument(instrumentId);
    const renderable = pack || !definition.needsLicensedWording ? renderableInstrument(instrumentId, pack) : null;
    return {
      instrumentId,
      version: definition.version,
      source: pack ? 'content-pack' : 'built-in',
      orgInstrumentId: packRow?.id ?? null,
      orgVersion: packRow?.version ?? null,
      definition,
      renderable,
      score: (answers) => scoreResponse(instrumentId, answers),
    };
  }
  if (!custom) return null;
  const registry = compile(custom).registry!;
  const definition = registry.getInstrument(instrumentId);
  return {
    instrumentId,
    version: definition.version,
    source: 'custom',
    orgInstrumentId: custom.id,
    orgVersion: custom.version,
    definition,
    renderable: registry.renderableInstrument(instrumentId),
    score: (answers) => registry.scoreResponse(instrumentId, answers),
  };
}

/**
 * The instrument `instrumentId` as organisation `orgId` uses it: a built-in with the organisation's
 * latest content pack applied (if any), or the organisation's latest custom instrument. Null when
 * neither has that id. One query; validated packs and compiled custom definitions are cached.
 * Used by the API, the client's questionnaire page and the submission transaction alike.
 */
export async function resolveInstrument(db: Queryable, orgId: string, instrumentId: string): Promise<ResolvedInstrument | null> {
  const rows = await currentOrgInstruments(db, orgId, [instrumentId]);
  return fromRows(instrumentId, rows);
}

/** {@link resolveInstrument} for several instruments (a bundle) in one query; unknown ids map to null. */
export async function resolveInstruments(db: Queryable, orgId: string, instrumentIds: readonly string[]): Promise<Map<string, ResolvedInstrument | null>> {
  const rows = instrumentIds.length > 0 ? await currentOrgInstruments(db, orgId, instrumentIds) : [];
  return new Map(instrumentIds.map((id) => [id, fromRows(id, rows)]));
}

/** An `org_instruments` row without its document: enough to resolve once the row is compiled. */
export type OrgInstrumentHeader = Pick<OrgInstrumentRow, 'id' | 'kind' | 'instrumentId' | 'version'>;

/**
 * {@link resolveInstruments} from the current rows' headers, read by the caller in a statement it
 * makes anyway (the submission's lock): no query at all when every row is already compiled (rows
 * never change, see `compiledRows`), else one query for the documents.
 */
export async function resolveInstrumentsFromHeaders(
  db: Queryable,
  orgId: string,
  instrumentIds: readonly string[],
  headers: readonly OrgInstrumentHeader[],
): Promise<Map<string, ResolvedInstrument | null>> {
  if (headers.some((h) => !compiledRows.has(h.id))) return resolveInstruments(db, orgId, instrumentIds);
  const rows = headers as readonly OrgInstrumentRow[]; // `fromRows` reads a document only for rows not compiled yet
  return new Map(instrumentIds.map((id) => [id, fromRows(id, rows)]));
}

/** The built-in instrument without any organisation's additions (anonymous callers); null when unknown. */
export function resolveBuiltIn(instrumentId: string): ResolvedInstrument | null {
  return fromRows(instrumentId, []);
}

/**
 * The score columns of a completed `responses` row, exactly as a real submission stores them:
 * the exact total as text, band, flags (with the definition's risk kind), the rest of the result in
 * `score_detail`, and the library's `SCORER_VERSION`. The submission and the demo both use this.
 */
export function scoredResponseColumns(result: ScoreResult, definition: Pick<InstrumentDefinition, 'risk'>) {
  const riskKindOf = (itemId: string) => definition.risk.find((r) => r.itemId === itemId)?.kind ?? null;
  return {
    complete: result.complete,
    total: result.total === null ? null : String(result.total),
    subscales: result.subscales as Record<string, unknown>,
    bandId: result.band?.id ?? null,
    bandLabel: result.band?.label ?? null,
    flags: result.flags.map((f): ResponseFlag => ({ kind: f.kind, itemId: f.itemId, riskKind: riskKindOf(f.itemId) })),
    prorated: result.prorated,
    scoreDetail: { caseness: result.caseness, missing: [...result.missing], interpretations: result.interpretations } as Record<string, unknown>,
    scorerVersion: SCORER_VERSION,
  };
}

/**
 * The API error for an `InstrumentError` from scoring answers: a 400 naming the item
 * (`answers.<itemId>`) with the library's code (`invalid_answer`, `unknown_item`), a 404 for an
 * unknown instrument. Anything else is rethrown as is.
 */
export function answerError(error: unknown): AppError {
  if (error instanceof InstrumentError) {
    if (error.code === 'unknown_instrument') return notFound('instrument');
    if (error.code === 'invalid_answer' || error.code === 'unknown_item') {
      return badRequest(error.message, error.itemId ? `answers.${error.itemId}` : 'answers', error.code);
    }
  }
  throw error;
}
