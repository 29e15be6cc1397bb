import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { SCORER_VERSION } from '@rapport/instruments';
import { createTestContext, type TestContext } from '../../../test/context';
import { auditEvents } from '../../db/schema';
import { resolveInstrument } from './org-instruments';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const phq9Answers = (overrides: Record<string, unknown> = {}) => ({
  phq9_1: 2, phq9_2: 2, phq9_3: 1, phq9_4: 1, phq9_5: 1, phq9_6: 1, phq9_7: 1, phq9_8: 1, phq9_9: 0,
  ...overrides,
});

/** A licensed content pack for the ISI (structure only in Rapport): 7 items scored 0–4. */
function isiPack(overrides: { items?: Record<string, unknown>; languages?: string[] } = {}) {
  const items: Record<string, unknown> = {};
  for (let n = 1; n <= 7; n++) {
    items[`isi_${n}`] = {
      text: { en: `Licensed wording of item ${n}` },
      options: Object.fromEntries([0, 1, 2, 3, 4].map((v) => [String(v), { en: `Label ${v}` }])),
    };
  }
  return {
    format: 'rapport-content-pack',
    instrumentId: 'isi',
    licence: { holder: 'Test clinic', reference: 'LIC-42' },
    languages: overrides.languages ?? ['en'],
    items: { ...items, ...overrides.items },
  };
}

/** A clinic's own three-item questionnaire. */
function customDefinition(overrides: Record<string, unknown> = {}) {
  const scale = { kind: 'options', options: [0, 1, 2, 3].map((value) => ({ value, label: { en: `Level ${value}` } })) };
  return {
    id: 'clinic_sleep',
    version: '1.0.0',
    names: { short: 'Sleep check', full: 'Clinic sleep check' },
    construct: 'Sleep quality',
    respondent: 'client',
    timeFrame: 'last week',
    items: [1, 2, 3].map((n) => ({ id: `clinic_sleep_${n}`, text: { en: `Sleep question ${n}` }, response: scale })),
    scoring: { method: 'sum', missing: { rule: 'none', source: 'clinic convention' } },
    range: { min: 0, max: 9 },
    direction: 'higher-is-worse',
    licence: { status: 'clinic-owned', mayShipWording: true, source: 'clinic' },
    citation: 'Our clinic, 2026.',
    validation: { status: 'not-validated', warning: { en: 'Not validated.' } },
    ...overrides,
  };
}

describe('instrument catalogue', () => {
  it('lists every built-in instrument with licence status, respondent, item count and whether its wording is available', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/instruments' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.organisation).toBeNull();
    const phq9 = body.items.find((i: { id: string }) => i.id === 'phq9');
    expect(phq9).toEqual({
      id: 'phq9',
      version: '1.0.0',
      shortName: 'PHQ-9',
      name: 'Patient Health Questionnaire-9',
      respondent: 'client',
      itemCount: 10,
      direction: 'higher-is-worse',
      range: { min: 0, max: 27 },
      licenceStatus: 'public-domain',
      validated: true,
      parallelFormId: null,
      wordingAvailable: true,
      source: 'built-in',
    });
    expect(body.items.find((i: { id: string }) => i.id === 'isi')).toMatchObject({ licenceStatus: 'licence-required', wordingAvailable: false });
    expect(body.items.find((i: { id: string }) => i.id === 'rapport_alliance_therapist')).toMatchObject({ respondent: 'clinician' });
  });

  it('returns a shippable definition with its wording and a restricted one as structure only', async () => {
    const phq9 = await ctx.app.inject({ method: 'GET', url: '/api/v1/instruments/phq9' });
    expect(phq9.statusCode).toBe(200);
    expect(phq9.json()).toMatchObject({ id: 'phq9', source: 'built-in', wordingAvailable: true, languages: ['en'] });
    expect(phq9.json().definition.items[8]).toMatchObject({ id: 'phq9_9', text: { en: expect.stringContaining('better off dead') } });
    const isi = await ctx.app.inject({ method: 'GET', url: '/api/v1/instruments/isi' });
    expect(isi.json()).toMatchObject({ id: 'isi', wordingAvailable: false, languages: [] });
    expect(isi.json().definition.items.every((item: { text?: unknown }) => item.text === undefined)).toBe(true);
  });

  it('answers 404 for an unknown instrument', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/instruments/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such instrument.' } });
  });
});

