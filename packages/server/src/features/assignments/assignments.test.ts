import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../../test/context';
import { assignments, auditEvents, clientConsents } from '../../db/schema';
import { questionnaireAdherence } from '../reports/reports.queries';
import { chooseChannel } from './assignments.delivery';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

async function setup(consent = true) {
  const org = await ctx.buildOrganisation({ name: 'Lakeside Therapy' });
  const clinician = await ctx.buildStaff(org.id, 'clinician');
  const offTeam = await ctx.buildStaff(org.id, 'clinician');
  const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
  const other = await ctx.buildClient(org.id, {}, [clinician.userId]);
  if (consent) {
    await ctx.db.insert(clientConsents).values({ orgId: org.id, clientId: client.id, channel: 'email', granted: true, recordedBy: clinician.userId, recordedAt: ctx.clock.now() });
  }
  const base = `/api/v1/clients/${client.id}/assignments`;
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, cookie = clinician.cookie, payload?: object) =>
    ctx.app.inject({ method, url, headers: { cookie }, ...(payload ? { payload } : {}) });
  const mailTo = () => ctx.smtp.messages.filter((m) => m.to.includes(client.email!));
  return { org, clinician, offTeam, client, other, base, call, mailTo };
}

const actions = async (orgId: string, clientId: string) =>
  (await ctx.db.select({ action: auditEvents.action }).from(auditEvents).where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.clientId, clientId)))).map((a) => a.action);

