import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { appointments, auditEvents, careTeamMembers, episodes } from '../../db/schema';
import { createTestContext, type TestContext } from '../../../test/context';
import { recordAttendance } from './appointments.queries';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

type Method = 'GET' | 'POST' | 'PATCH';
const call = (method: Method, url: string, cookie: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: { cookie }, ...(payload ? { payload } : {}) });

// The test clock starts at 2026-03-02T09:00:00Z.
async function clinic(timeZone = 'Europe/London') {
  const org = await ctx.buildOrganisation({ settings: { timeZone } });
  const admin = await ctx.buildStaff(org.id, 'admin');
  const clinician = await ctx.buildStaff(org.id, 'clinician');
  const offTeam = await ctx.buildStaff(org.id, 'clinician');
  const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
  const [episode] = await ctx.db
    .insert(episodes)
    .values({ orgId: org.id, clientId: client.id, primaryClinicianId: clinician.userId, presentingProblem: 'depression', startedOn: '2026-02-01' })
    .returning();
  const base = `/api/v1/clients/${client.id}/appointments`;
  return { org, admin, clinician, offTeam, client, episode: episode!, base };
}

const auditOf = (orgId: string, action: string) =>
  ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.action, action)));

describe('booking and listing a client\'s appointments', () => {
  it('books for the calling clinician in the open episode by default, audited', async () => {
    const c = await clinic();
    const res = await call('POST', c.base, c.clinician.cookie, { startsAt: '2026-03-03T10:00:00+01:00' });
    expect(res.statusCode).toBe(201);
    const appt = res.json();
    expect(appt).toMatchObject({ clientId: c.client.id, clinicianId: c.clinician.userId, episodeId: c.episode.id, startsAt: '2026-03-03T09:00:00.000Z', durationMinutes: 50, kind: 'treatment', status: 'scheduled', cancelledBy: null });
    const list = await call('GET', c.base, c.clinician.cookie);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((a: { id: string }) => a.id)).toEqual([appt.id]);
    expect(await auditOf(c.org.id, 'appointment.create')).toEqual([expect.objectContaining({ clientId: c.client.id, entityType: 'appointment', entityId: appt.id, actorId: c.clinician.userId })]);
    expect(await auditOf(c.org.id, 'appointments.list')).toEqual([expect.objectContaining({ clientId: c.client.id, actorId: c.clinician.userId })]);
  });

  it('asks an admin to name the clinician, and puts a named clinician on the care team', async () => {
    const c = await clinic();
    const missing = await call('POST', c.base, c.admin.cookie, { startsAt: '2026-03-03T10:00:00Z' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatchObject({ code: 'validation_failed', field: 'clinicianId' });
    const res = await call('POST', c.base, c.admin.cookie, { startsAt: '2026-03-03T10:00:00Z', clinicianId: c.offTeam.userId, kind: 'assessment', durationMinutes: 90 });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ clinicianId: c.offTeam.userId, kind: 'assessment', durationMinutes: 90 });
    const team = await ctx.db.select().from(careTeamMembers).where(eq(careTeamMembers.clientId, c.client.id));
    expect(team.map((m) => m.userId)).toContain(c.offTeam.userId);
  });

  it('books without an episode when the client has none open', async () => {
    const c = await clinic();
    await ctx.db.update(episodes).set({ endedOn: '2026-02-20', endReason: 'completed' }).where(eq(episodes.id, c.episode.id));
    const res = await call('POST', c.base, c.clinician.cookie, { startsAt: '2026-03-03T10:00:00Z', kind: 'follow_up' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ episodeId: null, kind: 'follow_up' });
  });

  it('refuses a closed episode, another client\'s episode and a clinician from another clinic', async () => {
    const c = await clinic();
    const other = await clinic();
    const [closed] = await ctx.db
      .insert(episodes)
      .values({ orgId: c.org.id, clientId: c.client.id, primaryClinicianId: c.clinician.userId, startedOn: '2025-01-01', endedOn: '2025-06-01', endReason: 'completed' })
      .returning();
    for (const [payload, field] of [
      [{ episodeId: closed!.id }, 'episodeId'],
      [{ episodeId: other.episode.id }, 'episodeId'],
      [{ clinicianId: other.clinician.userId }, 'clinicianId'],
    ] as const) {
      const res = await call('POST', c.base, c.clinician.cookie, { startsAt: '2026-03-03T10:00:00Z', ...payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'bad_request', field });
    }
  });

  it.each([
    [{ startsAt: '2026-03-03T10:00:00' }, 'startsAt'],
    [{ startsAt: 'next tuesday' }, 'startsAt'],
    [{ startsAt: '2026-03-03T10:00:00Z', durationMinutes: 4 }, 'durationMinutes'],
    [{ startsAt: '2026-03-03T10:00:00Z', durationMinutes: 481 }, 'durationMinutes'],
    [{ startsAt: '2026-03-03T10:00:00Z', kind: 'group' }, 'kind'],
    [{ startsAt: '2026-03-03T10:00:00Z', status: 'attended' }, 'status'],
  ])('refuses an invalid booking %j naming the field', async (payload, field) => {
    const c = await clinic();
    const res = await call('POST', c.base, c.clinician.cookie, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field });
  });
});

