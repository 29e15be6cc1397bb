import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from './context';
import { createSession } from '../src/auth/sessions.queries';
import { SESSION_COOKIE } from '../src/auth/session-cookie';
import { accessMatrix, defaultParams, principals, type PrincipalName } from './access-matrix.table';
import { buildWorld, splitRouteKey, type World } from './access-matrix.world';

/**
 * Bad input never breaks the server: random JSON, right keys with wrong types, huge strings, deep
 * nesting, malformed JSON, wrong content types, bodies over 1 MB and random path parameters, sent
 * to every route as an admin and as nobody. No answer may be a 5xx, and every 4xx from the API must
 * be the standard `{ error: { code, message } }` (pages for clients answer with an HTML error page,
 * the FHIR API with an OperationOutcome).
 *
 * Cases are small descriptions (a length, a depth) turned into requests only when sent, so a
 * failing counterexample prints in a few lines instead of a megabyte.
 */

/** 30 keeps `npm test` quick; set FUZZ_RUNS=1000 for a deeper search. */
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 30);
const ONE_MEGABYTE = 1024 * 1024;

type BodyCase =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'wrongTypes'; value: Record<string, unknown> }
  | { kind: 'huge'; key: string | null; length: number }
  | { kind: 'deep'; key: string | null; depth: number; shape: 'array' | 'object' }
  | { kind: 'malformed'; text: string }
  | { kind: 'contentType'; type: string; text: string }
  | { kind: 'oversized' };

type ParamCase = { value: string; raw: boolean } | { fixture: true };

type Case = {
  /** A fresh admin session, nobody, a cookie of garbage, or any principal of the access matrix (link session, kiosk, API token…). */
  as: 'admin' | 'anonymous' | { garbageCookie: string } | { principal: PrincipalName };
  params: Record<string, ParamCase>;
  query: string | null;
  body: BodyCase;
};

let ctx: TestContext;
let world: World;
beforeAll(async () => {
  ctx = await createTestContext();
  world = await buildWorld(ctx);
});
afterAll(() => ctx.close());

const contentTypes = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'application/jsonx',
  'image/png',
  'not a media type',
  ';;;',
];

const malformedJson = fc.oneof(
  fc.constantFrom(
    '{',
    '{"a":',
    "{'givenName': 'x'}",
    '[1,2,',
    'undefined',
    'NaN',
    '{"a":1}}',
    '{"__proto__":{"isAdmin":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '\u0000',
    '\ufeff{}',
    '',
  ),
  fc.string({ maxLength: 200 }),
);

/** A random bad request for one route; `keys` are the fields of the route's valid sample body. */
function caseFor(paramNames: string[], keys: string[]): fc.Arbitrary<Case> {
  const key = keys.length > 0 ? fc.option(fc.constantFrom(...keys), { nil: null }) : fc.constant(null);
  const body: fc.Arbitrary<BodyCase> = fc.oneof(
    fc.constant<BodyCase>({ kind: 'none' }),
    fc.jsonValue({ maxDepth: 4 }).map((value): BodyCase => ({ kind: 'json', value })),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 10 }).map((value): BodyCase => ({ kind: 'json', value })),
    (keys.length > 0
      ? fc.record(Object.fromEntries(keys.map((k) => [k, fc.jsonValue({ maxDepth: 3 })])), { requiredKeys: [] })
      : fc.dictionary(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 })
    ).map((value): BodyCase => ({ kind: 'wrongTypes', value })),
    fc.record({ key, length: fc.integer({ min: 1_000, max: 900_000 }) }).map((c): BodyCase => ({ kind: 'huge', ...c })),
    fc.record({ key, depth: fc.integer({ min: 10, max: 20_000 }), shape: fc.constantFrom('array' as const, 'object' as const) }).map(
      (c): BodyCase => ({ kind: 'deep', ...c }),
    ),
    malformedJson.map((text): BodyCase => ({ kind: 'malformed', text })),
    fc.record({ type: fc.constantFrom(...contentTypes), text: fc.string({ maxLength: 100 }) }).map((c): BodyCase => ({ kind: 'contentType', ...c })),
  );
  const param: fc.Arbitrary<ParamCase> = fc.oneof(
    fc.constant<ParamCase>({ fixture: true }),
    fc.record({
      value: fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        fc.uuid(),
        fc.constantFrom('..', '%', '%zz', '%00', '%C0%80', ' ', 'null', "'; drop table clients; --", '00000000-0000-0000-0000-000000000000', 'x'.repeat(300)),
      ),
      raw: fc.boolean(),
    }),
  );
  return fc.record({
    as: fc.oneof(
      fc.constant('admin' as const),
      fc.constant('anonymous' as const),
      fc.record({ garbageCookie: fc.string({ maxLength: 80 }) }),
      fc.record({ principal: fc.constantFrom(...(Object.keys(principals) as PrincipalName[])) }),
    ),
    params: fc.record(Object.fromEntries(paramNames.map((n) => [n, param]))),
    query: fc.option(
      fc.oneof(
        fc.dictionary(fc.constantFrom('limit', 'cursor', 'q', 'status', 'before', 'instrumentId', 'offset', 'attention', 'therapistId', 'programmeId', 'x'), fc.string({ maxLength: 30 }), { maxKeys: 3 }).map((d) =>
          new URLSearchParams(d).toString(),
        ),
        fc.string({ maxLength: 40 }),
      ),
      { nil: null },
    ),
    body,
  });
}