describe('stateless scoring', () => {
  it('scores a PHQ-9 without storing anything', async () => {
    const before = await ctx.db.select().from(auditEvents);
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/instruments/phq9/score', payload: { answers: phq9Answers() } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      instrumentId: 'phq9',
      instrumentVersion: '1.0.0',
      scorerVersion: SCORER_VERSION,
      complete: true,
      total: 10,
      prorated: false,
      band: { id: 'moderate', label: 'Moderate' },
      caseness: true,
      flags: [],
      missing: [],
    });
    expect(await ctx.db.select().from(auditEvents)).toHaveLength(before.length);
  });

  it('flags an endorsed item 9 and prorates one missing item', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/instruments/phq9/score', payload: { answers: phq9Answers({ phq9_9: 2, phq9_8: null }) } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ complete: false, prorated: true, missing: ['phq9_8'], flags: [{ kind: 'risk', itemId: 'phq9_9' }] });
  });

  it.each([
    ['a value outside the options', { phq9_3: 4 }, 'invalid_answer', 'answers.phq9_3'],
    ['a negative value', { phq9_1: -1 }, 'invalid_answer', 'answers.phq9_1'],
    ['a string', { phq9_2: '2' }, 'invalid_answer', 'answers.phq9_2'],
    ['an unknown item', { phq9_10: 1 }, 'unknown_item', 'answers.phq9_10'],
  ])('refuses %s with a 400 naming the item', async (_case, overrides, code, field) => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/instruments/phq9/score', payload: { answers: phq9Answers(overrides) } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code, field, message: expect.stringContaining(field.slice('answers.'.length)) } });
  });

  it('answers 404 when scoring an unknown instrument', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/instruments/nope/score', payload: { answers: {} } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such instrument.' } });
  });

  it('refuses a body without answers', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/instruments/phq9/score', payload: { phq9_1: 1 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed' });
  });
});

