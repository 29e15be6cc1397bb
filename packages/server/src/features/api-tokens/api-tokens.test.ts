import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../../test/context';
import { apiTokens, auditEvents } from '../../db/schema';
import { hashToken } from '../../lib/crypto';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const DAY = 86_400_000;
const inDays = (days: number) => new Date(ctx.clock.now().getTime() + days * DAY).toISOString();

async function setUp() {
  const org = await ctx.buildOrganisation();
  const admin = await ctx.buildStaff(org.id, 'admin');
  const client = await ctx.buildClient(org.id);
  const create = (payload: object, cookie = admin.cookie) => ctx.app.inject({ method: 'POST', url: '/api/v1/api-tokens', headers: { cookie }, payload });
  return { org, admin, client, create };
}

const readPatient = (token: string, patientId: string) =>
  ctx.app.inject({ method: 'GET', url: `/fhir/R4/Patient/${patientId}`, headers: { authorization: `Bearer ${token}` } });

describe('API tokens', () => {
  it('shows a new token once, stores only its hash, and lists it without the secret', async () => {
    const { org, admin, create } = await setUp();
    const res = await create({ name: 'EHR bridge', scopes: ['fhir:read'], expiresAt: inDays(90) });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ name: 'EHR bridge', scopes: ['fhir:read'], createdBy: admin.userId, status: 'active', lastUsedAt: null, revokedAt: null });
    // rpt_ + 32 random bytes in base64url: 256 bits.
    expect(created.token).toMatch(/^rpt_[A-Za-z0-9_-]{43}$/);
    const [row] = await ctx.db.select().from(apiTokens).where(eq(apiTokens.id, created.id));
    expect(row!.tokenHash).toBe(hashToken(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);
    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/api-tokens', headers: { cookie: admin.cookie } });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(created.token);
    expect(list.json().items.map((t: { id: string }) => t.id)).toEqual([created.id]);
    const audit = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.action, 'api_token.create')));
    expect(audit).toMatchObject([{ actorKind: 'user', actorId: admin.userId, entityId: created.id, outcome: 'success' }]);
  });

  it.each([
    ['no expiry', { name: 'x', scopes: ['fhir:read'] }, 'expiresAt', 'validation_failed'],
    ['an expiry past a year', { name: 'x', scopes: ['fhir:read'], expiresAt: 'FAR' }, 'expiresAt', 'expiry_too_far'],
    ['an expiry in the past', { name: 'x', scopes: ['fhir:read'], expiresAt: 'PAST' }, 'expiresAt', 'expiry_in_past'],
    ['no scope', { name: 'x', scopes: [], expiresAt: 'SOON' }, 'scopes', 'validation_failed'],
    ['an unknown scope', { name: 'x', scopes: ['fhir:delete'], expiresAt: 'SOON' }, 'scopes.0', 'validation_failed'],
  ])('refuses a token with %s', async (_name, body, field, code) => {
    const { create } = await setUp();
    const dates: Record<string, string> = { FAR: inDays(367), PAST: inDays(-1), SOON: inDays(30) };
    const payload = { ...body, ...('expiresAt' in body ? { expiresAt: dates[body.expiresAt as string] } : {}) };
    const res = await create(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code, field });
  });

  it('lets only admins manage tokens', async () => {
    const { org, create } = await setUp();
    const clinician = await ctx.buildStaff(org.id, 'clinician');
    const res = await create({ name: 'x', scopes: ['fhir:read'], expiresAt: inDays(30) }, clinician.cookie);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
  });

  it('stops a token working once it expires or is revoked, and another clinic cannot revoke it', async () => {
    const { org, admin, client, create } = await setUp();
    const expiring = (await create({ name: 'short', scopes: ['fhir:read'], expiresAt: inDays(2) })).json();
    const revocable = (await create({ name: 'revocable', scopes: ['fhir:read'], expiresAt: inDays(200) })).json();
    expect((await readPatient(expiring.token, client.id)).statusCode).toBe(200);
    expect((await readPatient(revocable.token, client.id)).statusCode).toBe(200);

    const otherAdmin = await ctx.buildStaff((await ctx.buildOrganisation()).id, 'admin');
    const foreign = await ctx.app.inject({ method: 'POST', url: `/api/v1/api-tokens/${revocable.id}/revoke`, headers: { cookie: otherAdmin.cookie } });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toEqual({ error: { code: 'not_found', message: 'No such API token.' } });

    const revoked = await ctx.app.inject({ method: 'POST', url: `/api/v1/api-tokens/${revocable.id}/revoke`, headers: { cookie: admin.cookie } });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ status: 'revoked', revokedAt: ctx.clock.now().toISOString() });
    const refused = await readPatient(revocable.token, client.id);
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['content-type']).toContain('application/fhir+json');
    expect(refused.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] });

    ctx.clock.advance(2 * DAY);
    expect((await readPatient(expiring.token, client.id)).statusCode).toBe(401);
    // A fresh session: the admin's first one has idled out over the two days.
    const laterAdmin = await ctx.buildStaff(org.id, 'admin');
    const list = (await ctx.app.inject({ method: 'GET', url: '/api/v1/api-tokens', headers: { cookie: laterAdmin.cookie } })).json();
    expect(Object.fromEntries(list.items.map((t: { name: string; status: string }) => [t.name, t.status]))).toEqual({ short: 'expired', revocable: 'revoked' });
  });

  it('records when a token was last used', async () => {
    const { client, create } = await setUp();
    const created = (await create({ name: 'used', scopes: ['fhir:read'], expiresAt: inDays(30) })).json();
    await readPatient(created.token, client.id);
    const [row] = await ctx.db.select().from(apiTokens).where(eq(apiTokens.id, created.id));
    expect(row!.lastUsedAt?.toISOString()).toBe(ctx.clock.now().toISOString());
  });

  it('is not a staff session: staff routes answer a token with 401', async () => {
    const { client, create } = await setUp();
    const created = (await create({ name: 'x', scopes: ['fhir:read', 'fhir:write'], expiresAt: inDays(30) })).json();
    for (const url of ['/api/v1/me', '/api/v1/clients', `/api/v1/clients/${client.id}`, '/api/v1/api-tokens']) {
      const res = await ctx.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${created.token}` } });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
  });

  it('refuses a token without the scope a FHIR route needs, naming the scope', async () => {
    const { client, create } = await setUp();
    const readOnly = (await create({ name: 'r', scopes: ['fhir:read'], expiresAt: inDays(30) })).json();
    const writeOnly = (await create({ name: 'w', scopes: ['fhir:write'], expiresAt: inDays(30) })).json();
    const post = await ctx.app.inject({
      method: 'POST',
      url: '/fhir/R4/QuestionnaireResponse',
      headers: { authorization: `Bearer ${readOnly.token}`, 'content-type': 'application/fhir+json' },
      payload: JSON.stringify({ resourceType: 'QuestionnaireResponse' }),
    });
    expect(post.statusCode).toBe(403);
    expect(post.json()).toEqual({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'This API token lacks the fhir:write scope.' }] });
    const get = await readPatient(writeOnly.token, client.id);
    expect(get.statusCode).toBe(403);
    expect(get.json().issue[0].diagnostics).toBe('This API token lacks the fhir:read scope.');
  });

  it('does not let a staff session call the FHIR API', async () => {
    const { admin, client } = await setUp();
    const res = await ctx.app.inject({ method: 'GET', url: `/fhir/R4/Patient/${client.id}`, headers: { cookie: admin.cookie } });
    expect(res.statusCode).toBe(401);
    expect(res.json().issue[0]).toMatchObject({ code: 'login', diagnostics: 'A valid API token is required (Authorization: Bearer <token>).' });
  });
});