/** Cases every route gets at least once, whatever the random runs pick. */
function fixedCases(paramNames: string[], keys: string[]): Case[] {
  const params = Object.fromEntries(paramNames.map((n) => [n, { fixture: true } as ParamCase]));
  const key = keys[0] ?? null;
  const base = { params, query: null };
  return (['admin', 'anonymous'] as const).flatMap((as): Case[] => [
    { ...base, as, body: { kind: 'oversized' } },
    { ...base, as, body: { kind: 'malformed', text: '{"a":' } },
    { ...base, as, body: { kind: 'contentType', type: 'text/plain', text: 'hello' } },
    { ...base, as, body: { kind: 'json', value: null } },
    { ...base, as, body: { kind: 'json', value: [] } },
    { ...base, as, body: { kind: 'deep', key, depth: 50_000, shape: 'array' } },
    { ...base, as, body: { kind: 'huge', key, length: 900_000 } },
    { ...base, as, body: { kind: 'json', value: key ? { [key]: 'a\u0000b' } : { 'a\u0000': 1 } } },
    { as, query: '%', params: Object.fromEntries(paramNames.map((n) => [n, { value: '%zz', raw: true }])), body: { kind: 'none' } },
    { as, query: 'q=%00', params: Object.fromEntries(paramNames.map((n) => [n, { value: '%00', raw: true }])), body: { kind: 'none' } },
  ]);
}

