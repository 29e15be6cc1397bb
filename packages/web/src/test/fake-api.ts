import { setFetcher } from '../api/client';
import type { CaseloadItem } from '../api/types';

type Handler = (url: string, init: RequestInit) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;

/** Routes fetch calls to handlers by "METHOD /path" (query string ignored unless the key has one). */
export function fakeApi(routes: Record<string, Handler | { status: number; body?: unknown }>) {
  const calls: { method: string; url: string; body: unknown }[] = [];
  setFetcher(async (input, init = {}) => {
    const url = String(input);
    const method = (init.method ?? 'GET').toUpperCase();
    calls.push({ method, url, body: init.body ? JSON.parse(String(init.body)) : undefined });
    const key = Object.keys(routes).find((k) => k === `${method} ${url}`) ?? Object.keys(routes).find((k) => k === `${method} ${url.split('?')[0]}`);
    if (!key) return new Response(JSON.stringify({ error: { code: 'not_found', message: 'Not in the fake.' } }), { status: 404 });
    const route = routes[key]!;
    const result = typeof route === 'function' ? await route(url, init) : route;
    if (result.status === 204) return new Response(null, { status: 204 });
    return new Response(result.body === undefined ? '' : JSON.stringify(result.body), { status: result.status, headers: { 'content-type': 'application/json' } });
  });
  return calls;
}

/**
 * One row of `GET /api/v1/caseload` for a client, with nothing needing attention; override what a
 * test is about (alerts, questionnaires, alliance, today's session…).
 */
export function caseloadItem(client: { id: string; givenName: string; familyName: string; preferredName?: string | null; status?: string }, overrides: Partial<CaseloadItem> = {}): CaseloadItem {
  return {
    client: { preferredName: null, status: 'active', ...client },
    episode: null,
    attention: { tier: 'routine', rank: 4 },
    alerts: { urgent: 0, other: 0 },
    questionnaires: { due: 0, overdue: 0 },
    nextAppointment: null,
    lastScores: [],
    alliance: null,
    ratingOwed: null,
    todaySession: null,
    ...overrides,
  };
}
