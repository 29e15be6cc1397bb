import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { and, eq, inArray } from 'drizzle-orm';
import { appointments, auditEvents, careTeamMembers, clients, episodes, responses } from '../../db/schema';
import { createTestContext, type TestContext } from '../../../test/context';
import { importColumns, type ImportKind } from './imports.schema';

let ctx: TestContext;
beforeAll(async () => {
  // A small limit, so the 413 test needs only a small file.
  ctx = await createTestContext({ IMPORT_MAX_MB: '0.05' });
});
afterAll(() => ctx.close());

// The test clock starts at 2026-03-02T09:00:00Z.
async function clinic() {
  const org = await ctx.buildOrganisation({ settings: { timeZone: 'Europe/London' } });
  const admin = await ctx.buildStaff(org.id, 'admin');
  const supervisor = await ctx.buildStaff(org.id, 'supervisor');
  const clinician = await ctx.buildStaff(org.id, 'clinician', { email: `dr.${org.id.slice(0, 8)}@clinic.test` });
  return { org, admin, supervisor, clinician };
}

type Options = { mode?: 'all-or-nothing' | 'valid-only'; dryRun?: boolean; contentType?: string; accept?: string };
// Each upload from its own address, so the route's rate limit (per address) never answers instead.
let uploads = 0;
const upload = (kind: string, cookie: string, body: string, options: Options = {}) =>
  ctx.app.inject({
    remoteAddress: `10.9.${Math.floor(++uploads / 250)}.${uploads % 250}`,
    method: 'POST',
    url: `/api/v1/imports/${kind}?mode=${options.mode ?? 'all-or-nothing'}&dryRun=${options.dryRun ? 'true' : 'false'}`,
    headers: { cookie, 'content-type': options.contentType ?? 'text/csv', ...(options.accept ? { accept: options.accept } : {}) },
    payload: body,
  });

const csv = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;
const clientsOf = (orgId: string) => ctx.db.select().from(clients).where(eq(clients.orgId, orgId));
const auditOf = (orgId: string, action: string) => ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.action, action)));