describe('assignments API', () => {
  it('lets a clinician on the care team send a questionnaire now, see it sent, and resend it', async () => {
    ctx.clock.set('2026-06-01T10:00:00Z');
    const w = await setup();
    const created = await w.call('POST', w.base, w.clinician.cookie, { instrumentIds: ['phq9', 'gad7'] });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      sendAt: '2026-06-01T10:00:00.000Z',
      assignment: { instrumentIds: ['phq9', 'gad7'], respondent: 'client', channel: 'link', status: 'scheduled', createdBy: w.clinician.userId, ruleId: null },
    });
    await ctx.jobs.drain();
    await ctx.smtp.waitFor(1);
    const list = await w.call('GET', w.base);
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([
      expect.objectContaining({ status: 'sent', channel: 'email', expiresAt: '2026-06-05T10:00:00.000Z', messages: [{ kind: 'invite', channel: 'email', status: 'sent', sentAt: '2026-06-01T10:00:00.000Z' }] }),
    ]);

    const id = created.json().assignment.id;
    const resend = await w.call('POST', `${w.base}/${id}/resend`);
    expect(resend.statusCode).toBe(202);
    await ctx.jobs.drain();
    await ctx.smtp.waitFor(2);
    expect(w.mailTo()).toHaveLength(2);
    const after = (await w.call('GET', w.base)).json().items[0];
    expect(after.messages.map((m: { kind: string }) => m.kind)).toEqual(['invite', 'resend:1']);
    expect(await actions(w.org.id, w.client.id)).toEqual(expect.arrayContaining(['assignment.create', 'assignment.list', 'assignment.resend']));
  });

  it('schedules for a time, moves, sends now and cancels, all audited', async () => {
    ctx.clock.set('2026-06-02T10:00:00Z');
    const w = await setup();
    const created = await w.call('POST', w.base, w.clinician.cookie, { instrumentIds: ['core10'], scheduledFor: '2026-06-03T21:30:00Z' });
    expect(created.statusCode).toBe(201);
    // 21:30 UTC is 22:30 in London in June: quiet hours, so it goes at 08:00 local (07:00 UTC) the next day.
    expect(created.json().sendAt).toBe('2026-06-04T07:00:00.000Z');
    const id = created.json().assignment.id;
    const moved = await w.call('PATCH', `${w.base}/${id}`, w.clinician.cookie, { scheduledFor: '2026-06-05T12:00:00Z' });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ sendAt: '2026-06-05T12:00:00.000Z', assignment: { scheduledFor: '2026-06-05T12:00:00.000Z', status: 'scheduled' } });
    const now = await w.call('POST', `${w.base}/${id}/send`);
    expect(now.statusCode).toBe(202);
    await ctx.jobs.drain();
    await ctx.smtp.waitFor(1);
    expect(w.mailTo()).toHaveLength(1);
    const cancelled = await w.call('POST', `${w.base}/${id}/cancel`);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancelledAt: '2026-06-02T10:00:00.000Z' });
    const again = await w.call('POST', `${w.base}/${id}/send`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: { code: 'not_scheduled', message: 'Only a scheduled questionnaire can be sent now; use resend once it has been sent.' } });
    // The jobs queued for the earlier times find the assignment changed and send nothing more.
    ctx.clock.set('2026-06-06T10:00:00Z');
    await ctx.jobs.drain();
    expect(w.mailTo()).toHaveLength(1);
    expect(await actions(w.org.id, w.client.id)).toEqual(expect.arrayContaining(['assignment.create', 'assignment.reschedule', 'assignment.send_now', 'assignment.cancel']));
  });

  it('refuses to cancel a completed questionnaire or resend one not yet sent', async () => {
    ctx.clock.set('2026-06-08T10:00:00Z');
    const w = await setup();
    const id = (await w.call('POST', w.base, w.clinician.cookie, { instrumentIds: ['phq9'], scheduledFor: '2026-06-09T10:00:00Z' })).json().assignment.id;
    const resend = await w.call('POST', `${w.base}/${id}/resend`);
    expect(resend.statusCode).toBe(409);
    expect(resend.json().error).toMatchObject({ code: 'not_resendable' });
    await ctx.db.update(assignments).set({ status: 'completed' }).where(eq(assignments.id, id));
    const cancel = await w.call('POST', `${w.base}/${id}/cancel`);
    expect(cancel.statusCode).toBe(409);
    expect(cancel.json()).toEqual({ error: { code: 'not_cancellable', message: 'A completed questionnaire cannot be cancelled.' } });
  });

  it('shows that a questionnaire could not go out for want of a consented channel', async () => {
    ctx.clock.set('2026-06-10T10:00:00Z');
    const w = await setup(false);
    await w.call('POST', w.base, w.clinician.cookie, { instrumentIds: ['phq9'] });
    await ctx.jobs.drain();
    const [item] = (await w.call('GET', w.base)).json().items;
    expect(item).toMatchObject({ status: 'scheduled', deliveryProblem: 'no_consented_channel', messages: [] });
  });

  it('makes a clinician questionnaire for the caller to answer in session', async () => {
    ctx.clock.set('2026-06-11T10:00:00Z');
    const w = await setup();
    const res = await w.call('POST', w.base, w.clinician.cookie, { instrumentIds: ['rapport_alliance_therapist'] });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ sendAt: null, assignment: { respondent: 'clinician', respondentUserId: w.clinician.userId, channel: 'in_session', expiresAt: null } });
    const send = await w.call('POST', `${w.base}/${res.json().assignment.id}/send`);
    expect(send.statusCode).toBe(409);
    expect(send.json().error).toMatchObject({ code: 'answered_in_session' });
  });

  it('hides another organisation’s client and a client off the clinician’s care team as 404', async () => {
    ctx.clock.set('2026-06-12T10:00:00Z');
    const w = await setup();
    const otherOrg = await setup();
    const id = (await w.call('POST', w.base, w.clinician.cookie, { instrumentIds: ['phq9'] })).json().assignment.id;
    for (const [method, url, cookie] of [
      ['GET', w.base, otherOrg.clinician.cookie],
      ['GET', w.base, w.offTeam.cookie],
      ['POST', `${w.base}/${id}/cancel`, w.offTeam.cookie],
      ['POST', `${w.base}/${id}/send`, otherOrg.clinician.cookie],
    ] as const) {
      const res = await w.call(method, url, cookie);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such client.' } });
    }
    const wrongClient = await w.call('POST', `/api/v1/clients/${w.other.id}/assignments/${id}/cancel`);
    expect(wrongClient.statusCode).toBe(404);
    expect(wrongClient.json()).toEqual({ error: { code: 'not_found', message: 'No such assignment.' } });
  });

  it.each([
    [{ instrumentIds: ['nope'] }, 'instrumentIds.0', 'unknown_instrument'],
    [{ instrumentIds: ['phq9', 'rapport_alliance_therapist'] }, 'instrumentIds.1', 'respondent_mismatch'],
    [{ instrumentIds: [] }, 'instrumentIds', 'validation_failed'],
    [{ instrumentIds: ['phq9'], scheduledFor: 'tomorrow' }, 'scheduledFor', 'validation_failed'],
    [{ instrumentIds: ['phq9'], episodeId: '00000000-0000-4000-8000-000000000000' }, 'episodeId', 'unknown_episode'],
  ])('refuses %j naming the field', async (payload, field, code) => {
    const w = await setup();
    const res = await w.call('POST', w.base, w.clinician.cookie, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code, field });
  });
});