describe('moving an appointment and recording attendance', () => {
  async function booked(startsAt = '2026-03-02T08:00:00Z') {
    const c = await clinic();
    const appt = (await call('POST', c.base, c.clinician.cookie, { startsAt })).json() as { id: string };
    return { ...c, appt, url: `${c.base}/${appt.id}` };
  }

  it('moves a scheduled appointment to another time, length and clinician, audited', async () => {
    const c = await booked('2026-03-04T10:00:00Z');
    const res = await call('PATCH', c.url, c.clinician.cookie, { startsAt: '2026-03-05T11:00:00+00:00', durationMinutes: 30, clinicianId: c.offTeam.userId });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ startsAt: '2026-03-05T11:00:00.000Z', durationMinutes: 30, clinicianId: c.offTeam.userId, status: 'scheduled' });
    expect(await auditOf(c.org.id, 'appointment.move')).toEqual([expect.objectContaining({ clientId: c.client.id, entityId: c.appt.id })]);
  });

  it('records attendance one click at a time, correcting an earlier click, audited', async () => {
    const c = await booked();
    const attended = await call('POST', `${c.url}/attendance`, c.clinician.cookie, { status: 'attended' });
    expect(attended.statusCode).toBe(200);
    expect(attended.json()).toMatchObject({ status: 'attended', cancelledBy: null });
    const corrected = await call('POST', `${c.url}/attendance`, c.clinician.cookie, { status: 'did_not_attend' });
    expect(corrected.json()).toMatchObject({ status: 'did_not_attend' });
    const cancelled = await call('POST', `${c.url}/attendance`, c.clinician.cookie, { status: 'cancelled', cancelledBy: 'client' });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancelledBy: 'client' });
    expect(await auditOf(c.org.id, 'appointment.attendance')).toHaveLength(3);
  });

  it('will not mark a future appointment attended or missed, but may cancel it', async () => {
    const c = await booked('2026-03-02T09:30:00Z');
    for (const status of ['attended', 'did_not_attend']) {
      const res = await call('POST', `${c.url}/attendance`, c.clinician.cookie, { status });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'appointment_in_future', field: 'status' });
    }
    const cancelled = await call('POST', `${c.url}/attendance`, c.clinician.cookie, { status: 'cancelled', cancelledBy: 'clinic' });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancelledBy: 'clinic' });
  });

  it('will not move an appointment that already happened or was cancelled', async () => {
    const c = await booked();
    await call('POST', `${c.url}/attendance`, c.clinician.cookie, { status: 'attended' });
    const res = await call('PATCH', c.url, c.clinician.cookie, { durationMinutes: 60 });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('appointment_not_scheduled');
  });

  it.each([
    [{ status: 'scheduled' }, 'status'],
    [{ status: 'attended', cancelledBy: 'client' }, 'cancelledBy'],
    [{ status: 'cancelled', cancelledBy: 'therapist' }, 'cancelledBy'],
  ])('refuses invalid attendance %j naming the field', async (payload, field) => {
    const c = await booked();
    const res = await call('POST', `${c.url}/attendance`, c.clinician.cookie, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field });
  });

  it.each([
    [{ durationMinutes: 481 }, 'durationMinutes'],
    [{ startsAt: '2026-03-05 11:00' }, 'startsAt'],
    [{ status: 'attended' }, 'status'],
  ])('refuses an invalid move %j naming the field', async (payload, field) => {
    const c = await booked('2026-03-04T10:00:00Z');
    const res = await call('PATCH', c.url, c.clinician.cookie, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field });
  });

  it('reports the status before and after each attendance change to callers that react to it', async () => {
    const c = await booked();
    const input = { orgId: c.org.id, clientId: c.client.id, appointmentId: c.appt.id, now: ctx.clock.now() };
    const first = await ctx.db.transaction((tx) => recordAttendance(tx, { ...input, status: 'attended' }));
    expect([first!.before.status, first!.after.status]).toEqual(['scheduled', 'attended']);
    const same = await ctx.db.transaction((tx) => recordAttendance(tx, { ...input, status: 'attended' }));
    expect([same!.before.status, same!.after.status]).toEqual(['attended', 'attended']);
    const other = await clinic();
    expect(await ctx.db.transaction((tx) => recordAttendance(tx, { ...input, orgId: other.org.id, status: 'attended' }))).toBeNull();
  });

  it('hides appointments from a clinician off the care team and from another clinic, and another client\'s appointment is 404', async () => {
    const c = await booked();
    const other = await ctx.buildOrganisation();
    const otherAdmin = await ctx.buildStaff(other.id, 'admin');
    for (const cookie of [c.offTeam.cookie, otherAdmin.cookie]) {
      for (const [method, url, payload] of [
        ['GET', c.base],
        ['POST', c.base, { startsAt: '2026-03-03T10:00:00Z' }],
        ['PATCH', c.url, { durationMinutes: 30 }],
        ['POST', `${c.url}/attendance`, { status: 'attended' }],
      ] as Array<[Method, string, object?]>) {
        const res = await call(method, url, cookie, payload);
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such client.' } });
      }
    }
    const secondClient = await ctx.buildClient(c.org.id, {}, [c.clinician.userId]);
    const wrong = await call('POST', `/api/v1/clients/${secondClient.id}/appointments/${c.appt.id}/attendance`, c.clinician.cookie, { status: 'attended' });
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json()).toEqual({ error: { code: 'not_found', message: 'No such appointment.' } });
    const [row] = await ctx.db.select().from(appointments).where(eq(appointments.id, c.appt.id));
    expect(row!.status).toBe('scheduled');
  });
});