describe('importing clients', () => {
  const header = 'given_name,family_name,email,date_of_birth,external_id,clinician_email,language';

  it('imports a valid file, puts the named clinician on the care team, and audits the import and each client', async () => {
    const c = await clinic();
    const res = await upload(
      'clients',
      c.admin.cookie,
      csv(header, `Ada,Lovelace,ada@mail.test,1990-12-10,EXT-1,${c.clinician.email},en`, '"Grace, M.",Hopper,grace@mail.test,,EXT-2,,fr'),
    );
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ kind: 'clients', format: 'csv', mode: 'all-or-nothing', dryRun: false, rows: 2, valid: 2, invalid: 0, duplicates: 0, imported: 2, errors: [], moreErrors: 0 });
    const rows = await clientsOf(c.org.id);
    expect(rows.map((r) => [r.givenName, r.familyName, r.email, r.dateOfBirth, r.externalRef, r.language]).sort()).toEqual([
      ['Ada', 'Lovelace', 'ada@mail.test', '1990-12-10', 'EXT-1', 'en'],
      ['Grace, M.', 'Hopper', 'grace@mail.test', null, 'EXT-2', 'fr'],
    ]);
    const ada = rows.find((r) => r.givenName === 'Ada')!;
    const team = await ctx.db.select().from(careTeamMembers).where(inArray(careTeamMembers.clientId, rows.map((r) => r.id)));
    expect(team.map((t) => [t.clientId, t.userId])).toEqual([[ada.id, c.clinician.userId]]);
    const [summary, ...others] = await auditOf(c.org.id, 'imports.clients');
    expect(others).toEqual([]);
    expect(summary).toMatchObject({ actorId: c.admin.userId, entityType: 'import', outcome: 'success' });
    expect(JSON.parse(summary!.entityId!)).toEqual({ importId: report.importId, format: 'csv', mode: 'all-or-nothing', dryRun: false, rows: 2, valid: 2, invalid: 0, duplicates: 0, imported: 2 });
    const perClient = await auditOf(c.org.id, 'client.import');
    expect(perClient.map((e) => e.clientId).sort()).toEqual(rows.map((r) => r.id).sort());
    // Ids and counts only: no name reaches the append-only trail.
    expect(JSON.stringify([summary, perClient])).not.toMatch(/Lovelace|Hopper|ada@mail/);
  });

  it('writes nothing in all-or-nothing mode when one row is invalid, and reports the row and column without the value', async () => {
    const c = await clinic();
    const file = csv(header, 'Ada,Lovelace,ada@mail.test,1990-12-10,EXT-1,,en', 'Bob,Stone,bob@mail.test,10/12/1990,EXT-2,,en', 'Cy,Young,cy@mail.test,,EXT-3,,en');
    const res = await upload('clients', c.admin.cookie, file);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rows: 3, valid: 2, invalid: 1, imported: 0 });
    expect(res.json().errors).toEqual([
      { row: 3, column: 'date_of_birth', code: 'invalid_value', message: 'Row 3, column date_of_birth: not a date (expected YYYY-MM-DD).' },
    ]);
    expect(res.body).not.toContain('10/12/1990');
    expect(await clientsOf(c.org.id)).toEqual([]);
    expect(await auditOf(c.org.id, 'client.import')).toEqual([]);
    // The attempt itself is audited, with its counts.
    const [summary] = await auditOf(c.org.id, 'imports.clients');
    expect(JSON.parse(summary!.entityId!)).toMatchObject({ rows: 3, invalid: 1, imported: 0 });

    const valid = await upload('clients', c.admin.cookie, file, { mode: 'valid-only' });
    expect(valid.json()).toMatchObject({ mode: 'valid-only', rows: 3, valid: 2, invalid: 1, imported: 2 });
    expect((await clientsOf(c.org.id)).map((r) => r.givenName).sort()).toEqual(['Ada', 'Cy']);
  });

  it('rolls back rows already written in earlier batches when a later row is invalid (all-or-nothing)', async () => {
    const c = await clinic();
    const rows = Array.from({ length: 520 }, (_, i) => `Given${i},Family${i},,,EXT-${i},,`);
    rows.push('Last,Row,,31/12/1999,EXT-LAST,,');
    const res = await upload('clients', c.admin.cookie, csv(header, ...rows));
    expect(res.json()).toMatchObject({ rows: 521, valid: 520, invalid: 1, imported: 0 });
    expect(await clientsOf(c.org.id)).toEqual([]);
    expect(await auditOf(c.org.id, 'client.import')).toEqual([]);
  });

  it('refuses a cell holding the NUL character as a row problem, not a server error', async () => {
    const c = await clinic();
    const res = await upload('clients', c.admin.cookie, csv(header, 'Ada,Love\u0000lace,,,,,'), { mode: 'valid-only' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ invalid: 1, errors: [expect.objectContaining({ row: 2, column: 'family_name', code: 'invalid_character' })] });
  });

  it('lists missing required cells and bad values per column', async () => {
    const c = await clinic();
    const res = await upload('clients', c.admin.cookie, csv(header, ',Lovelace,not-an-email,0000-01-01,,nobody@clinic.test,de'), { mode: 'valid-only' });
    expect(res.json().errors.map((e: { column: string; code: string }) => [e.column, e.code])).toEqual([
      ['given_name', 'required'],
      ['email', 'invalid_value'],
      ['date_of_birth', 'invalid_value'],
      ['language', 'invalid_value'],
    ]);
    const unknownClinician = await upload('clients', c.admin.cookie, csv(header, 'Ada,Lovelace,,,,nobody@clinic.test,'));
    expect(unknownClinician.json().errors).toEqual([expect.objectContaining({ row: 2, column: 'clinician_email', code: 'unknown_clinician' })]);
  });

  it('skips duplicates of existing clients (external id or email) and within the file, without blocking the rest', async () => {
    const c = await clinic();
    await ctx.buildClient(c.org.id, { externalRef: 'EXT-1', email: 'someone@mail.test' });
    await ctx.buildClient(c.org.id, { email: 'Taken@Mail.test' });
    const file = csv(header, 'Ada,Lovelace,,,EXT-1,,', 'Bea,Bell,taken@mail.test,,,,', 'Cy,Young,cy@mail.test,,EXT-9,,', 'Cy,Young,CY@mail.test,,,,');
    const res = await upload('clients', c.admin.cookie, file);
    expect(res.json()).toMatchObject({ rows: 4, valid: 1, invalid: 0, duplicates: 3, imported: 1 });
    expect(res.json().errors.map((e: { row: number; column: string; code: string }) => [e.row, e.column, e.code])).toEqual([
      [2, 'external_id', 'duplicate'],
      [3, 'email', 'duplicate'],
      [5, 'email', 'duplicate'],
    ]);
    expect((await clientsOf(c.org.id)).filter((r) => r.givenName === 'Cy')).toHaveLength(1);
    // Importing the same file again adds nothing.
    expect((await upload('clients', c.admin.cookie, file)).json()).toMatchObject({ valid: 0, duplicates: 4, imported: 0 });
  });

  it('validates everything but writes nothing in a dry run', async () => {
    const c = await clinic();
    const res = await upload('clients', c.admin.cookie, csv(header, 'Ada,Lovelace,ada@mail.test,,,,'), { dryRun: true });
    expect(res.json()).toMatchObject({ dryRun: true, rows: 1, valid: 1, invalid: 0, imported: 0 });
    expect(await clientsOf(c.org.id)).toEqual([]);
    expect(await auditOf(c.org.id, 'client.import')).toEqual([]);
    expect(await auditOf(c.org.id, 'imports.clients')).toHaveLength(1);
  });

  it.each([
    ['an unknown column', 'given_name,family_name,nhs_number', 'nhs_number', /Unknown column: nhs_number\./],
    ['a missing required column', 'given_name,email', 'family_name', /Missing column: family_name\./],
    ['a repeated column', 'given_name,family_name,email,EMAIL', 'email', /Column given twice: email\./],
  ])('refuses a header with %s, naming it', async (_what, headerLine, field, message) => {
    const c = await clinic();
    const res = await upload('clients', c.admin.cookie, csv(headerLine, 'Ada,Lovelace,x'));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'import_bad_header', field });
    expect(res.json().error.message).toMatch(message);
    expect(res.json().error.message).toMatch(/Expected columns: given_name, family_name \(required\)/);
    expect(await clientsOf(c.org.id)).toEqual([]);
  });

  it('does not repeat a first row that is data, not a header', async () => {
    const c = await clinic();
    const res = await upload('clients', c.admin.cookie, csv('Ada,Lovelace,ada@mail.test'));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('import_bad_header');
    expect(res.body).not.toMatch(/Lovelace|ada@mail/);
  });

  it('stops an upload over the size limit with 413, counted as it streams, and writes nothing', async () => {
    const c = await clinic();
    const rows = Array.from({ length: 3000 }, (_, i) => `Given${i},Family${i},,,,,`);
    const big = csv(header, ...rows);
    expect(Buffer.byteLength(big)).toBeGreaterThan(0.05 * 1024 * 1024);
    const declared = await upload('clients', c.admin.cookie, big);
    expect(declared.statusCode).toBe(413);
    expect(declared.json().error.code).toBe('import_too_large');
    // Without a Content-Length (chunked), the byte count stops it while streaming.
    const { Readable } = await import('node:stream');
    const streamed = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/imports/clients',
      headers: { cookie: c.admin.cookie, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
      payload: Readable.from([big.slice(0, 30_000), big.slice(30_000)]),
    });
    expect(streamed.statusCode).toBe(413);
    expect(streamed.json().error.code).toBe('import_too_large');
    expect(await clientsOf(c.org.id)).toEqual([]);
  });

  it('answers 413 on a real socket while the client is still sending a chunked upload', async () => {
    const c = await clinic();
    const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const { request } = await import('node:http');
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${address}/api/v1/imports/clients`, { method: 'POST', headers: { cookie: c.admin.cookie, 'content-type': 'text/csv', origin: 'http://rapport.test' } }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.write(`${header}\r\n`);
      // 200 kB in 2 kB chunks, four times the limit, without a Content-Length.
      const chunk = 'Given,Family,,,,,\r\n'.repeat(110);
      let sent = 0;
      const pump = () => {
        while (sent < 100) {
          sent += 1;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status.status).toBe(413);
    expect(JSON.parse(status.body).error.code).toBe('import_too_large');
    expect(await clientsOf(c.org.id)).toEqual([]);
  });

  it('refuses other staff, and another media type', async () => {
    const c = await clinic();
    const file = csv(header, 'Ada,Lovelace,,,,,');
    expect((await upload('clients', c.supervisor.cookie, file)).statusCode).toBe(403);
    expect((await upload('clients', c.clinician.cookie, file)).statusCode).toBe(403);
    const json = await ctx.app.inject({ method: 'POST', url: '/api/v1/imports/clients', headers: { cookie: c.admin.cookie }, payload: { given_name: 'Ada' } });
    expect(json.statusCode).toBe(415);
    expect(json.json().error.code).toBe('unsupported_media_type');
    expect((await upload('clients', c.admin.cookie, 'BEGIN:VCALENDAR\r\n', { contentType: 'text/calendar' })).statusCode).toBe(415);
  });

  it('refuses a file that stops being CSV as 400 import_bad_csv naming the line, or as the last NDJSON line once streaming', async () => {
    const c = await clinic();
    const broken = csv(header, 'Ada,Lovelace,,,,,', 'Bob,"Stone,,,,,', 'Cy,Young,,,,,');
    const json = await upload('clients', c.admin.cookie, broken, { mode: 'valid-only' });
    expect(json.statusCode).toBe(400);
    expect(json.json().error).toMatchObject({ code: 'import_bad_csv' });
    expect(json.json().error.message).toMatch(/near line \d+/);
    expect(json.body).not.toContain('Stone');
    const streamed = await upload('clients', c.admin.cookie, broken, { mode: 'valid-only', accept: 'application/x-ndjson' });
    expect(streamed.statusCode).toBe(200);
    const last = JSON.parse(streamed.body.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ type: 'error', error: { code: 'import_bad_csv' } });
    expect(await clientsOf(c.org.id)).toEqual([]);
  });

  it('streams progress lines and then the report when asked for NDJSON', async () => {
    const c = await clinic();
    const rows = Array.from({ length: 620 }, (_, i) => `Given${i},Family${i},,,,,`);
    const res = await upload('clients', c.admin.cookie, csv(header, ...rows), { accept: 'application/x-ndjson' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = res.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['started', 'progress', 'progress', 'report']);
    expect(lines.filter((l) => l.type === 'progress').map((l) => l.rows)).toEqual([500, 620]);
    expect(lines.at(-1).report).toMatchObject({ rows: 620, imported: 620 });
  });
});

describe('importing appointments', () => {
  const header = 'client_external_id,client_email,clinician_email,starts_at,duration_minutes,kind,status';

  async function withClients() {
    const c = await clinic();
    const ada = await ctx.buildClient(c.org.id, { externalRef: 'EXT-1', email: 'ada@mail.test' });
    const bea = await ctx.buildClient(c.org.id, { email: 'bea@mail.test' });
    const [episode] = await ctx.db.insert(episodes).values({ orgId: c.org.id, clientId: ada.id, primaryClinicianId: c.clinician.userId, startedOn: '2026-01-05' }).returning();
    return { ...c, ada, bea, episode: episode! };
  }
  const appointmentsOf = (orgId: string) => ctx.db.select().from(appointments).where(eq(appointments.orgId, orgId));

  it('imports a CSV, finds clients by external id or email, joins the open episode and the care team', async () => {
    const c = await withClients();
    const res = await upload(
      'appointments',
      c.admin.cookie,
      csv(header, `EXT-1,,${c.clinician.email},2026-03-10T10:00:00+00:00,60,assessment,`, `,BEA@mail.test,${c.clinician.email},2026-03-11T09:30:00Z,,,attended`),
    );
    expect(res.json()).toMatchObject({ rows: 2, valid: 2, imported: 2, errors: [] });
    const rows = await appointmentsOf(c.org.id);
    expect(rows.map((a) => [a.clientId, a.clinicianId, a.startsAt.toISOString(), a.durationMinutes, a.kind, a.status, a.episodeId]).sort()).toEqual([
      [c.ada.id, c.clinician.userId, '2026-03-10T10:00:00.000Z', 60, 'assessment', 'scheduled', c.episode.id],
      [c.bea.id, c.clinician.userId, '2026-03-11T09:30:00.000Z', 50, 'treatment', 'attended', null],
    ].sort());
    const team = await ctx.db.select().from(careTeamMembers).where(eq(careTeamMembers.userId, c.clinician.userId));
    expect(team.map((t) => t.clientId).sort()).toEqual([c.ada.id, c.bea.id].sort());
    expect((await auditOf(c.org.id, 'appointment.import')).map((e) => e.clientId).sort()).toEqual([c.ada.id, c.bea.id].sort());
  });

  it('calls another clinic\'s client an unknown client, and imports nothing in all-or-nothing mode', async () => {
    const c = await withClients();
    const other = await ctx.buildOrganisation();
    await ctx.buildClient(other.id, { externalRef: 'OTHER-1', email: 'elsewhere@mail.test' });
    const file = csv(header, `EXT-1,,${c.clinician.email},2026-03-10T10:00:00Z,,,`, `OTHER-1,,${c.clinician.email},2026-03-10T11:00:00Z,,,`, `,elsewhere@mail.test,${c.clinician.email},2026-03-10T12:00:00Z,,,`);
    const res = await upload('appointments', c.admin.cookie, file);
    expect(res.json()).toMatchObject({ rows: 3, valid: 1, invalid: 2, imported: 0 });
    expect(res.json().errors.map((e: { row: number; column: string; code: string }) => [e.row, e.column, e.code])).toEqual([
      [3, 'client_external_id', 'unknown_client'],
      [4, 'client_email', 'unknown_client'],
    ]);
    expect(await appointmentsOf(c.org.id)).toEqual([]);
    const valid = await upload('appointments', c.admin.cookie, file, { mode: 'valid-only' });
    expect(valid.json()).toMatchObject({ valid: 1, invalid: 2, imported: 1 });
    expect(await appointmentsOf(c.org.id)).toHaveLength(1);
    expect(await appointmentsOf(other.id)).toEqual([]);
  });

  it('skips an appointment that is already booked', async () => {
    const c = await withClients();
    const file = csv(header, `EXT-1,,${c.clinician.email},2026-03-10T10:00:00Z,,,`);
    expect((await upload('appointments', c.admin.cookie, file)).json()).toMatchObject({ imported: 1 });
    const again = await upload('appointments', c.admin.cookie, file);
    expect(again.json()).toMatchObject({ valid: 0, duplicates: 1, imported: 0, errors: [expect.objectContaining({ row: 2, column: 'starts_at', code: 'duplicate' })] });
    expect(await appointmentsOf(c.org.id)).toHaveLength(1);
  });

  it('imports an iCal file: UTC, a VTIMEZONE and a floating time in the clinic\'s zone; refuses all-day and recurring events', async () => {
    const c = await withClients();
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Test//EN',
      'BEGIN:VTIMEZONE',
      'TZID:Europe/Paris',
      'BEGIN:STANDARD',
      'DTSTART:19701025T030000',
      'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:19700329T020000',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0200',
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
      'BEGIN:VEVENT',
      'UID:a1',
      'DTSTART:20260310T100000Z',
      'DTEND:20260310T105000Z',
      'SUMMARY:Session',
      `ORGANIZER;CN=Dr:mailto:${c.clinician.email}`,
      `ATTENDEE;CN=Ada:mailto:${c.clinician.email}`,
      'ATTENDEE;CN=Ada:mailto:ADA@mail.test',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:a2',
      'DTSTART;TZID=Europe/Paris:20260601T100000',
      'DURATION:PT1H30M',
      `ORGANIZER:mailto:${c.clinician.email}`,
      'X-RAPPORT-CLIENT:EXT-1',
      'STATUS:CANCELLED',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:a3',
      'DTSTART:20260715T140000',
      `ORGANIZER:mailto:${c.clinician.email}`,
      'ATTENDEE:mailto:bea@mail.test',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:a4',
      'DTSTART;VALUE=DATE:20260716',
      `ORGANIZER:mailto:${c.clinician.email}`,
      'ATTENDEE:mailto:bea@mail.test',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:a5',
      'DTSTART:20260717T090000Z',
      'RRULE:FREQ=WEEKLY;COUNT=4',
      `ORGANIZER:mailto:${c.clinician.email}`,
      'ATTENDEE:mailto:bea@mail.test',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const res = await upload('appointments', c.admin.cookie, ics, { contentType: 'text/calendar', mode: 'valid-only' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ format: 'ical', rows: 5, valid: 3, invalid: 2, imported: 3 });
    expect(res.json().errors.map((e: { row: number; column: string; code: string }) => [e.row, e.column, e.code])).toEqual([
      [4, 'DTSTART', 'all_day_event'],
      [5, 'RRULE', 'recurring_event'],
    ]);
    expect(res.json().errors[0].message).toBe('Event 4, property DTSTART: is an all-day event, not an appointment with a time.');
    const rows = await appointmentsOf(c.org.id);
    expect(rows.map((a) => [a.clientId, a.startsAt.toISOString(), a.durationMinutes, a.status]).sort()).toEqual([
      [c.ada.id, '2026-03-10T10:00:00.000Z', 50, 'scheduled'],
      // 10:00 in Paris in June is 08:00 UTC (from the file's VTIMEZONE).
      [c.ada.id, '2026-06-01T08:00:00.000Z', 90, 'cancelled'],
      // A floating 14:00 is the clinic's (London, summer time): 13:00 UTC.
      [c.bea.id, '2026-07-15T13:00:00.000Z', 50, 'scheduled'],
    ].sort());
  });

  it('refuses a file that is not iCalendar', async () => {
    const c = await withClients();
    const res = await upload('appointments', c.admin.cookie, 'hello\r\n', { contentType: 'text/calendar' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'import_bad_header', field: 'BEGIN:VCALENDAR' });
  });
});

describe('importing historical scores', () => {
  const header = 'client_external_id,client_email,instrument_id,date,total,answers';
  const phq9 = (values: number[]) => values.map((v, i) => `phq9_${i + 1}=${v}`).join('; ');

  async function withClient() {
    const c = await clinic();
    const ada = await ctx.buildClient(c.org.id, { externalRef: 'EXT-1', email: 'ada@mail.test' });
    const [episode] = await ctx.db.insert(episodes).values({ orgId: c.org.id, clientId: ada.id, primaryClinicianId: c.clinician.userId, startedOn: '2025-06-01' }).returning();
    return { ...c, ada, episode: episode! };
  }
  const responsesOf = (clientId: string) => ctx.db.select().from(responses).where(eq(responses.clientId, clientId));

  it('scores answers with the instruments library, stores totals alone with their band, in the episode, marked imported', async () => {
    const c = await withClient();
    const res = await upload(
      'scores',
      c.admin.cookie,
      csv(header, `EXT-1,,phq9,2025-07-01,,${phq9([2, 2, 1, 1, 1, 1, 1, 1, 0])}`, `,ada@mail.test,gad7,2025-07-02T09:00:00+01:00,12,`, `EXT-1,,phq9,2025-07-15,10,${phq9([1, 1, 1, 1, 1, 1, 1, 2, 1])}`),
    );
    expect(res.json()).toMatchObject({ rows: 3, valid: 3, invalid: 0, imported: 3 });
    const rows = (await responsesOf(c.ada.id)).sort((a, b) => a.submittedAt!.getTime() - b.submittedAt!.getTime());
    expect(rows.map((r) => [r.instrumentId, r.total, r.bandId, r.status, r.respondent, r.episodeId, r.submittedAt!.toISOString()])).toEqual([
      ['phq9', '10', 'moderate', 'completed', 'client', c.episode.id, '2025-07-01T12:00:00.000Z'],
      ['gad7', '12', 'moderate', 'completed', 'client', c.episode.id, '2025-07-02T08:00:00.000Z'],
      ['phq9', '10', 'moderate', 'completed', 'client', c.episode.id, '2025-07-15T12:00:00.000Z'],
    ]);
    expect(rows[0]!.scorerVersion).not.toBeNull();
    expect(rows[1]!.answers).toEqual({});
    for (const r of rows) expect(r.scoreDetail).toMatchObject({ import: { importId: res.json().importId } });
    // The same file again: every row is already there.
    const again = await upload('scores', c.admin.cookie, csv(header, `EXT-1,,phq9,2025-07-01,,${phq9([2, 2, 1, 1, 1, 1, 1, 1, 0])}`, `,ada@mail.test,gad7,2025-07-02T09:00:00+01:00,12,`));
    expect(again.json()).toMatchObject({ rows: 2, valid: 0, duplicates: 2, imported: 0 });
    expect(await responsesOf(c.ada.id)).toHaveLength(3);
    expect((await auditOf(c.org.id, 'response.import')).map((e) => e.entityId).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it('reports bad answers, mismatched totals, totals out of range and unknown instruments; all-or-nothing writes none', async () => {
    const c = await withClient();
    const file = csv(
      header,
      `EXT-1,,phq9,2025-07-01,,${phq9([2, 2, 1, 1, 1, 1, 1, 1, 7])}`,
      `EXT-1,,phq9,2025-07-02,11,${phq9([1, 1, 1, 1, 1, 1, 1, 2, 1])}`,
      'EXT-1,,phq9,2025-07-03,28,',
      'EXT-1,,nope,2025-07-04,3,',
      'EXT-1,,phq9,2025-07-05,,',
      'EXT-1,,phq9,2025-07-06,5,',
    );
    const res = await upload('scores', c.admin.cookie, file);
    expect(res.json()).toMatchObject({ rows: 6, valid: 1, invalid: 5, imported: 0 });
    expect(res.json().errors.map((e: { row: number; column: string; code: string }) => [e.row, e.column, e.code])).toEqual([
      [2, 'answers', 'invalid_answer'],
      [3, 'total', 'total_mismatch'],
      [4, 'total', 'out_of_range'],
      [5, 'instrument_id', 'unknown_instrument'],
      [6, 'total', 'required'],
    ]);
    expect(res.json().errors[0].message).toBe('Row 2, column answers: item phq9_9: not a valid answer for this item.');
    expect(await responsesOf(c.ada.id)).toEqual([]);
    expect((await upload('scores', c.admin.cookie, file, { mode: 'valid-only' })).json()).toMatchObject({ imported: 1 });
    expect(await responsesOf(c.ada.id)).toHaveLength(1);
  });

  it('shows imported scores in the client\'s trajectory chart', async () => {
    const c = await withClient();
    await upload('scores', c.admin.cookie, csv(header, 'EXT-1,,phq9,2025-07-01,18,', 'EXT-1,,phq9,2025-08-01,12,'));
    const chart = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${c.ada.id}/trajectories?instrumentId=phq9`, headers: { cookie: c.admin.cookie } });
    expect(chart.statusCode).toBe(200);
    expect(JSON.stringify(chart.json())).toMatch(/18/);
    expect(chart.json().episodeId).toBe(c.episode.id);
  });

  it('calls another clinic\'s client unknown', async () => {
    const c = await withClient();
    const other = await ctx.buildOrganisation();
    const foreign = await ctx.buildClient(other.id, { externalRef: 'FOREIGN' });
    const res = await upload('scores', c.admin.cookie, csv(header, 'FOREIGN,,phq9,2025-07-01,5,'));
    expect(res.json().errors).toEqual([expect.objectContaining({ row: 2, column: 'client_external_id', code: 'unknown_client' })]);
    expect(await responsesOf(foreign.id)).toEqual([]);
  });
});

