import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('clients', () => {
  it('lets a clinician create a client, puts them on its care team, and audits it', async () => {
    const org = await ctx.buildOrganisation();
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/clients',
      headers: { cookie: clinician.cookie },
      payload: { givenName: 'Ada', familyName: 'Lovelace', mobile: '+44 7700 900123', language: 'fr' },
    });
    expect(res.statusCode).toBe(201);
    const client = res.json();
    expect(client).toMatchObject({ givenName: 'Ada', familyName: 'Lovelace', mobile: '+447700900123', language: 'fr', status: 'active' });
    const team = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${client.id}/care-team`, headers: { cookie: clinician.cookie } });
    expect(team.json().items.map((m: { userId: string }) => m.userId)).toEqual([clinician.userId]);
  });

  it('pages through clients by cursor in name order without repeats', async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    for (let i = 0; i < 7; i++) await ctx.buildClient(org.id, { familyName: `Zed${i}`, givenName: 'A' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/clients?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await ctx.app.inject({ method: 'GET', url, headers: { cookie: admin.cookie } })).json();
      seen.push(...page.items.map((c: { familyName: string }) => c.familyName));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['Zed0', 'Zed1', 'Zed2', 'Zed3', 'Zed4', 'Zed5', 'Zed6']);
  });

  it('shows a clinician only the clients on their care teams', async () => {
    const org = await ctx.buildOrganisation();
    const mine = await ctx.buildStaff(org.id, 'clinician');
    const other = await ctx.buildStaff(org.id, 'clinician');
    const a = await ctx.buildClient(org.id, { familyName: 'Mine' }, [mine.userId]);
    const b = await ctx.buildClient(org.id, { familyName: 'Theirs' }, [other.userId]);
    const list = (await ctx.app.inject({ method: 'GET', url: '/api/v1/clients', headers: { cookie: mine.cookie } })).json();
    expect(list.items.map((c: { id: string }) => c.id)).toEqual([a.id]);
    const hidden = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${b.id}`, headers: { cookie: mine.cookie } });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toEqual({ error: { code: 'not_found', message: 'No such client.' } });
  });

  it('records consent per channel with who and when, latest in force', async () => {
    const org = await ctx.buildOrganisation();
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const client = await ctx.buildClient(org.id, {}, [clinician.userId]);
    const post = (payload: object) =>
      ctx.app.inject({ method: 'POST', url: `/api/v1/clients/${client.id}/consents`, headers: { cookie: clinician.cookie }, payload });
    expect((await post({ channel: 'sms', granted: true })).statusCode).toBe(201);
    ctx.clock.advanceMinutes(5);
    expect((await post({ channel: 'sms', granted: false, note: 'asked to stop' })).statusCode).toBe(201);
    const res = (await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${client.id}/consents`, headers: { cookie: clinician.cookie } })).json();
    expect(res.current).toEqual([expect.objectContaining({ channel: 'sms', granted: false, recordedBy: clinician.userId, source: 'staff' })]);
    expect(res.history).toHaveLength(2);
  });

  it.each([
    [{ givenName: '', familyName: 'X' }, 'givenName'],
    [{ givenName: 'A', familyName: 'X', email: 'not-an-email' }, 'email'],
    [{ givenName: 'A', familyName: 'X', timeZone: 'Mars/Olympus' }, 'timeZone'],
    [{ givenName: 'A', familyName: 'X', mobile: '12' }, 'mobile'],
    [{ givenName: 'A', familyName: 'X', orgId: '00000000-0000-0000-0000-000000000000' }, 'orgId'],
  ])('refuses an invalid client %j naming the field', async (payload, field) => {
    const org = await ctx.buildOrganisation();
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/clients', headers: { cookie: clinician.cookie }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field });
  });
});
