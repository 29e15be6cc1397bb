import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { fhirSchemaErrors } from '@rapport/fhir/testing';
import { createTestContext, type TestContext } from '../../../test/context';
import { alerts, auditEvents, jobs, responses } from '../../db/schema';
import { createApiToken } from '../api-tokens/api-tokens.queries';
import { eraseClient } from '../lifecycle/erasure';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  // Compiling HL7's schema takes a few seconds, once.
  fhirSchemaErrors({ resourceType: 'Basic' });
}, 60_000);
afterAll(() => ctx.close());

const FHIR_JSON = 'application/fhir+json';

/** An organisation with an admin, a client, and an API token with both scopes. */
async function setUp() {
  const org = await ctx.buildOrganisation();
  const admin = await ctx.buildStaff(org.id, 'admin');
  const client = await ctx.buildClient(org.id, { givenName: 'Ada', familyName: 'Lovelace', dateOfBirth: '1990-12-10', mobile: '+447700900123' });
  const { token, row } = await createApiToken(ctx.db, {
    orgId: org.id,
    name: 'test',
    scopes: ['fhir:read', 'fhir:write'],
    createdBy: admin.userId,
    expiresAt: new Date(ctx.clock.now().getTime() + 30 * 86_400_000),
    now: ctx.clock.now(),
  });
  const get = (url: string) => ctx.app.inject({ method: 'GET', url: `/fhir/R4${url}`, headers: { authorization: `Bearer ${token}` } });
  const post = (url: string, body: unknown) =>
    ctx.app.inject({
      method: 'POST',
      url: `/fhir/R4${url}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': FHIR_JSON },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { org, admin, client, token, tokenId: row.id, get, post };
}

/** Asserts the answer is FHIR JSON, valid against HL7's R4 schema (and every entry of a Bundle), and returns it. */
function validFhir(res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown }) {
  expect(String(res.headers['content-type'])).toContain(FHIR_JSON);
  const body = res.json() as { resourceType: string };
  expect(fhirSchemaErrors(body)).toEqual([]);
  return body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const LOINC_ITEMS = ['44250-9', '44255-8', '44259-0', '44254-1', '44251-7', '44258-2', '44252-5', '44253-3', '44260-8'];
const LOINC_ANSWERS = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'];

/** A PHQ-9 the way other systems write it: LOINC form URL, LOINC codes as linkIds, LOINC answer codes, their own total item. */
function foreignPhq9(patientId: string, values: number[], authored = '2026-03-01T08:30:00Z') {
  return {
    resourceType: 'QuestionnaireResponse',
    questionnaire: 'http://loinc.org/q/44249-1',
    status: 'completed',
    subject: { reference: `Patient/${patientId}` },
    authored,
    item: [
      ...LOINC_ITEMS.map((code, i) => ({ linkId: code, answer: [{ valueCoding: { system: 'http://loinc.org', code: LOINC_ANSWERS[values[i]!]! } }] })),
      { linkId: '44261-6', answer: [{ valueInteger: values.reduce((a, b) => a + b, 0) }] },
    ],
  };
}

describe('FHIR R4 API', () => {
  it('states in its CapabilityStatement only what it implements', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/fhir/R4/metadata' });
    expect(res.statusCode).toBe(200);
    // R4 is 4.0.1 (its technical correction), which the schema's fhirVersion list (R4's first edition, 4.0.0) predates:
    // everything else validates as it stands.
    const statement = res.json();
    expect(statement.fhirVersion).toBe('4.0.1');
    expect(fhirSchemaErrors(statement)[0]).toMatch(/^\.fhirVersion should be equal to one of the allowed values/);
    expect(fhirSchemaErrors({ ...statement, fhirVersion: '4.0.0' })).toEqual([]);
    expect(String(res.headers['content-type'])).toContain(FHIR_JSON);
    const resources = statement.rest[0].resource as { type: string; interaction: { code: string }[]; searchParam?: { name: string }[] }[];
    expect(resources.map((r) => [r.type, r.interaction.map((i) => i.code), (r.searchParam ?? []).map((p) => p.name)])).toEqual([
      ['Questionnaire', ['read', 'search-type'], ['url', 'name', '_count', '_cursor']],
      ['QuestionnaireResponse', ['read', 'search-type', 'create'], ['patient', 'questionnaire', 'authored', '_count', '_cursor']],
      ['Observation', ['read', 'search-type'], ['patient', 'code', '_count', '_cursor']],
      ['Patient', ['read'], []],
    ]);
  });

  it('publishes a Questionnaire per instrument the clinic can render, licensed ones only with its content pack', async () => {
    const { admin, get } = await setUp();
    const all = validFhir(await get('/Questionnaire'));
    const ids = all.entry.map((e: { resource: { id: string } }) => e.resource.id);
    expect(ids).toEqual(expect.arrayContaining(['phq9', 'gad7', 'rapport-alliance']));
    expect(ids).not.toContain('isi');
    expect((await get('/Questionnaire/isi')).statusCode).toBe(404);

    const pack = {
      format: 'rapport-content-pack',
      instrumentId: 'isi',
      licence: { holder: 'Test clinic', reference: 'L-1' },
      languages: ['en'],
      items: Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((n) => [`isi_${n}`, { text: { en: `Item ${n}` }, options: Object.fromEntries([0, 1, 2, 3, 4].map((v) => [String(v), { en: `${v}` }])) }])),
    };
    const upload = await ctx.app.inject({ method: 'POST', url: '/api/v1/content-packs', headers: { cookie: admin.cookie }, payload: pack });
    expect(upload.statusCode).toBe(201);
    const isi = validFhir(await get('/Questionnaire/isi'));
    expect(isi.copyright).toContain('Test clinic (L-1)');

    const phq = validFhir(await get('/Questionnaire/phq9'));
    expect(phq.code).toEqual([{ system: 'http://loinc.org', code: '44249-1', display: 'Patient Health Questionnaire-9' }]);
    const byUrl = validFhir(await get('/Questionnaire?url=urn:rapport:questionnaire:gad7'));
    expect(byUrl.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['gad7']);
    const byName = validFhir(await get('/Questionnaire?name=phq'));
    expect(byName.entry.map((e: { resource: { name: string } }) => e.resource.name).sort()).toEqual(['PHQ15', 'PHQ2', 'PHQ9']);
  });

  it('imports a LOINC-coded PHQ-9, scores and stores it like the client page, raises the risk alert, and audits it', async () => {
    const { org, client, tokenId, post, get } = await setUp();
    // Item 9 answered "Several days": a risk item.
    const res = await post('/QuestionnaireResponse', foreignPhq9(client.id, [1, 2, 3, 0, 1, 2, 0, 1, 1]));
    expect(res.statusCode).toBe(201);
    const created = validFhir(res);
    expect(res.headers.location).toBe(`http://rapport.test/fhir/R4/QuestionnaireResponse/${created.id}`);
    expect(created.questionnaire).toBe('urn:rapport:questionnaire:phq9|1.0.0');
    expect(created.item[8]).toEqual({ linkId: 'phq9_9', answer: [{ valueCoding: { system: 'http://loinc.org', code: 'LA6569-3', display: 'Several days' } }] });

    const [stored] = await ctx.db.select().from(responses).where(eq(responses.id, created.id));
    expect(stored).toMatchObject({
      orgId: org.id,
      clientId: client.id,
      instrumentId: 'phq9',
      status: 'completed',
      total: '11',
      bandId: 'moderate',
      complete: true,
      scorerVersion: '1.0.0',
      channel: null,
      answers: { phq9_1: 1, phq9_2: 2, phq9_3: 3, phq9_4: 0, phq9_5: 1, phq9_6: 2, phq9_7: 0, phq9_8: 1, phq9_9: 1 },
    });
    expect(stored!.submittedAt!.toISOString()).toBe('2026-03-01T08:30:00.000Z');
    const [alert] = await ctx.db.select().from(alerts).where(eq(alerts.responseId, created.id));
    expect(alert).toMatchObject({ kind: 'risk_item', urgent: true, status: 'open', clientId: client.id });
    const notify = await ctx.db.select().from(jobs).where(eq(jobs.key, `alert:${alert!.id}:urgent`));
    expect(notify).toHaveLength(1);
    const audit = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.action, 'fhir.QuestionnaireResponse.create')));
    expect(audit).toMatchObject([{ actorKind: 'api_token', actorId: tokenId, clientId: client.id, entityType: 'response', entityId: created.id, outcome: 'success' }]);

    // Read back: the response, its total as an Observation with the LOINC code, all valid.
    const read = validFhir(await get(`/QuestionnaireResponse/${created.id}`));
    expect(read.id).toBe(created.id);
    const observations = validFhir(await get(`/Observation?patient=Patient/${client.id}&code=http://loinc.org|44261-6`));
    expect(observations.entry).toHaveLength(1);
    const total = observations.entry[0].resource;
    expect(total).toMatchObject({
      id: `${created.id}-total`,
      valueQuantity: { value: 11, unit: '{score}' },
      interpretation: [{ text: 'Moderate' }],
      derivedFrom: [{ reference: `QuestionnaireResponse/${created.id}` }],
    });
    expect(validFhir(await get(`/Observation/${created.id}-total`)).id).toBe(`${created.id}-total`);
  });

  it('finds responses by patient, questionnaire and authored date with ge and le', async () => {
    const { client, post, get } = await setUp();
    const zeros = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (const day of ['2026-01-10', '2026-02-10', '2026-02-20']) {
      expect((await post('/QuestionnaireResponse', foreignPhq9(client.id, zeros, `${day}T09:00:00Z`))).statusCode).toBe(201);
    }
    const gad = {
      resourceType: 'QuestionnaireResponse',
      questionnaire: 'urn:rapport:questionnaire:gad7',
      status: 'completed',
      subject: { reference: `Patient/${client.id}` },
      authored: '2026-02-15',
      item: [1, 2, 3, 4, 5, 6, 7].map((n) => ({ linkId: `gad7_${n}`, answer: [{ valueInteger: 0 }] })),
    };
    expect((await post('/QuestionnaireResponse', gad)).statusCode).toBe(201);
    const authoredOf = (bundle: Record<string, any>) => (bundle.entry ?? []).map((e: { resource: { authored: string } }) => e.resource.authored.slice(0, 10)); // eslint-disable-line @typescript-eslint/no-explicit-any

    expect(authoredOf(validFhir(await get(`/QuestionnaireResponse?patient=${client.id}`)))).toEqual(['2026-01-10', '2026-02-10', '2026-02-15', '2026-02-20']);
    expect(authoredOf(validFhir(await get(`/QuestionnaireResponse?patient=${client.id}&questionnaire=Questionnaire/phq9&authored=ge2026-02-01&authored=le2026-02-10`)))).toEqual(['2026-02-10']);
    expect(authoredOf(validFhir(await get(`/QuestionnaireResponse?patient=${client.id}&questionnaire=urn:rapport:questionnaire:gad7`)))).toEqual(['2026-02-15']);
    expect(authoredOf(validFhir(await get(`/QuestionnaireResponse?patient=${client.id}&authored=gt2026-02-15`)))).toEqual(['2026-02-20']);
  });

  it.each([
    ['an answer that is not one of the options', (p: string) => ({ ...foreignPhq9(p, [0, 0, 0, 0, 0, 0, 0, 0, 0]), item: [{ linkId: '44250-9', answer: [{ valueCoding: { system: 'http://loinc.org', code: 'LA9999-9' } }] }] }), 'QuestionnaireResponse.item[0].answer[0]'],
    ['an item the questionnaire does not have', (p: string) => ({ ...foreignPhq9(p, [0, 0, 0, 0, 0, 0, 0, 0, 0]), item: [{ linkId: 'phq9_1', answer: [{ valueInteger: 0 }] }, { linkId: 'phq9_10', answer: [{ valueInteger: 0 }] }] }), 'QuestionnaireResponse.item[1].linkId'],
    ['no subject', (p: string) => ({ ...foreignPhq9(p, [0, 0, 0, 0, 0, 0, 0, 0, 0]), subject: undefined }), 'QuestionnaireResponse.subject'],
    ['a status of in-progress', (p: string) => ({ ...foreignPhq9(p, [0, 0, 0, 0, 0, 0, 0, 0, 0]), status: 'in-progress' }), 'QuestionnaireResponse.status'],
    ['another resource type', (p: string) => ({ ...foreignPhq9(p, [0, 0, 0, 0, 0, 0, 0, 0, 0]), resourceType: 'Observation' }), 'QuestionnaireResponse.resourceType'],
    ['an unknown questionnaire', (p: string) => ({ ...foreignPhq9(p, [0, 0, 0, 0, 0, 0, 0, 0, 0]), questionnaire: 'urn:rapport:questionnaire:nothing' }), 'QuestionnaireResponse.questionnaire'],
    ['a date in the future', (p: string) => ({ ...foreignPhq9(p, [0, 0, 0, 0, 0, 0, 0, 0, 0]), authored: '2099-01-01' }), 'QuestionnaireResponse.authored'],
  ])('refuses a QuestionnaireResponse with %s: 400 OperationOutcome naming the path, nothing stored', async (_name, build, expression) => {
    const { client, post } = await setUp();
    const res = await post('/QuestionnaireResponse', build(client.id));
    expect(res.statusCode).toBe(400);
    const outcome = validFhir(res);
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]).toMatchObject({ severity: 'error', code: 'invalid', expression: [expression] });
    expect(await ctx.db.select().from(responses).where(eq(responses.clientId, client.id))).toEqual([]);
  });

  it('answers a body that is not JSON with a 400 OperationOutcome', async () => {
    const { post } = await setUp();
    const res = await post('/QuestionnaireResponse', '{"resourceType": ');
    expect(res.statusCode).toBe(400);
    expect(validFhir(res).issue[0]).toMatchObject({ code: 'invalid', diagnostics: 'The body is not valid JSON.' });
  });

  it.each([
    ['/QuestionnaireResponse?patient=PATIENT&subject=x', 'subject'],
    ['/Observation?patient=PATIENT&_sort=date', '_sort'],
    ['/Questionnaire?title=PHQ', 'title'],
    ['/Patient/PATIENT?_elements=id', '_elements'],
  ])('refuses an unknown search parameter rather than ignoring it: %s', async (url, parameter) => {
    const { client, get } = await setUp();
    const res = await get(url.replace('PATIENT', client.id));
    expect(res.statusCode).toBe(400);
    expect(validFhir(res).issue[0]).toMatchObject({ code: 'not-supported', expression: [parameter] });
  });

  it.each([
    ['/QuestionnaireResponse', 'patient'],
    ['/QuestionnaireResponse?patient=PATIENT&authored=sa2026-01-01', 'authored'],
    ['/QuestionnaireResponse?patient=PATIENT&authored=ge2026-13-45', 'authored'],
  ])('refuses a search it cannot answer exactly: %s', async (url, parameter) => {
    const { client, get } = await setUp();
    const res = await get(url.replace('PATIENT', client.id));
    expect(res.statusCode).toBe(400);
    expect(validFhir(res).issue[0]).toMatchObject({ code: 'invalid', expression: [parameter] });
  });

  it("keeps to the token's organisation: another clinic's patient and response are 404, audited as denied", async () => {
    const mine = await setUp();
    const theirs = await setUp();
    const created = (await theirs.post('/QuestionnaireResponse', foreignPhq9(theirs.client.id, [0, 0, 0, 0, 0, 0, 0, 0, 0]))).json();
    for (const url of [
      `/Patient/${theirs.client.id}`,
      `/Patient/${theirs.client.id}/$everything`,
      `/QuestionnaireResponse?patient=${theirs.client.id}`,
      `/Observation?patient=${theirs.client.id}`,
      `/QuestionnaireResponse/${created.id}`,
      `/Observation/${created.id}-total`,
    ]) {
      const res = await mine.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(validFhir(res).issue[0].code).toBe('not-found');
    }
    const write = await mine.post('/QuestionnaireResponse', foreignPhq9(theirs.client.id, [0, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(write.statusCode).toBe(404);
    expect(validFhir(write).issue[0]).toMatchObject({ code: 'not-found', expression: ['QuestionnaireResponse.subject.reference'] });
    const denied = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, mine.org.id), eq(auditEvents.outcome, 'denied')));
    expect(denied).toHaveLength(7);
    expect(denied.every((e) => e.actorKind === 'api_token' && e.actorId === mine.tokenId && e.clientId === null)).toBe(true);
  });

  it("exports a client's own data as one Bundle: Patient with contacts, Questionnaires, responses and scores, all valid", async () => {
    const { org, client, post, get } = await setUp();
    await post('/QuestionnaireResponse', foreignPhq9(client.id, [1, 1, 1, 1, 1, 1, 1, 1, 0]));
    const patient = validFhir(await get(`/Patient/${client.id}`));
    expect(patient).toMatchObject({ id: client.id, name: [{ family: 'Lovelace', given: ['Ada'] }], birthDate: '1990-12-10' });
    expect(patient.telecom).toBeUndefined();

    const everything = validFhir(await get(`/Patient/${client.id}/$everything`));
    expect(everything.type).toBe('searchset');
    expect(everything.total).toBeUndefined();
    expect(everything.link).toEqual([{ relation: 'self', url: `http://rapport.test/fhir/R4/Patient/${client.id}/$everything` }]);
    const types = everything.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType);
    expect(types).toEqual(['Patient', 'Questionnaire', 'QuestionnaireResponse', 'Observation']);
    expect(everything.entry[0].resource.telecom).toEqual(expect.arrayContaining([{ system: 'phone', use: 'mobile', value: '+447700900123' }]));
    expect(everything.entry[3].resource.valueQuantity.value).toBe(8);
    const actions = (await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.clientId, client.id)))).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['fhir.QuestionnaireResponse.create', 'fhir.Patient.read', 'fhir.Patient.everything']));
  });

  it("no longer shows an erased client: Patient, searches and the export are 404", async () => {
    const { admin, client, org, post, get } = await setUp();
    const created = (await post('/QuestionnaireResponse', foreignPhq9(client.id, [0, 0, 0, 0, 0, 0, 0, 0, 0]))).json();
    expect(await eraseClient(ctx.db, { orgId: org.id, clientId: client.id, requestedBy: admin.userId, reason: 'client_request', now: ctx.clock.now() })).toBe(true);
    for (const url of [`/Patient/${client.id}`, `/Patient/${client.id}/$everything`, `/QuestionnaireResponse?patient=${client.id}`, `/QuestionnaireResponse/${created.id}`, `/Observation/${created.id}-total`]) {
      expect((await get(url)).statusCode, url).toBe(404);
    }
  });

  it.each(['/Encounter/1', '', '/', '/Questionnaire/..'])('answers the unknown FHIR address %s with a 404 OperationOutcome', async (path) => {
    const { get } = await setUp();
    const res = await get(path);
    expect(res.statusCode).toBe(404);
    expect(validFhir(res).issue[0].code).toBe('not-found');
  });

  it('answers a malformed address under /fhir/ with a 400 OperationOutcome', async () => {
    const { get } = await setUp();
    const res = await get('/Patient/%E0%A4%A');
    expect(res.statusCode).toBe(400);
    expect(validFhir(res).issue[0]).toMatchObject({ code: 'invalid', diagnostics: 'The address is not valid (a malformed % escape?).' });
  });

  describe('paging', () => {
    type Page = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const BASE = 'http://rapport.test/fhir/R4';
    const nextOf = (page: Page): string | undefined => page.link?.find((l: { relation: string }) => l.relation === 'next')?.url;
    const idsOf = (page: Page): string[] => (page.entry ?? []).map((e: { resource: { id: string } }) => e.resource.id);

    /** Follows `next` links from `first`, checking each page is valid FHIR, has `self` and the same total; returns the pages. */
    async function walk(get: (url: string) => Promise<any>, first: string): Promise<Page[]> { // eslint-disable-line @typescript-eslint/no-explicit-any
      const pages: Page[] = [];
      let url: string | undefined = first;
      while (url) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(200);
        const page = validFhir(res);
        expect(page.type).toBe('searchset');
        expect(page.link[0].relation).toBe('self');
        if (pages.length > 0) expect(page.total).toBe(pages[0]!.total);
        pages.push(page);
        const next = nextOf(page);
        if (next) expect(next.startsWith(`${BASE}/`)).toBe(true);
        url = next?.slice(BASE.length);
        expect(pages.length).toBeLessThan(20);
      }
      return pages;
    }

    /** Seven PHQ-9s for the patient, two of them at the same instant (the id breaks the tie). */
    async function sevenResponses(post: (url: string, body: unknown) => Promise<{ statusCode: number; json: () => any }>, patientId: string) { // eslint-disable-line @typescript-eslint/no-explicit-any
      const ids: string[] = [];
      for (const authored of ['2026-01-01T09:00:00Z', '2026-01-08T09:00:00Z', '2026-01-08T09:00:00Z', '2026-01-15T09:00:00Z', '2026-01-22T09:00:00Z', '2026-01-29T09:00:00Z', '2026-02-05T09:00:00Z']) {
        const res = await post('/QuestionnaireResponse', foreignPhq9(patientId, [1, 0, 0, 0, 0, 0, 0, 0, 0], authored));
        expect(res.statusCode).toBe(201);
        ids.push(res.json().id);
      }
      return ids;
    }

    it('pages QuestionnaireResponse search: every response exactly once, in order, the last page without next, each page audited', async () => {
      const { org, client, post, get } = await setUp();
      const created = await sevenResponses(post, client.id);
      const pages = await walk(get, `/QuestionnaireResponse?patient=${client.id}&_count=3`);
      expect(pages.map((p) => idsOf(p).length)).toEqual([3, 3, 1]);
      expect(pages.map((p) => p.total)).toEqual([7, 7, 7]);
      expect(nextOf(pages[2]!)).toBeUndefined();
      const seen = pages.flatMap(idsOf);
      expect(new Set(seen).size).toBe(7);
      expect([...seen].sort()).toEqual([...created].sort());
      const authored = pages.flatMap((p) => p.entry.map((e: { resource: { authored: string } }) => e.resource.authored));
      expect(authored).toEqual([...authored].sort());
      // The next link keeps the search's own parameters.
      const next = new URL(nextOf(pages[0]!)!);
      expect(next.searchParams.get('patient')).toBe(client.id);
      expect(next.searchParams.get('_count')).toBe('3');
      expect(next.searchParams.get('_cursor')).toBeTruthy();

      // Unpaged (the default of 50 holds them all): the same responses in the same order, and no next link.
      const all = validFhir(await get(`/QuestionnaireResponse?patient=${client.id}`));
      expect(idsOf(all)).toEqual(seen);
      expect(nextOf(all)).toBeUndefined();
      // Filters and paging together.
      const filtered = await walk(get, `/QuestionnaireResponse?patient=${client.id}&authored=ge2026-01-08&authored=lt2026-02-01&_count=2`);
      expect(filtered.map((p) => idsOf(p).length)).toEqual([2, 2, 1]);
      expect(filtered[0]!.total).toBe(5);

      const audited = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.action, 'fhir.QuestionnaireResponse.search')));
      expect(audited).toHaveLength(3 + 1 + 3);
      expect(audited.every((e) => e.clientId === client.id && e.actorKind === 'api_token' && e.outcome === 'success')).toBe(true);
    });

    it("pages Patient/$everything by responses: the Patient first, each page's Questionnaires, responses and scores, every response once", async () => {
      const { org, client, post, get } = await setUp();
      const created = await sevenResponses(post, client.id);
      const pages = await walk(get, `/Patient/${client.id}/$everything?_count=3`);
      const typesOf = (page: Page): string[] => page.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType);
      const responsesOf = (page: Page): string[] => page.entry.filter((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'QuestionnaireResponse').map((e: { resource: { id: string } }) => e.resource.id);
      expect(pages.map(responsesOf).map((r) => r.length)).toEqual([3, 3, 1]);
      expect(pages.flatMap(responsesOf)).toEqual(responsesOf(validFhir(await get(`/Patient/${client.id}/$everything`))));
      expect([...pages.flatMap(responsesOf)].sort()).toEqual([...created].sort());
      expect(typesOf(pages[0]!).slice(0, 2)).toEqual(['Patient', 'Questionnaire']);
      for (const page of pages.slice(1)) {
        expect(typesOf(page)).not.toContain('Patient');
        expect(typesOf(page)[0]).toBe('Questionnaire');
      }
      // Each page's score Observations are those of its own responses.
      for (const page of pages) {
        const observed = page.entry.filter((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Observation').map((e: { resource: { id: string } }) => e.resource.id.replace(/-[^-]+$/, ''));
        expect(new Set(observed)).toEqual(new Set(responsesOf(page)));
      }
      expect(nextOf(pages[2]!)).toBeUndefined();
      const audited = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.action, 'fhir.Patient.everything')));
      expect(audited).toHaveLength(3 + 1);

      // A cursor belongs to its own search: one from the response search is refused.
      const other = validFhir(await get(`/QuestionnaireResponse?patient=${client.id}&_count=3`));
      const foreignCursor = new URL(nextOf(other)!).searchParams.get('_cursor')!;
      const refused = await get(`/Patient/${client.id}/$everything?_count=3&_cursor=${encodeURIComponent(foreignCursor)}`);
      expect(refused.statusCode).toBe(400);
      expect(validFhir(refused).issue[0]).toMatchObject({ code: 'invalid', expression: ['_cursor'] });
      expect((await get(`/Patient/${client.id}/$everything?_count=0`)).statusCode).toBe(400);
      expect((await get(`/Patient/${client.id}/$everything?_type=Observation`)).statusCode).toBe(400);
    });

    it('does not repeat a response when one is stored between two pages', async () => {
      const { client, post, get } = await setUp();
      await sevenResponses(post, client.id);
      const first = validFhir(await get(`/QuestionnaireResponse?patient=${client.id}&_count=4`));
      const late = (await post('/QuestionnaireResponse', foreignPhq9(client.id, [0, 0, 0, 0, 0, 0, 0, 0, 0], '2026-03-01T09:00:00Z'))).json();
      const rest = await walk(get, nextOf(first)!.slice(BASE.length));
      const seen = [...idsOf(first), ...rest.flatMap(idsOf)];
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toHaveLength(8);
      expect(seen.at(-1)).toBe(late.id);
    });

    it('pages Observation search with and without a code, matching the unpaged answer', async () => {
      const { client, post, get } = await setUp();
      await sevenResponses(post, client.id);
      for (const filter of ['', '&code=http://loinc.org|44261-6']) {
        const all = validFhir(await get(`/Observation?patient=${client.id}${filter}&_count=200`));
        expect(nextOf(all)).toBeUndefined();
        expect(all.total).toBe(idsOf(all).length);
        const pages = await walk(get, `/Observation?patient=${client.id}${filter}&_count=2`);
        expect(pages.flatMap(idsOf)).toEqual(idsOf(all));
        expect(pages[0]!.total).toBe(all.total);
        expect(pages.slice(0, -1).every((p) => idsOf(p).length === 2)).toBe(true);
      }
      expect(validFhir(await get(`/Observation?patient=${client.id}&code=http://loinc.org|44261-6`)).total).toBe(7);
    });

    it('counts and pages Observations of totals and subscales by code exactly as each response makes them', async () => {
      const { org, client, get } = await setUp();
      const other = await ctx.buildClient(org.id, { givenName: 'Other', familyName: 'Client' });
      const at = (day: number) => new Date(Date.UTC(2026, 0, day, 9));
      const row = (instrumentId: string, day: number, total: string | null, subscales: Record<string, unknown> | null, extra: object = {}) => ({
        orgId: org.id, clientId: client.id, instrumentId, instrumentVersion: '1.0.0', respondent: 'client' as const, status: 'completed' as const,
        answers: {}, total, bandLabel: null, subscales, startedAt: at(day), submittedAt: at(day), createdAt: at(day), ...extra,
      });
      const score = (n: number | null) => ({ score: n, band: n === null ? null : { label: 'Band' } });
      const inserted = await ctx.db
        .insert(responses)
        .values([
          row('phq9', 1, '5', null),
          // A missing subscale score: the later ones move up (the Observation's place in its response is in the cursor).
          row('dass21', 2, '30', { depression: score(null), anxiety: score(8), stress: score(14) }),
          // Two at the same instant (the id breaks the tie); one without a total.
          row('dass21', 3, null, { depression: score(10), anxiety: score(2), stress: score(4) }),
          row('dass21', 3, '40', { depression: score(12), anxiety: score(6), stress: score(8), unknown_subscale: score(1) }),
          row('no_such_instrument', 4, '3', null),
          row('phq9', 5, '7', null, { status: 'in_progress' as const }),
          row('phq9', 6, '9', null, { clientId: other.id }),
        ])
        .returning({ id: responses.id });
      const [phq, dassA, dassB, dassC] = inserted.map((r) => r.id) as [string, string, string, string];
      const [first, second] = [dassB, dassC].sort();
      const parts: Record<string, string[]> = { [phq]: ['total'], [dassA]: ['total', 'anxiety', 'stress'], [dassB]: ['depression', 'anxiety', 'stress'], [dassC]: ['total', 'depression', 'anxiety', 'stress'] };
      const expected = (keep: (responseId: string, part: string) => boolean) =>
        [phq, dassA, first!, second!].flatMap((id) => parts[id]!.filter((part) => keep(id, part)).map((part) => `${id}-${part}`));
      const isDass = (id: string) => id !== phq;
      for (const [filter, want] of [
        ['', expected(() => true)],
        ['&code=anxiety', expected((_, part) => part === 'anxiety')],
        ['&code=urn:rapport:instrument:dass21|total', expected((id, part) => isDass(id) && part === 'total')],
        ['&code=http://loinc.org|44261-6,depression', expected((id, part) => (!isDass(id) && part === 'total') || part === 'depression')],
        ['&code=anxiety,stress&code=urn:rapport:instrument:dass21|stress', expected((_, part) => part === 'stress')],
        ['&code=urn:rapport:instrument:phq9|depression', []],
      ] as const) {
        const all = validFhir(await get(`/Observation?patient=${client.id}${filter}&_count=200`));
        expect(idsOf(all), filter).toEqual(want);
        expect(all.total, filter).toBe(want.length);
        for (const size of [1, 2, 3]) {
          const pages = await walk(get, `/Observation?patient=${client.id}${filter}&_count=${size}`);
          expect(pages.flatMap(idsOf), `${filter} _count=${size}`).toEqual(want);
          expect(pages[0]!.total).toBe(want.length);
        }
      }
    });

    it('pages Questionnaire search', async () => {
      const { get } = await setUp();
      const all = validFhir(await get('/Questionnaire?_count=200'));
      expect(all.total).toBeGreaterThan(5);
      const pages = await walk(get, '/Questionnaire?_count=5');
      expect(pages.flatMap(idsOf).sort()).toEqual(idsOf(all).sort());
      expect(new Set(pages.flatMap(idsOf)).size).toBe(all.total);
      expect(pages.length).toBe(Math.ceil(all.total / 5));
    });

    it.each(['0', '201', '-1', '1.5', 'ten', '1e2'])('refuses _count=%s with a 400 OperationOutcome', async (value) => {
      const { client, get } = await setUp();
      const res = await get(`/QuestionnaireResponse?patient=${client.id}&_count=${value}`);
      expect(res.statusCode).toBe(400);
      expect(validFhir(res).issue[0]).toMatchObject({ code: 'invalid', expression: ['_count'] });
    });

    it('limits a page to _count and to 200 at most', async () => {
      const { client, post, get } = await setUp();
      await sevenResponses(post, client.id);
      expect(idsOf(validFhir(await get(`/QuestionnaireResponse?patient=${client.id}&_count=1`)))).toHaveLength(1);
      expect(idsOf(validFhir(await get(`/QuestionnaireResponse?patient=${client.id}&_count=200`)))).toHaveLength(7);
      expect((await get(`/QuestionnaireResponse?patient=${client.id}&_count=3&_count=4`)).statusCode).toBe(400);
    });

    it("refuses a changed cursor, another search's cursor and another clinic's cursor with a 400, and never shows another clinic's responses", async () => {
      const mine = await setUp();
      const theirs = await setUp();
      const myResponses = await sevenResponses(mine.post, mine.client.id);
      const theirResponses = await sevenResponses(theirs.post, theirs.client.id);
      const next = new URL(nextOf(validFhir(await mine.get(`/QuestionnaireResponse?patient=${mine.client.id}&_count=3`)))!);
      const cursor = next.searchParams.get('_cursor')!;
      const flipped = cursor.slice(0, -2) + (cursor.at(-2) === 'A' ? 'B' : 'A') + cursor.at(-1);
      const refused = async (get: (url: string) => Promise<any>, url: string) => { // eslint-disable-line @typescript-eslint/no-explicit-any
        const res = await get(url);
        expect(res.statusCode, url).toBe(400);
        expect(validFhir(res).issue[0]).toMatchObject({ code: 'invalid', expression: ['_cursor'] });
      };
      await refused(mine.get, `/QuestionnaireResponse?patient=${mine.client.id}&_count=3&_cursor=${encodeURIComponent(flipped)}`);
      await refused(mine.get, `/QuestionnaireResponse?patient=${mine.client.id}&_count=3&_cursor=not-a-cursor`);
      // The same cursor with another search (a filter added) or for another resource type.
      await refused(mine.get, `/QuestionnaireResponse?patient=${mine.client.id}&questionnaire=Questionnaire/phq9&_count=3&_cursor=${encodeURIComponent(cursor)}`);
      await refused(mine.get, `/Observation?patient=${mine.client.id}&_count=3&_cursor=${encodeURIComponent(cursor)}`);
      // Another clinic's token cannot use it, for our patient or theirs.
      await refused(theirs.get, `${next.pathname.slice('/fhir/R4'.length)}${next.search}`);
      await refused(theirs.get, `/QuestionnaireResponse?patient=${theirs.client.id}&_count=3&_cursor=${encodeURIComponent(cursor)}`);
      // A changed _count keeps the cursor valid (it is not part of the search).
      expect((await mine.get(`/QuestionnaireResponse?patient=${mine.client.id}&_count=50&_cursor=${encodeURIComponent(cursor)}`)).statusCode).toBe(200);

      const seen = (await walk(mine.get, `/QuestionnaireResponse?patient=${mine.client.id}&_count=2`)).flatMap(idsOf);
      expect([...seen].sort()).toEqual([...myResponses].sort());
      expect(seen.some((id) => theirResponses.includes(id))).toBe(false);
      const observations = (await walk(mine.get, `/Observation?patient=${mine.client.id}&_count=3`)).flatMap((p) => p.entry.map((e: { resource: { derivedFrom: { reference: string }[] } }) => e.resource.derivedFrom[0]!.reference));
      expect(observations.some((ref: string) => theirResponses.includes(ref.split('/')[1]!))).toBe(false);
    });
  });
});