describe('any cell', () => {
  /** CSV-quoted, so any text (commas, quotes, newlines, NUL, emoji) lands in its cell. */
  const quote = (cell: string) => `"${cell.replaceAll('"', '""')}"`;
  const cell = fc.oneof(
    // Mostly empty, so whole rows come out valid often enough to reach the writes.
    { arbitrary: fc.constant(''), weight: 8 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
    { arbitrary: fc.constantFrom('', '0000-01-01', '2026-02-30', '1990-12-10', '2026-03-02T10:00:00Z', '-1', '99999999999999999999', '1e5', 'phq9', 'phq9_1=9', '__proto__=1', 'a@b.c', '+447700900123', 'fr', 'Europe/London'), weight: 2 },
  );

  it.each(['clients', 'appointments', 'scores'] as ImportKind[])('of a %s file is a row problem or a row, never a server error', async (kind) => {
    const c = await clinic();
    const columns = [...importColumns[kind].required, ...importColumns[kind].optional];
    // A client's names are any text at all, so rows reach the insert with odd but valid values.
    const row = fc.tuple(...columns.map((column) => (kind === 'clients' && column.endsWith('_name') && column !== 'preferred_name' ? fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }) : cell)));
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 4 }), async (rows) => {
        const body = csv(columns.join(','), ...rows.map((r) => r.map(quote).join(',')));
        const res = await upload(kind, c.admin.cookie, body, { mode: 'valid-only' });
        expect(res.statusCode, res.body).toBeLessThan(500);
        expect(res.statusCode, res.body).not.toBe(429);
        if (res.statusCode === 200) expect(res.json().rows).toBe(rows.length);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
