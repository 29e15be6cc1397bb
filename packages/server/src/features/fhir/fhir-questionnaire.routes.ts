import type { FastifyInstance } from 'fastify';
import { builtInDefinitions } from '@rapport/instruments';
import { instrumentIdOf } from '@rapport/fhir';
import type { Queryable } from '../../db/database';
import { currentOrgInstruments } from '../instruments/instruments.queries';
import { resolveInstrument, resolveInstruments, type ResolvedInstrument } from '../instruments/org-instruments';
import { SEARCH_PARAMETERS } from './fhir.capability';
import { fhirNotFound } from './fhir.errors';
import { withAudit } from '../../access/access';
import { tokenOf } from './fhir.audit';
import { presentQuestionnaire } from './fhir.present';
import { readQuery, single } from './fhir.search';
import { PAGING_PARAMETERS, compareKeys, readPaging } from './fhir.paging';
import { isQuestionnaireKey, read, type FhirContext } from './fhir.context';

/** Questionnaire: generated from each instrument the organisation can render (licensed ones only with its content pack). */
async function publishable(q: Queryable, orgId: string) {
  const custom = (await currentOrgInstruments(q, orgId)).filter((r) => r.kind === 'custom_instrument').map((r) => r.instrumentId);
  const resolved = await resolveInstruments(q, orgId, [...builtInDefinitions.map((d) => d.id), ...custom]);
  return [...resolved.values()].filter((r): r is ResolvedInstrument => !!r?.renderable);
}

/** `GET /Questionnaire` (search by url, name) and `GET /Questionnaire/:id`. */
export function registerFhirQuestionnaireRoutes(fhir: FastifyInstance, ctx: FhirContext): void {
  const { db, clock, secretKey, searchset } = ctx;

  fhir.get('/Questionnaire', { config: read }, async (request) => {
    const query = readQuery(request.query, [...SEARCH_PARAMETERS.Questionnaire, ...PAGING_PARAMETERS]);
    const url = single(query, 'url');
    const name = single(query, 'name')?.toLowerCase();
    const token = tokenOf(request);
    const search = { orgId: token.orgId, resourceType: 'Questionnaire', query };
    const { count, after } = readPaging(secretKey, search, isQuestionnaireKey);
    const found = await withAudit(request, db, clock, { action: 'fhir.Questionnaire.search', entityType: 'instrument' }, async (tx) =>
      (await publishable(tx, token.orgId)).map(presentQuestionnaire).filter((q) => (!url || q.url === url.split('|')[0]) && (!name || q.name!.toLowerCase().startsWith(name))),
    );
    // A clinic's instruments are a few dozen: paged in memory, by id.
    const sorted = found.sort((a, b) => compareKeys([a.id!], [b.id!]));
    const rest = after ? sorted.filter((q) => compareKeys([q.id!], after) > 0) : sorted;
    const page = rest.slice(0, count);
    return searchset(request, search, page, found.length, rest.length > count ? [page.at(-1)!.id!] : null);
  });

  fhir.get<{ Params: { id: string } }>('/Questionnaire/:id', { config: read }, async (request) => {
    readQuery(request.query, []);
    const instrumentId = instrumentIdOf(request.params.id);
    const found = await withAudit(request, db, clock, { action: 'fhir.Questionnaire.read', entityType: 'instrument', entityId: instrumentId.slice(0, 100) }, async (tx) =>
      /^[a-z][a-z0-9_]*$/.test(instrumentId) ? resolveInstrument(tx, tokenOf(request).orgId, instrumentId) : null,
    );
    if (!found?.renderable) throw fhirNotFound('Questionnaire');
    return presentQuestionnaire(found);
  });
}