describe('the day\'s list', () => {
  async function day() {
    const c = await clinic('America/New_York');
    const client2 = await ctx.buildClient(c.org.id, {}, [c.offTeam.userId]);
    const book = async (clientId: string, clinicianId: string, startsAt: string) => {
      const [row] = await ctx.db.insert(appointments).values({ orgId: c.org.id, clientId, clinicianId, startsAt: new Date(startsAt) }).returning();
      return row!.id;
    };
    // 2 March in New York runs from 05:00Z on 2 March to 05:00Z on 3 March.
    const ids = {
      dayBefore: await book(c.client.id, c.clinician.userId, '2026-03-02T04:30:00Z'),
      mine: await book(c.client.id, c.clinician.userId, '2026-03-02T14:00:00Z'),
      myClientWithOther: await book(c.client.id, c.offTeam.userId, '2026-03-02T15:00:00Z'),
      notMine: await book(client2.id, c.offTeam.userId, '2026-03-02T16:00:00Z'),
      lateEvening: await book(client2.id, c.offTeam.userId, '2026-03-03T04:30:00Z'),
      dayAfter: await book(c.client.id, c.clinician.userId, '2026-03-03T05:00:00Z'),
    };
    return { ...c, ids };
  }
  const idsOf = (res: { json(): { items: Array<{ id: string }> } }) => res.json().items.map((a) => a.id);

  it('shows an admin every appointment of the day in the clinic\'s time zone, with client and clinician, audited', async () => {
    const c = await day();
    const res = await call('GET', '/api/v1/appointments?date=2026-03-02', c.admin.cookie);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ date: '2026-03-02', timeZone: 'America/New_York' });
    expect(idsOf(res)).toEqual([c.ids.mine, c.ids.myClientWithOther, c.ids.notMine, c.ids.lateEvening]);
    expect(res.json().items[0]).toMatchObject({ client: { id: c.client.id, givenName: c.client.givenName }, clinician: { id: c.clinician.userId } });
    expect(await auditOf(c.org.id, 'appointments.day')).toEqual([expect.objectContaining({ actorId: c.admin.userId, entityType: 'appointment', entityId: '2026-03-02' })]);
  });

  it('defaults to today in the clinic\'s time zone', async () => {
    const c = await day();
    ctx.clock.set('2026-03-03T04:00:00Z'); // still 2 March in New York
    try {
      const admin = await ctx.buildStaff(c.org.id, 'admin'); // a session that is live at this hour
      const res = await call('GET', '/api/v1/appointments', admin.cookie);
      expect(res.json().date).toBe('2026-03-02');
      expect(idsOf(res)).toHaveLength(4);
    } finally {
      ctx.clock.set('2026-03-02T09:00:00Z');
    }
  });

  it('shows a clinician only their own appointments and those of clients on their care teams', async () => {
    const c = await day();
    const res = await call('GET', '/api/v1/appointments?date=2026-03-02', c.clinician.cookie);
    expect(res.statusCode).toBe(200);
    expect(idsOf(res)).toEqual([c.ids.mine, c.ids.myClientWithOther]);
  });

  it('filters by clinician', async () => {
    const c = await day();
    const res = await call('GET', `/api/v1/appointments?date=2026-03-02&clinicianId=${c.offTeam.userId}`, c.admin.cookie);
    expect(idsOf(res)).toEqual([c.ids.myClientWithOther, c.ids.notMine, c.ids.lateEvening]);
  });

  it('never shows another clinic\'s appointments', async () => {
    await day();
    const other = await ctx.buildOrganisation({ settings: { timeZone: 'America/New_York' } });
    const otherAdmin = await ctx.buildStaff(other.id, 'admin');
    const res = await call('GET', `/api/v1/appointments?date=2026-03-02`, otherAdmin.cookie);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([]);
  });

  it.each([
    ['date=2026-02-30', 'date'],
    ['date=tomorrow', 'date'],
    ['clinicianId=me', 'clinicianId'],
    ['limit=5', 'limit'],
  ])('refuses the query %s naming the field', async (query, field) => {
    const c = await clinic();
    const res = await call('GET', `/api/v1/appointments?${query}`, c.admin.cookie);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field: `querystring.${field}` });
  });
});
