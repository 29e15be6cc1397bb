import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, openTestDatabase, type TestContext } from './context';
import { createApp } from '../src/app';
import { createLogger } from '../src/lib/logger';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const noMail = { send: async () => undefined, close: () => undefined };

describe('/healthz', () => {
  it('answers 200 with JSON while the database is reachable', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ status: 'ok', database: 'up' });
  });

  it('answers 503 once the database has gone away', async () => {
    const database = await openTestDatabase();
    const app = await createApp({ config: ctx.config, db: database.db, clock: ctx.clock, mailer: noMail, sms: null, logger: createLogger('silent'), secretKey: ctx.secretKey, ping: database.ping });
    try {
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      await database.close();
      const res = await app.inject({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ error: { code: 'database_unavailable', message: 'The database cannot be reached.' } });
    } finally {
      await app.close();
    }
  });
});
