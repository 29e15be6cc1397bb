import { getInstrument, validateDefinition, type ContentPack, type InstrumentDefinition } from '@rapport/instruments';
import type { OrgInstrumentRow } from './instruments.queries';
import type { ResolvedInstrument } from './org-instruments';

/** One catalogue line: what a picker or an integrator needs, never the wording itself. */
export function presentInstrumentSummary(definition: InstrumentDefinition, source: ResolvedInstrument['source'], wordingAvailable: boolean) {
  return {
    id: definition.id,
    version: definition.version,
    shortName: definition.names.short,
    name: definition.names.full,
    respondent: definition.respondent,
    itemCount: definition.items.length,
    direction: definition.direction,
    range: { min: definition.range.min, max: definition.range.max },
    licenceStatus: definition.licence.status,
    validated: definition.validation.status === 'validated',
    parallelFormId: definition.parallelForm?.instrumentId ?? null,
    wordingAvailable,
    source,
  };
}

/** An instrument's definition: rendered (with wording) when it may be shown, the structure alone otherwise. */
export function presentInstrument(resolved: ResolvedInstrument) {
  const shown = resolved.renderable ?? resolved.definition;
  return {
    id: resolved.instrumentId,
    version: resolved.version,
    source: resolved.source,
    orgVersion: resolved.orgVersion,
    wordingAvailable: resolved.renderable !== null,
    languages: resolved.renderable ? [...resolved.renderable.languages] : [],
    definition: JSON.parse(JSON.stringify(shown)) as Record<string, unknown>,
  };
}

function presentUpload(row: OrgInstrumentRow, current: boolean, uploadedByName: string | null) {
  return {
    id: row.id,
    instrumentId: row.instrumentId,
    version: row.version,
    current,
    uploadedAt: row.createdAt.toISOString(),
    uploadedBy: row.uploadedBy,
    uploadedByName,
  };
}

/** A stored content pack version and what it unlocks. The wording itself is not sent back. */
export function presentContentPack(row: OrgInstrumentRow, current: boolean, uploadedByName: string | null) {
  const pack = row.document as unknown as ContentPack;
  const definition = getInstrument(row.instrumentId);
  return {
    ...presentUpload(row, current, uploadedByName),
    languages: [...pack.languages],
    licence: { holder: pack.licence.holder, reference: pack.licence.reference, ...(pack.licence.statement ? { statement: pack.licence.statement } : {}) },
    unlocks: { instrumentId: definition.id, shortName: definition.names.short, suppliesWording: definition.needsLicensedWording },
  };
}

/** A stored custom instrument version (its full definition is at `GET /api/v1/instruments/:id`). */
export function presentCustomInstrument(row: OrgInstrumentRow, current: boolean, uploadedByName: string | null) {
  const definition = validateDefinition(row.document);
  return {
    ...presentUpload(row, current, uploadedByName),
    definitionVersion: definition.version,
    shortName: definition.names.short,
    name: definition.names.full,
    respondent: definition.respondent,
    itemCount: definition.items.length,
  };
}