describe('content packs', () => {
  it('stores an admin’s licensed pack, unlocks the wording for that organisation only, and audits the upload', async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/content-packs', headers: { cookie: admin.cookie }, payload: isiPack() });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      instrumentId: 'isi',
      version: 1,
      current: true,
      uploadedBy: admin.userId,
      languages: ['en'],
      licence: { holder: 'Test clinic', reference: 'LIC-42' },
      unlocks: { instrumentId: 'isi', shortName: 'ISI', suppliesWording: true },
    });
    const audit = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.actorId, admin.userId), eq(auditEvents.action, 'content_pack.upload')));
    expect(audit).toHaveLength(1);

    const detail = await ctx.app.inject({ method: 'GET', url: '/api/v1/instruments/isi', headers: { cookie: admin.cookie } });
    expect(detail.json()).toMatchObject({ source: 'content-pack', orgVersion: 1, wordingAvailable: true, languages: ['en'] });
    expect(detail.json().definition.items[0].text).toEqual({ en: 'Licensed wording of item 1' });
    const catalogue = (await ctx.app.inject({ method: 'GET', url: '/api/v1/instruments', headers: { cookie: admin.cookie } })).json();
    expect(catalogue.items.find((i: { id: string }) => i.id === 'isi')).toMatchObject({ source: 'content-pack', wordingAvailable: true });
    expect(catalogue.organisation.contentPacks).toEqual([{ instrumentId: 'isi', version: 1, uploadedAt: ctx.clock.now().toISOString() }]);

    const resolved = await resolveInstrument(ctx.db, org.id, 'isi');
    expect(resolved).toMatchObject({ source: 'content-pack', orgVersion: 1 });
    expect(resolved!.renderable!.items[0]!.text).toEqual({ en: 'Licensed wording of item 1' });

    const otherOrg = await ctx.buildOrganisation();
    const otherAdmin = await ctx.buildStaff(otherOrg.id, 'admin');
    const otherList = await ctx.app.inject({ method: 'GET', url: '/api/v1/content-packs', headers: { cookie: otherAdmin.cookie } });
    expect(otherList.json()).toEqual({ items: [] });
    const otherDetail = await ctx.app.inject({ method: 'GET', url: '/api/v1/instruments/isi', headers: { cookie: otherAdmin.cookie } });
    expect(otherDetail.json()).toMatchObject({ source: 'built-in', wordingAvailable: false });
    const anonymous = await ctx.app.inject({ method: 'GET', url: '/api/v1/instruments/isi' });
    expect(anonymous.json()).toMatchObject({ wordingAvailable: false });
    expect(await resolveInstrument(ctx.db, otherOrg.id, 'isi')).toMatchObject({ source: 'built-in', renderable: null });
  });

  it('keeps every upload as a new version and applies the latest', async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const upload = (payload: object) => ctx.app.inject({ method: 'POST', url: '/api/v1/content-packs', headers: { cookie: admin.cookie }, payload });
    expect((await upload(isiPack())).json().version).toBe(1);
    const labels = Object.fromEntries([0, 1, 2, 3, 4].map((v) => [String(v), { en: `Label ${v}` }]));
    const second = isiPack({ items: { isi_1: { text: { en: 'Revised wording' }, options: labels } } });
    expect((await upload(second)).json().version).toBe(2);
    const list = (await ctx.app.inject({ method: 'GET', url: '/api/v1/content-packs', headers: { cookie: admin.cookie } })).json();
    expect(list.items.map((p: { version: number; current: boolean }) => [p.version, p.current])).toEqual([
      [2, true],
      [1, false],
    ]);
    const resolved = await resolveInstrument(ctx.db, org.id, 'isi');
    expect(resolved!.orgVersion).toBe(2);
    expect(resolved!.renderable!.items[0]!.text).toEqual({ en: 'Revised wording' });
  });

  it.each([
    ['an item the instrument does not have', isiPack({ items: { isi_8: { text: { en: 'Extra' } } } }), 'items.isi_8', 'isi_8'],
    ['an option value the item does not have', isiPack({ items: { isi_3: { text: { en: 'x' }, options: { '7': { en: 'Seven' } } } } }), 'items.isi_3', 'isi_3'],
    ['an item without wording in a declared language', isiPack({ languages: ['en', 'fr'] }), 'items.isi_1', 'isi_1'],
  ])('refuses a pack with %s, naming the item', async (_case, pack, field, itemId) => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/content-packs', headers: { cookie: admin.cookie }, payload: pack });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'invalid_content_pack', field, message: expect.stringContaining(itemId) } });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/content-packs', headers: { cookie: admin.cookie } })).json().items).toEqual([]);
  });

  it('refuses a pack for an instrument Rapport does not have', async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/content-packs', headers: { cookie: admin.cookie }, payload: { ...isiPack(), instrumentId: 'nope' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'unknown_instrument', field: 'instrumentId', message: 'No built-in instrument has this id.' } });
  });

  it('lets only admins upload', async () => {
    const org = await ctx.buildOrganisation();
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/content-packs', headers: { cookie: clinician.cookie }, payload: isiPack() });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
  });
});

