import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from './context';
import { accessMatrix, defaultParams, principals, type MatrixEntry, type PrincipalDefinition, type PrincipalName } from './access-matrix.table';
import { buildWorld, fillPath, splitRouteKey, type World } from './access-matrix.world';

/**
 * The access matrix: every route in the app's route table × every principal, against the
 * expected statuses in `access-matrix.table.ts`. Zero mismatches allowed; a route without a row
 * (or a row without a route) fails.
 */

const principalNames = Object.keys(principals) as PrincipalName[];
type Mismatch = { route: string; principal: PrincipalName; expected: number | undefined; got: number; code: string };
const mismatches: Mismatch[] = [];

let ctx: TestContext;
let shared: World;
beforeAll(async () => {
  ctx = await createTestContext();
  shared = await buildWorld(ctx);
});
afterAll(() => ctx.close());

function expectedStatus(entry: MatrixEntry, name: PrincipalName): number | undefined {
  const own = entry.expect[name];
  if (own !== undefined) return own;
  const fallback = (principals[name] as PrincipalDefinition).unlisted;
  return fallback ? entry.expect[fallback] : undefined;
}

async function send(key: string, entry: MatrixEntry, world: World, headers: Record<string, string>) {
  const { method, url } = splitRouteKey(key);
  const path = fillPath(url, { ...defaultParams(world), ...entry.params?.(world) });
  const body = entry.body ? await entry.body(world) : undefined;
  return ctx.app.inject({
    method: method as 'GET',
    url: entry.query ? `${path}?${typeof entry.query === 'function' ? entry.query(world) : entry.query}` : path,
    headers: entry.contentType ? { ...headers, 'content-type': entry.contentType } : headers,
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

function errorCode(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown } };
    return typeof parsed.error?.code === 'string' ? parsed.error.code : '';
  } catch {
    return '';
  }
}

function formatMismatches(rows: Mismatch[]): string {
  const header = ['route', 'principal', 'expected', 'got', 'error code'];
  const cells = rows.map((m) => [m.route, m.principal, String(m.expected ?? '(no entry)'), String(m.got), m.code]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  return [`\n${rows.length} mismatch${rows.length === 1 ? '' : 'es'} in the access matrix:`, line(header), ...cells.map(line)].join('\n');
}

describe('access matrix', () => {
  it('has a row for every route in the route table and a route for every row', () => {
    const routes = ctx.app.routeTable.map((r) => `${r.method} ${r.url}`);
    const withoutRow = routes.filter((r) => !(r in accessMatrix));
    const withoutRoute = Object.keys(accessMatrix).filter((k) => !routes.includes(k));
    expect({ withoutRow, withoutRoute }).toEqual({ withoutRow: [], withoutRoute: [] });
  });

  it('gives every principal an expected status on every row', () => {
    const gaps = Object.entries(accessMatrix).flatMap(([key, entry]) =>
      principalNames.filter((name) => expectedStatus(entry, name) === undefined).map((name) => `${key} × ${name}`),
    );
    expect(gaps).toEqual([]);
  });

  it.each(Object.keys(accessMatrix))('%s answers each principal as the table says', async (key) => {
    const entry = accessMatrix[key]!;
    const expected: Record<string, number | undefined> = {};
    const got: Record<string, number> = {};
    for (const name of principalNames) {
      // Rows whose success changes what later requests see run each principal in a world of its own.
      const world = entry.fresh ? await buildWorld(ctx) : shared;
      const res = await send(key, entry, world, principals[name].headers(world));
      expected[name] = expectedStatus(entry, name);
      got[name] = res.statusCode;
      if (res.statusCode !== expected[name]) {
        mismatches.push({ route: key, principal: name, expected: expected[name], got: res.statusCode, code: errorCode(res.body) });
      }
    }
    expect(got, formatMismatches(mismatches.filter((m) => m.route === key))).toEqual(expected);
  });

  it('has zero mismatches across the whole matrix', () => {
    if (mismatches.length > 0) expect.fail(formatMismatches(mismatches));
    console.info(`access matrix: ${Object.keys(accessMatrix).length} routes × ${principalNames.length} principals, 0 mismatches`);
  });
});