function nested(depth: number, shape: 'array' | 'object'): string {
  return shape === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** The raw payload and content type for a body case (undefined: send no body). */
function materialise(body: BodyCase): { payload?: string; type?: string } {
  const wrap = (key: string | null, json: string) => (key ? `{${JSON.stringify(key)}:${json}}` : json);
  switch (body.kind) {
    case 'none':
      return {};
    case 'json':
    case 'wrongTypes':
      return { payload: JSON.stringify(body.value) ?? 'null', type: 'application/json' };
    case 'huge':
      return { payload: wrap(body.key, JSON.stringify('é'.repeat(body.length / 2))), type: 'application/json' };
    case 'deep':
      return { payload: wrap(body.key, nested(body.depth, body.shape)), type: 'application/json' };
    case 'malformed':
      return { payload: body.text, type: 'application/json' };
    case 'contentType':
      return { payload: body.text, type: body.type };
    case 'oversized':
      return { payload: JSON.stringify({ note: 'x'.repeat(ONE_MEGABYTE + 10) }), type: 'application/json' };
  }
}

let ipCounter = 0;
/** Each request from its own address, so per-IP rate limits do not turn the fuzzing into 429s. */
const nextIp = () => `10.${(++ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;

async function send(key: string, c: Case) {
  const { method, url } = splitRouteKey(key);
  const fixtures = defaultParams(world);
  const path = url.replace(/:(\w+)/g, (_m, name: string) => {
    const p = c.params[name] ?? { fixture: true };
    if ('fixture' in p) return fixtures[name] ?? 'no-fixture';
    return p.raw ? p.value : encodeURIComponent(p.value);
  });
  const headers: Record<string, string> = {};
  if (c.as === 'admin') {
    // A new session for every request: sign-out and sign-in end the one before.
    const { token } = await createSession(ctx.db, {
      userId: world.admin.userId,
      orgId: world.orgId,
      stage: 'full',
      now: ctx.clock.now(),
      policy: { idleMinutes: 30, absoluteHours: 12 },
    });
    headers.cookie = `${SESSION_COOKIE}=${token}`;
  } else if (typeof c.as === 'object' && 'principal' in c.as) {
    Object.assign(headers, principals[c.as.principal].headers(world));
  } else if (typeof c.as === 'object') {
    headers.cookie = `${SESSION_COOKIE}=${c.as.garbageCookie}`;
  }
  const { payload, type } = materialise(c.body);
  if (type) headers['content-type'] = type;
  return ctx.app.inject({
    method: method as 'GET',
    url: c.query === null ? path : `${path}?${c.query}`,
    headers,
    remoteAddress: nextIp(),
    ...(payload === undefined ? {} : { payload }),
  });
}

/**
 * Why a response breaks the contract, or null when it keeps it. The API answers errors as JSON;
 * the client's pages outside `/api/` (questionnaire, kiosk) answer with an HTML error page.
 */
function contractBreach(key: string, status: number, contentType: string, body: string): string | null {
  if (status >= 500) return `answered ${status}: ${body.slice(0, 300)}`;
  if (status < 400) return null;
  const isPage = !splitRouteKey(key).url.startsWith('/api/') && contentType.startsWith('text/html');
  if (isPage) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `answered ${status} with a body that is not JSON: ${body.slice(0, 200)}`;
  }
  // The FHIR API answers errors as FHIR does: an OperationOutcome with at least one issue.
  if (splitRouteKey(key).url.startsWith('/fhir/')) {
    const outcome = parsed as { resourceType?: unknown; issue?: { code?: unknown }[] };
    const ok = outcome.resourceType === 'OperationOutcome' && Array.isArray(outcome.issue) && outcome.issue.length > 0 && typeof outcome.issue[0]?.code === 'string';
    return ok && contentType.startsWith('application/fhir+json') ? null : `answered ${status} without an OperationOutcome: ${body.slice(0, 200)}`;
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown } }).error;
  if (typeof error?.code !== 'string' || error.code === '' || typeof error.message !== 'string') {
    return `answered ${status} without { error: { code, message } }: ${body.slice(0, 200)}`;
  }
  return null;
}

async function sampleKeys(key: string): Promise<string[]> {
  const sample = await accessMatrix[key]?.body?.(world);
  return sample && typeof sample === 'object' && !Array.isArray(sample) ? Object.keys(sample) : [];
}

describe('bad input', () => {
  it('covers every route in the route table', () => {
    const routes = ctx.app.routeTable.map((r) => `${r.method} ${r.url}`);
    expect(routes.filter((r) => !(r in accessMatrix))).toEqual([]);
  });

  it.each(Object.keys(accessMatrix))('%s never answers bad input with a 5xx or a non-standard error', async (key) => {
    const paramNames = [...splitRouteKey(key).url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    const keys = await sampleKeys(key);
    await fc.assert(
      fc.asyncProperty(caseFor(paramNames, keys), async (c) => {
        const res = await send(key, c);
        const breach = contractBreach(key, res.statusCode, String(res.headers['content-type'] ?? ''), res.body);
        if (breach) throw new Error(`${key} ${breach}`);
      }),
      { numRuns: RUNS_PER_ROUTE, examples: fixedCases(paramNames, keys).map((c) => [c]) },
    );
  });
});
