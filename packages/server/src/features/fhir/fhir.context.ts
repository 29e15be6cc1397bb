import type { FastifyRequest } from 'fastify';
import type { FhirResource } from 'fhir/r4';
import { builtInDefinitions } from '@rapport/instruments';
import { bundle } from '@rapport/fhir';
import type { AppDeps } from '../../app';
import { resolveInstruments, type ResolvedInstrument } from '../instruments/org-instruments';
import { fhirNotFound } from './fhir.errors';
import { auditDenied, tokenOf } from './fhir.audit';
import { findClient, type ResponseRow } from './fhir.queries';
import type { QueryValues } from './fhir.search';
import { encodeCursor, nextPageUrl, type PageKey } from './fhir.paging';

export const FHIR_PREFIX = '/fhir/R4';
export const read = { access: { kind: 'api', scope: 'fhir:read' } } as const;
export const write = { access: { kind: 'api', scope: 'fhir:write' } } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Page keys: a response is (submitted_at in microseconds, id); an Observation adds its place among the response's. */
export const isResponseKey = (k: PageKey) => k.length === 2 && /^\d{1,20}$/.test(k[0]!) && UUID.test(k[1]!);
export const isObservationKey = (k: PageKey) => k.length === 3 && isResponseKey(k.slice(0, 2)) && /^\d{1,4}$/.test(k[2]!);
export const isQuestionnaireKey = (k: PageKey) => k.length === 1 && /^[A-Za-z0-9\-.]{1,64}$/.test(k[0]!);

/** LOINC form code → instrument, so `http://loinc.org/q/44249-1` names PHQ-9. */
const loincPanels: Record<string, string> = Object.fromEntries(
  builtInDefinitions.flatMap((d) => (d.loinc?.panel ? [[d.loinc.panel, d.id] as const] : [])),
);

export type Search = { orgId: string; resourceType: string; query: QueryValues };
export type FhirContext = ReturnType<typeof createFhirContext>;

/** What every FHIR resource's routes share: the dependencies, the base address and a few helpers. */
export function createFhirContext(deps: AppDeps) {
  const { db, clock, secretKey } = deps;
  const baseUrl = `${deps.config.publicUrl.replace(/\/$/, '')}${FHIR_PREFIX}`;
  const canonical = { baseUrl, loincPanels };

  /** The organisation's instruments by id (one query), for presenting stored responses. */
  const instrumentsFor = async (orgId: string, rows: readonly ResponseRow[]) => resolveInstruments(db, orgId, [...new Set(rows.map((r) => r.instrumentId))]);
  const withInstrument = (rows: readonly ResponseRow[], instruments: Map<string, ResolvedInstrument | null>) =>
    rows.flatMap((row) => {
      const instrument = instruments.get(row.instrumentId);
      return instrument ? [{ row, instrument }] : [];
    });
  /** One page of a search as a searchset: the total (null: left out), `self`, and `next` when `lastKey` says more follow. */
  const searchset = (request: FastifyRequest, search: Search, resources: readonly FhirResource[], total: number | null, lastKey: PageKey | null) =>
    bundle('searchset', resources, {
      baseUrl,
      total,
      timestamp: clock.now(),
      selfUrl: `${baseUrl}${request.url.slice(FHIR_PREFIX.length)}`,
      ...(lastKey ? { nextUrl: nextPageUrl(baseUrl, search, encodeCursor(secretKey, search, lastKey)) } : {}),
    });

  /** The client a search names, or a 404 (another organisation's patient does not exist for this token). */
  const requirePatient = async (request: FastifyRequest, id: string, action: string) => {
    const client = await findClient(db, tokenOf(request).orgId, id);
    if (!client) {
      await auditDenied(request, db, clock, { action, entityType: 'client', entityId: id });
      throw fhirNotFound('Patient', 'patient');
    }
    return client;
  };

  return { db, clock, secretKey, baseUrl, canonical, instrumentsFor, withInstrument, searchset, requirePatient };
}
