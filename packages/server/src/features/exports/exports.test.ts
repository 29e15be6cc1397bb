import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../../test/context';
import { appointments, episodes, programmes, responses } from '../../db/schema';
import { csvCell, csvLine } from './exports.csv';
import { deidentifierFor, MAX_SHIFT_DAYS } from './exports.deidentify';
import { responsesCsv } from './exports.queries';

let ctx: TestContext;

/** A naive CSV reader, enough for what the export writes (quoted cells with doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += ch;
  }
  return rows;
}

function records(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
}

async function seed() {
  const org = await ctx.buildOrganisation();
  const admin = await ctx.buildStaff(org.id, 'admin');
  const supervisor = await ctx.buildStaff(org.id, 'supervisor');
  const clinician = await ctx.buildStaff(org.id, 'clinician');
  const otherClinician = await ctx.buildStaff(org.id, 'clinician');
  const [programme] = await ctx.db.insert(programmes).values({ orgId: org.id, name: 'Adults', createdAt: ctx.clock.now() }).returning();
  const client = await ctx.buildClient(org.id, { givenName: 'Ysolde', familyName: 'Lovelace', email: 'ysolde@mail.test', mobile: '+447700900555', externalRef: 'NHS-1' }, [clinician.userId]);
  const second = await ctx.buildClient(org.id, { givenName: 'Grace', familyName: 'Hopper', email: 'grace@mail.test' }, [otherClinician.userId]);
  const [episode] = await ctx.db
    .insert(episodes)
    .values({ orgId: org.id, clientId: client.id, programmeId: programme!.id, primaryClinicianId: clinician.userId, presentingProblem: 'Secret problem text', startedOn: '2026-01-10', createdAt: ctx.clock.now() })
    .returning();
  const [episode2] = await ctx.db
    .insert(episodes)
    .values({ orgId: org.id, clientId: second.id, primaryClinicianId: otherClinician.userId, startedOn: '2026-01-12', createdAt: ctx.clock.now() })
    .returning();
  const [appointment] = await ctx.db
    .insert(appointments)
    .values({ orgId: org.id, clientId: client.id, episodeId: episode!.id, clinicianId: clinician.userId, startsAt: new Date('2026-02-01T10:00:00Z'), createdAt: ctx.clock.now(), updatedAt: ctx.clock.now() })
    .returning();
  const insert = (values: Partial<typeof responses.$inferInsert> & { clientId: string; submittedAt: Date }) =>
    ctx.db
      .insert(responses)
      .values({
        orgId: org.id,
        instrumentId: 'phq9',
        instrumentVersion: '1.0.0',
        respondent: 'client',
        status: 'completed',
        answers: { phq9_1: 2, phq9_2: 1, phq9_9: 0 },
        total: '12',
        bandId: 'moderate',
        bandLabel: 'Moderate',
        startedAt: values.submittedAt,
        createdAt: values.submittedAt,
        ...values,
      })
      .returning()
      .then((r) => r[0]!);
  const r1 = await insert({ clientId: client.id, episodeId: episode!.id, appointmentId: appointment!.id, submittedAt: new Date('2026-02-01T11:00:00Z') });
  const r2 = await insert({
    clientId: client.id,
    episodeId: episode!.id,
    instrumentId: 'gad7',
    answers: { gad7_1: 3 },
    total: '9',
    bandId: 'mild',
    bandLabel: 'Mild, "edge" case',
    submittedAt: new Date('2026-02-08T11:00:00Z'),
  });
  const r3 = await insert({ clientId: second.id, episodeId: episode2!.id, total: '3.5', prorated: true, submittedAt: new Date('2026-02-15T11:00:00Z') });
  await insert({ clientId: second.id, status: 'in_progress', total: null, submittedAt: new Date('2026-02-16T11:00:00Z') });
  return { org, admin, supervisor, clinician, otherClinician, programme: programme!, client, second, episode: episode!, appointment: appointment!, r1, r2, r3 };
}

const get = (cookie: string, query = '') => ctx.app.inject({ method: 'GET', url: `/api/v1/exports/responses.csv${query ? `?${query}` : ''}`, headers: { cookie } });

describe('CSV cells', () => {
  it.each([
    [null, ''],
    [12, '12'],
    ['3.5', '3.5'],
    ['-2', '-2'],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    [' padded', '" padded"'],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['@SUM(A1)', "'@SUM(A1)"],
  ])('writes %j as %s', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('ends every line with CRLF', () => {
    expect(csvLine(['a', 1, null])).toBe('a,1,\r\n');
  });
});

describe('the responses export', () => {
  beforeEach(async () => {
    ctx = await createTestContext();
  });
  afterEach(async () => {
    await ctx.close();
  });

  it('writes one row per completed response with scores, subscale and item columns, dates, episode, appointment and clinician', async () => {
    const s = await seed();
    const res = await get(s.admin.cookie);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="responses.csv"');
    const [header] = parseCsv(res.body);
    expect(header!.slice(0, 16)).toEqual([
      'client_id',
      'response_id',
      'episode_id',
      'appointment_id',
      'programme_id',
      'clinician_id',
      'respondent',
      'respondent_user_id',
      'instrument_id',
      'instrument_version',
      'episode_started_on',
      'submitted_at',
      'total',
      'band_id',
      'band_label',
      'prorated',
    ]);
    expect(header).toContain('phq9_9');
    expect(header).toContain('gad7_7');
    const rows = records(res.body);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      client_id: s.client.id,
      response_id: s.r1.id,
      episode_id: s.episode.id,
      appointment_id: s.appointment.id,
      programme_id: s.programme.id,
      clinician_id: s.clinician.userId,
      instrument_id: 'phq9',
      episode_started_on: '2026-01-10',
      submitted_at: '2026-02-01T11:00:00.000Z',
      total: '12',
      band_id: 'moderate',
      phq9_1: '2',
      phq9_9: '0',
      gad7_1: '',
    });
    // Quoting survives a round trip.
    expect(rows[1]).toMatchObject({ instrument_id: 'gad7', band_label: 'Mild, "edge" case', gad7_1: '3', phq9_1: '' });
    expect(rows[2]).toMatchObject({ client_id: s.second.id, total: '3.5', prorated: 'true', clinician_id: s.otherClinician.userId });
    for (const secret of ['Ysolde', 'Lovelace', 'ysolde@mail.test', 'Secret problem text']) expect(res.body).not.toContain(secret);
  });

  it.each([
    ['instrumentId=gad7', ['r2']],
    ['from=2026-02-08&to=2026-02-08', ['r2']],
    ['from=2026-02-09', ['r3']],
  ] as const)('filters by %s', async (query, expected) => {
    const s = await seed();
    const rows = records((await get(s.supervisor.cookie, query)).body);
    expect(rows.map((r) => r.response_id)).toEqual(expected.map((k) => s[k].id));
  });

  it('filters by programme and by clinician', async () => {
    const s = await seed();
    expect(records((await get(s.admin.cookie, `programmeId=${s.programme.id}`)).body).map((r) => r.response_id)).toEqual([s.r1.id, s.r2.id]);
    expect(records((await get(s.admin.cookie, `clinicianId=${s.otherClinician.userId}`)).body).map((r) => r.response_id)).toEqual([s.r3.id]);
  });

  it('refuses a clinician with 403 and a reversed date range with 400', async () => {
    const s = await seed();
    const refused = await get(s.clinician.cookie);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('forbidden');
    const bad = await get(s.admin.cookie, 'from=2026-03-01&to=2026-02-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ message: 'The start date must not be after the end date.' });
  });

  it('records one audit event per export with the filter and no personal data', async () => {
    const s = await seed();
    await get(s.admin.cookie, `instrumentId=phq9&deidentified=true`);
    const events = (await ctx.db.execute(sql`select action, entity_type, entity_id, client_id from audit_events where action = 'exports.responses_csv'`)) as unknown as {
      rows: Array<Record<string, string | null>>;
    };
    expect(events.rows).toEqual([{ action: 'exports.responses_csv', entity_type: 'export', entity_id: '{"instrumentId":"phq9","deidentified":"true"}', client_id: null }]);
  });

  it('de-identifies: stable pseudonyms and per-client date shifts, no names, contacts or ids', async () => {
    const s = await seed();
    const first = await get(s.admin.cookie, 'deidentified=true');
    const again = await get(s.supervisor.cookie, 'deidentified=true');
    expect(first.headers['content-disposition']).toBe('attachment; filename="responses-deidentified.csv"');
    expect(again.body).toBe(first.body);
    for (const secret of ['Ysolde', 'Lovelace', 'ysolde@mail.test', '+447700900555', 'NHS-1', 'Grace', s.client.id, s.second.id, s.r1.id, s.episode.id, s.appointment.id]) {
      expect(first.body).not.toContain(secret);
    }
    const rows = records(first.body);
    expect(Object.keys(rows[0]!)).not.toContain('response_id');
    const ada = deidentifierFor(ctx.secretKey, s.client.id);
    const adaRows = rows.filter((r) => r.client_pseudonym === ada.pseudonym);
    expect(adaRows).toHaveLength(2);
    expect(Math.abs(ada.shiftDays)).toBeLessThanOrEqual(MAX_SHIFT_DAYS);
    // Every date of a client moves by the same number of days, so intervals are kept.
    const day = 86_400_000;
    expect((Date.parse(adaRows[0]!.submitted_at!) - Date.parse('2026-02-01T11:00:00Z')) / day).toBe(ada.shiftDays);
    expect((Date.parse(adaRows[1]!.submitted_at!) - Date.parse('2026-02-08T11:00:00Z')) / day).toBe(ada.shiftDays);
    expect((Date.parse(`${adaRows[0]!.episode_started_on}T00:00:00Z`) - Date.parse('2026-01-10T00:00:00Z')) / day).toBe(ada.shiftDays);
    expect(adaRows[0]!.episode_pseudonym).toBe(adaRows[1]!.episode_pseudonym);
    expect(rows.find((r) => r.client_pseudonym !== ada.pseudonym)!.client_pseudonym).toBe(deidentifierFor(ctx.secretKey, s.second.id).pseudonym);
  });

  it('pages past responses that share a timestamp to the microsecond, each exactly once', async () => {
    const s = await seed();
    await ctx.db.execute(sql`insert into responses (org_id, client_id, instrument_id, instrument_version, respondent, status, answers, started_at, submitted_at)
      select ${s.org.id}, ${s.second.id}, 'phq9', '1.0.0', 'client', 'completed', '{}'::jsonb, now(), timestamptz '2026-02-20 10:00:00.123456+00' from generate_series(1, 5)`);
    let text = '';
    for await (const chunk of responsesCsv(ctx.db, { orgId: s.org.id }, { deidentified: false, secretKey: ctx.secretKey, batchSize: 2 })) text += chunk;
    const ids = records(text).map((r) => r.response_id);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
  });

  it('reads in batches as it streams: a row added after the first batch was sent still arrives', async () => {
    const s = await seed();
    const lines = responsesCsv(ctx.db, { orgId: s.org.id }, { deidentified: false, secretKey: ctx.secretKey, batchSize: 2 });
    const header = await lines.next();
    const firstBatch = await lines.next();
    expect(String(header.value)).toMatch(/^client_id,/);
    expect(parseCsv(String(firstBatch.value))).toHaveLength(2);
    // Were the whole result read up front, this later response could not appear.
    const late = await ctx.db
      .insert(responses)
      .values({ orgId: s.org.id, clientId: s.second.id, instrumentId: 'phq9', instrumentVersion: '1.0.0', respondent: 'client', status: 'completed', answers: {}, total: '1', startedAt: ctx.clock.now(), submittedAt: new Date('2026-02-20T00:00:00Z'), createdAt: ctx.clock.now() })
      .returning();
    let rest = '';
    for await (const chunk of lines) rest += chunk;
    const ids = parseCsv(rest).map((r) => r[1]);
    expect(ids).toEqual([s.r3.id, late[0]!.id]);
  });
});
