import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../../test/context';
import {
  alerts,
  appointments,
  assignmentLinks,
  clientConsents,
  episodeOutcomes,
  episodes,
  jobs,
  kioskCodes,
  kioskDevices,
  linkSessions,
  messages,
  protocols,
  responseDiscussions,
  responses,
  sessionRatings,
} from '../../db/schema';
import type { Db } from '../../db/database';
import { sealAuditEvents, verifyAuditChain } from '../../audit/audit-chain';
import { ERASED_CLIENT_TABLES } from './erasure';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext();
});
afterEach(async () => {
  await ctx.close();
});

/** Every row of every table of the application, as JSON text, by table. */
async function dumpDatabase(db: Db): Promise<Map<string, string[]>> {
  const tables = (await db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  )) as unknown as { rows: Array<{ table_name: string }> };
  const dump = new Map<string, string[]>();
  for (const { table_name } of tables.rows) {
    const rows = (await db.execute(sql`select row_to_json(t)::text as row from ${sql.identifier(table_name)} t`)) as unknown as { rows: Array<{ row: string }> };
    dump.set(table_name, rows.rows.map((r) => r.row));
  }
  return dump;
}

const CANARY = 'CANARYzq';
const CANARY_MOBILE = '+447700900123';

/** A client with personal data (canary strings) in every table that can hold some. */
async function seedCanaryClient(orgId: string, clinicianId: string, CANARY = 'KEEPERxy', mobile = '+447700900999') {
  const now = ctx.clock.now();
  const client = await ctx.buildClient(
    orgId,
    {
      givenName: `${CANARY}Given`,
      familyName: `${CANARY}Family`,
      preferredName: `${CANARY}Pref`,
      email: `${CANARY.toLowerCase()}@mail.test`,
      mobile,
      externalRef: `${CANARY}-NHS-943`,
      dateOfBirth: mobile === CANARY_MOBILE ? '1977-07-07' : '1980-01-01',
      timeZone: 'Europe/Paris',
    },
    [clinicianId],
  );
  await ctx.db.insert(clientConsents).values({ orgId, clientId: client.id, channel: 'email', granted: true, recordedBy: clinicianId, note: `${CANARY} said yes`, recordedAt: now });
  const [episode] = await ctx.db
    .insert(episodes)
    .values({ orgId, clientId: client.id, primaryClinicianId: clinicianId, presentingProblem: `${CANARY} problem`, startedOn: '2026-01-01', endedOn: '2026-02-20', endReason: 'completed', createdAt: now })
    .returning();
  const [protocol] = await ctx.db
    .insert(protocols)
    .values({ orgId, episodeId: episode!.id, name: `${CANARY} plan`, rules: [{ id: 'r1', instrumentIds: ['phq9'], respondent: 'client', trigger: { kind: 'intake' } }], createdAt: now, updatedAt: now })
    .returning();
  const [appointment] = await ctx.db.insert(appointments).values({ orgId, clientId: client.id, episodeId: episode!.id, clinicianId, startsAt: now, createdAt: now, updatedAt: now }).returning();
  const assignment = await ctx.buildAssignment(orgId, client.id, { episodeId: episode!.id, appointmentId: appointment!.id, protocolId: protocol!.id, status: 'completed', completedAt: now });
  const ratingAssignment = await ctx.buildAssignment(orgId, client.id, { respondent: 'clinician', respondentUserId: clinicianId, channel: 'in_session', instrumentIds: ['rapport_alliance_therapist'] });
  await ctx.db.insert(assignmentLinks).values({ orgId, assignmentId: assignment.id, tokenHash: `${CANARY}-link-hash-${randomUUID()}`, createdAt: now });
  await ctx.db.insert(linkSessions).values({ orgId, assignmentId: assignment.id, tokenHash: `${CANARY}-session-hash-${randomUUID()}`, via: 'link', createdAt: now, lastSeenAt: now, expiresAt: now });
  await ctx.db.insert(kioskDevices).values({ orgId, name: 'Waiting room', tokenHash: randomUUID(), createdAt: now });
  await ctx.db.insert(kioskCodes).values({ orgId, assignmentId: assignment.id, codeHash: `${CANARY}-code-hash-${randomUUID()}`, expiresAt: now, createdAt: now });
  const [response] = await ctx.db
    .insert(responses)
    .values({
      orgId,
      clientId: client.id,
      assignmentId: assignment.id,
      episodeId: episode!.id,
      appointmentId: appointment!.id,
      instrumentId: 'phq9',
      instrumentVersion: '1.0.0',
      respondent: 'client',
      status: 'completed',
      answers: { phq9_1: 3, phq9_2: 3, phq9_9: 2 },
      complete: false,
      total: '17',
      bandId: 'moderately_severe',
      bandLabel: 'Moderately severe',
      flags: [{ kind: 'risk_item', itemId: 'phq9_9', note: `${CANARY} risk` }],
      scoreDetail: { note: `${CANARY} detail` },
      submittedAt: now,
      startedAt: now,
      createdAt: now,
    })
    .returning();
  const [alert] = await ctx.db
    .insert(alerts)
    .values({ orgId, clientId: client.id, episodeId: episode!.id, responseId: response!.id, kind: 'risk_item', urgent: true, evidenceKey: response!.id, evidence: { note: `${CANARY} evidence` }, rulesVersion: '1', resolutionNote: `${CANARY} resolved`, createdAt: now })
    .returning();
  await ctx.db.insert(responseDiscussions).values({ orgId, clientId: client.id, responseId: response!.id, discussedBy: clinicianId, note: `${CANARY} discussed`, discussedAt: now });
  await ctx.db.insert(sessionRatings).values({ orgId, clientId: client.id, assignmentId: ratingAssignment.id, appointmentId: appointment!.id, userId: clinicianId, outcome: 'skipped', skipReason: 'clinician', clientResponseId: response!.id, decidedAt: now });
  await ctx.db.insert(episodeOutcomes).values({ orgId, clientId: client.id, episodeId: episode!.id, provisional: false, episodeClosed: true, attendedTreatmentSessions: 1, talkingTherapiesReason: `${CANARY} reason`, scorerVersion: '1', rulesVersion: '1', computedAt: now });
  await ctx.db.insert(messages).values([
    { orgId, key: `assignment:${assignment.id}:invite`, channel: 'email', clientId: client.id, status: 'sent', createdAt: now },
    { orgId, key: `alert:${alert!.id}:urgent:${clinicianId}`, channel: 'email', userId: clinicianId, status: 'sent', createdAt: now },
  ]);
  await ctx.db.insert(jobs).values([
    { orgId, kind: 'assignment.remind', key: `remind:${assignment.id}`, payload: { assignmentId: assignment.id }, runAt: now },
    { orgId, kind: 'questionnaire.notify_opt_out', key: `client:${client.id}:opt-out:x`, payload: { clientId: client.id }, runAt: now, doneAt: now },
  ]);
  return { client, ids: [client.id, episode!.id, appointment!.id, assignment.id, ratingAssignment.id, response!.id, alert!.id, protocol!.id] };
}