describe('custom instruments', () => {
  it('stores a clinic’s own questionnaire, versioned, and scores it for that organisation only', async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const upload = (payload: object) => ctx.app.inject({ method: 'POST', url: '/api/v1/custom-instruments', headers: { cookie: admin.cookie }, payload });
    const first = await upload(customDefinition());
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ instrumentId: 'clinic_sleep', version: 1, current: true, definitionVersion: '1.0.0', shortName: 'Sleep check', itemCount: 3 });
    expect((await upload(customDefinition({ version: '1.1.0' }))).json()).toMatchObject({ version: 2, definitionVersion: '1.1.0' });

    const list = (await ctx.app.inject({ method: 'GET', url: '/api/v1/custom-instruments', headers: { cookie: admin.cookie } })).json();
    expect(list.items.map((i: { version: number; current: boolean }) => [i.version, i.current])).toEqual([
      [2, true],
      [1, false],
    ]);
    const catalogue = (await ctx.app.inject({ method: 'GET', url: '/api/v1/instruments', headers: { cookie: admin.cookie } })).json();
    expect(catalogue.items.find((i: { id: string }) => i.id === 'clinic_sleep')).toMatchObject({ source: 'custom', version: '1.1.0', wordingAvailable: true });
    expect(catalogue.organisation.customInstruments).toMatchObject([{ instrumentId: 'clinic_sleep', version: 2 }]);

    const score = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/instruments/clinic_sleep/score',
      headers: { cookie: admin.cookie },
      payload: { answers: { clinic_sleep_1: 1, clinic_sleep_2: 2, clinic_sleep_3: 3 } },
    });
    expect(score.json()).toMatchObject({ instrumentId: 'clinic_sleep', instrumentVersion: '1.1.0', total: 6 });
    const resolved = await resolveInstrument(ctx.db, org.id, 'clinic_sleep');
    expect(resolved).toMatchObject({ source: 'custom', orgVersion: 2, version: '1.1.0' });
    expect(resolved!.score({ clinic_sleep_1: 0, clinic_sleep_2: 0, clinic_sleep_3: 1 }).total).toBe(1);

    const anonymous = await ctx.app.inject({ method: 'POST', url: '/api/v1/instruments/clinic_sleep/score', payload: { answers: {} } });
    expect(anonymous.statusCode).toBe(404);
    const otherOrg = await ctx.buildOrganisation();
    expect(await resolveInstrument(ctx.db, otherOrg.id, 'clinic_sleep')).toBeNull();
  });

  it('refuses an id that a built-in instrument already has', async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const items = customDefinition().items.map((item, n) => ({ ...item, id: `phq9_${n + 1}` }));
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/custom-instruments', headers: { cookie: admin.cookie }, payload: customDefinition({ id: 'phq9', items }) });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: { code: 'instrument_id_taken', field: 'id', message: 'A built-in instrument already has this id; choose another.' } });
  });

  it.each([
    ['a range that does not match its items', customDefinition({ range: { min: 0, max: 10 } }), undefined],
    ['an item without wording', customDefinition({ items: [{ id: 'clinic_sleep_1', response: { kind: 'options', options: [{ value: 0 }, { value: 1 }] } }], range: { min: 0, max: 1 } }), 'items.clinic_sleep_1'],
    ['no items', customDefinition({ items: [] }), 'items'],
  ])('refuses a definition with %s', async (_case, definition, field) => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/custom-instruments', headers: { cookie: admin.cookie }, payload: definition });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'invalid_definition', ...(field ? { field } : {}) });
  });
});

describe('rate limits', () => {
  it('limits stateless scoring per address, with a retry-after', async () => {
    const score = () =>
      ctx.app.inject({ method: 'POST', url: '/api/v1/instruments/phq9/score', remoteAddress: '10.9.8.7', payload: { answers: phq9Answers() } });
    for (let i = 0; i < 60; i++) expect((await score()).statusCode).toBe(200);
    const limited = await score();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.json()).toEqual({ error: { code: 'too_many_requests', message: 'Too many requests. Please wait a moment and try again.' } });
    const elsewhere = await ctx.app.inject({ method: 'POST', url: '/api/v1/instruments/phq9/score', remoteAddress: '10.9.8.6', payload: { answers: phq9Answers() } });
    expect(elsewhere.statusCode).toBe(200);
  });
});