describe('channels chosen by the clinician', () => {
  it('hands a questionnaire over in session: no message, never counted as sent, and it cannot be sent or resent', async () => {
    ctx.clock.set('2026-06-15T10:00:00Z');
    const w = await setup();
    const created = await w.call('POST', w.base, w.clinician.cookie, { instrumentIds: ['phq9'], channel: 'in_session' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ sendAt: null, assignment: { channel: 'in_session', status: 'scheduled', respondent: 'client' } });
    const id = created.json().assignment.id;
    const handoff = await w.call('POST', `${w.base}/${id}/in-session`);
    expect(handoff.statusCode).toBe(201);
    await ctx.jobs.drain();
    expect(w.mailTo()).toHaveLength(0);
    const [row] = await ctx.db.select().from(assignments).where(eq(assignments.id, id));
    expect(row).toMatchObject({ status: 'opened', channel: 'in_session', sentAt: null });
    expect(await questionnaireAdherence(ctx.db, { orgId: w.org.id, from: '2026-06-01', to: '2026-06-30' })).toMatchObject({ sent: 0 });
    for (const action of ['send', 'resend']) {
      const res = await w.call('POST', `${w.base}/${id}/${action}`);
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toMatchObject({ code: 'answered_in_session' });
    }
  });

  it('leaves a kiosk questionnaire unsent, to be opened with a kiosk code', async () => {
    ctx.clock.set('2026-06-16T10:00:00Z');
    const w = await setup();
    const created = await w.call('POST', w.base, w.clinician.cookie, { instrumentIds: ['gad7'], channel: 'kiosk', scheduledFor: '2026-06-16T10:10:00Z' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ sendAt: null, assignment: { channel: 'kiosk', scheduledFor: '2026-06-16T10:10:00.000Z' } });
    ctx.clock.set('2026-06-16T10:15:00Z');
    await ctx.jobs.drain();
    expect(w.mailTo()).toHaveLength(0);
    const code = await w.call('POST', `${w.base}/${created.json().assignment.id}/kiosk-code`);
    expect(code.statusCode).toBe(201);
  });

  it('sends on the one channel chosen, and refuses a channel the client has not consented to', async () => {
    ctx.clock.set('2026-06-18T10:00:00Z');
    const w = await setup();
    const sms = await w.call('POST', w.base, w.clinician.cookie, { instrumentIds: ['phq9'], channel: 'sms' });
    expect(sms.statusCode).toBe(400);
    expect(sms.json()).toEqual({ error: { code: 'no_consent', field: 'channel', message: 'The client has not consented to text messages.' } });
    const email = await w.call('POST', w.base, w.clinician.cookie, { instrumentIds: ['phq9'], channel: 'email' });
    expect(email.statusCode).toBe(201);
    expect(email.json().sendAt).toBe('2026-06-18T10:00:00.000Z');
    await ctx.jobs.drain();
    await ctx.smtp.waitFor(1);
    expect(w.mailTo()).toHaveLength(1);
    const clinicianByEmail = await w.call('POST', w.base, w.clinician.cookie, { instrumentIds: ['rapport_alliance_therapist'], channel: 'email' });
    expect(clinicianByEmail.statusCode).toBe(400);
    expect(clinicianByEmail.json().error).toMatchObject({ code: 'answered_in_session', field: 'channel' });
  });

  it.each([
    ['email first when both are consented', undefined, 'email'],
    ['SMS when the clinician chose it', 'sms', 'sms'],
    ['nothing when the chosen channel lost its consent', 'email', null],
  ] as const)('chooses %s', (_name, only, expected) => {
    const client = { email: 'a@example.test', mobile: '+447700900123' };
    const consents = only === 'email' ? [{ channel: 'sms' as const, granted: true }, { channel: 'email' as const, granted: false }] : [{ channel: 'email' as const, granted: true }, { channel: 'sms' as const, granted: true }];
    expect(chooseChannel(client, consents, true, only)).toBe(expected);
  });
});