async function erase(cookie: string, clientId: string, confirmClientId = clientId) {
  return ctx.app.inject({ method: 'POST', url: `/api/v1/clients/${clientId}/erase`, headers: { cookie }, payload: { confirmClientId, reason: 'client_request' } });
}

describe('erasure of one client', () => {
  it('leaves nothing personal of the client in any table: only the tombstone and the audit trail name it', async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const { client, ids } = await seedCanaryClient(org.id, clinician.userId, CANARY, CANARY_MOBILE);
    // A second client whose data must survive untouched.
    const other = await seedCanaryClient(org.id, clinician.userId);

    const before = await dumpDatabase(ctx.db);
    for (const table of ['responses', 'alerts', 'messages', 'jobs', 'kiosk_codes', 'link_sessions', 'episode_outcomes', 'session_ratings']) {
      expect(before.get(table)!.some((row) => ids.some((id) => row.includes(id))), table).toBe(true);
    }

    const res = await erase(admin.cookie, client.id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ clientId: client.id, erasedAt: ctx.clock.now().toISOString() });

    const after = await dumpDatabase(ctx.db);
    for (const [table, rows] of after) {
      for (const row of rows) {
        if (table === 'audit_events' || table === 'audit_seals') {
          expect(row).not.toContain(CANARY);
          continue;
        }
        expect(row).not.toContain(CANARY.toLowerCase());
        const namesClient = ids.some((id) => row.includes(id));
        if (table === 'clients' && row.includes(client.id)) {
          expect(JSON.parse(row)).toMatchObject({ id: client.id, org_id: org.id, given_name: '', family_name: '', email: null, mobile: null, external_ref: null, date_of_birth: null, preferred_name: null, time_zone: null, erased_at: expect.any(String) });
          continue;
        }
        expect(namesClient, `${table}: ${row}`).toBe(false);
        expect(row, table).not.toContain(CANARY);
        expect(row, table).not.toContain(CANARY_MOBILE);
        expect(row, table).not.toContain('1977-07-07');
      }
    }
    // The other client's data is all still there.
    expect(after.get('responses')!.filter((r) => r.includes(other.client.id))).toHaveLength(1);
  });

  it('covers every table that has a client_id column', async () => {
    const result = (await ctx.db.execute(
      sql`select distinct table_name from information_schema.columns where table_schema = 'public' and column_name = 'client_id' order by table_name`,
    )) as unknown as { rows: Array<{ table_name: string }> };
    expect(result.rows.map((r) => r.table_name).filter((t) => t !== 'audit_events')).toEqual([...ERASED_CLIENT_TABLES].sort());
  });

  it('keeps the audit chain verifiable and audits the erasure itself', async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const client = await ctx.buildClient(org.id);
    await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${client.id}`, headers: { cookie: admin.cookie } });
    await sealAuditEvents(ctx.db, ctx.clock.now());
    expect((await erase(admin.cookie, client.id)).statusCode).toBe(200);
    ctx.clock.advanceMinutes(1);
    await sealAuditEvents(ctx.db, ctx.clock.now());
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
    const trail = (await ctx.db.execute(sql`select action, actor_id, client_id from audit_events where client_id = ${client.id} order by id`)) as unknown as {
      rows: Array<{ action: string; actor_id: string; client_id: string }>;
    };
    expect(trail.rows.map((r) => r.action)).toContain('client.erase.client_request');
    expect(trail.rows.at(-1)).toEqual({ action: 'client.erase.client_request', actor_id: admin.userId, client_id: client.id });
  });

  it('hides the erased client from lists, reads and exports', async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const { client } = await seedCanaryClient(org.id, clinician.userId);
    const exportBefore = await ctx.app.inject({ method: 'GET', url: '/api/v1/exports/responses.csv', headers: { cookie: admin.cookie } });
    expect(exportBefore.body).toContain(client.id);
    expect((await erase(admin.cookie, client.id)).statusCode).toBe(200);

    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/clients?status=all', headers: { cookie: admin.cookie } });
    expect(list.json().items.map((c: { id: string }) => c.id)).not.toContain(client.id);
    for (const url of [`/api/v1/clients/${client.id}`, `/api/v1/clients/${client.id}/episodes`, `/api/v1/clients/${client.id}/alerts`]) {
      const res = await ctx.app.inject({ method: 'GET', url, headers: { cookie: admin.cookie } });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such client.' } });
    }
    const exported = await ctx.app.inject({ method: 'GET', url: '/api/v1/exports/responses.csv', headers: { cookie: admin.cookie } });
    expect(exported.statusCode).toBe(200);
    expect(exported.body).not.toContain(client.id);
    expect(exported.body.trim().split('\r\n')).toHaveLength(1);
    // A second erasure finds nothing to erase.
    expect((await erase(admin.cookie, client.id)).statusCode).toBe(404);
  });

  it.each([
    ['clinician', 403, 'forbidden'],
    ['supervisor', 403, 'forbidden'],
  ] as const)('refuses a %s with %i', async (role, status, code) => {
    const org = await ctx.buildOrganisation();
    const staff = await ctx.buildStaff(org.id, role);
    const client = await ctx.buildClient(org.id, {}, [staff.userId]);
    const res = await erase(staff.cookie, client.id);
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
  });

  it('refuses a confirmation that is not the client id with 400 and erases nothing', async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const client = await ctx.buildClient(org.id, { givenName: 'Kept' });
    const res = await erase(admin.cookie, client.id, randomUUID());
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'confirmation_mismatch', message: "The confirmation does not match this client's id.", field: 'confirmClientId' } });
    const read = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${client.id}`, headers: { cookie: admin.cookie } });
    expect(read.json().givenName).toBe('Kept');
  });

  it("hides another clinic's client as 404", async () => {
    const org = await ctx.buildOrganisation();
    const otherOrg = await ctx.buildOrganisation();
    const otherAdmin = await ctx.buildStaff(otherOrg.id, 'admin');
    const client = await ctx.buildClient(org.id);
    const res = await erase(otherAdmin.cookie, client.id);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such client.' } });
  });

  it('is the only way to change or delete a completed response', async () => {
    const org = await ctx.buildOrganisation();
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const { client } = await seedCanaryClient(org.id, clinician.userId);
    await expect(ctx.db.update(responses).set({ total: '0' }).where(eq(responses.clientId, client.id))).rejects.toThrow();
    await expect(ctx.db.delete(responses).where(eq(responses.clientId, client.id))).rejects.toThrow();
    // The erasure flag is local to the erasure's own transaction: it does not leak to later work.
    const admin = await ctx.buildStaff(org.id, 'admin');
    const { client: second } = await seedCanaryClient(org.id, clinician.userId);
    expect((await erase(admin.cookie, client.id)).statusCode).toBe(200);
    await expect(ctx.db.update(responses).set({ total: '0' }).where(eq(responses.clientId, second.id))).rejects.toThrow();
  });
});
