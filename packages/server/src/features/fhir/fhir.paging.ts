import { createHmac } from 'node:crypto';
import { decryptSecret, encryptSecret, sha256Hex } from '../../lib/crypto';
import { invalid } from './fhir.errors';
import { single, type QueryValues } from './fhir.search';

/**
 * Paged searchsets (issue 7 item 2). `_count` sets the page size; a page with more matches after it
 * has a `link` `next` whose `_cursor` is opaque: the sort key of the page's last entry, encrypted and
 * authenticated (AES-256-GCM with a key derived from the server key) together with a digest of the
 * search it belongs to. So a cursor cannot be read, forged, altered or reused for another search or
 * another organisation's token: any of those is a 400 OperationOutcome. Pages are keyset pages (the
 * next starts after the last key seen), so no entry is shown twice even when answers are stored
 * between two pages (one stored with an earlier date than the cursor's shows on no page of that walk).
 */
export const PAGING_PARAMETERS = ['_count', '_cursor'] as const;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** A sort key: the values a page is ordered by, as strings (a timestamp in microseconds, an id…). */
export type PageKey = readonly string[];
export type Paging = { count: number; after: PageKey | null };

/** The search a cursor belongs to: the organisation, the resource type and every parameter but the paging ones. */
function searchDigest(orgId: string, resourceType: string, query: QueryValues): string {
  const parameters = Object.entries(query)
    .filter(([name]) => !(PAGING_PARAMETERS as readonly string[]).includes(name))
    .map(([name, values]) => [name, [...values].sort()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256Hex(JSON.stringify([orgId, resourceType, parameters]));
}

const cursorKey = (secretKey: string) => createHmac('sha256', Buffer.from(secretKey, 'hex')).update('rapport fhir search cursor v1').digest('hex');

/** Encodes the key of a page's last entry as the `_cursor` of the next page. */
export function encodeCursor(secretKey: string, search: { orgId: string; resourceType: string; query: QueryValues }, key: PageKey): string {
  return encryptSecret(JSON.stringify({ s: searchDigest(search.orgId, search.resourceType, search.query), k: key }), cursorKey(secretKey));
}

/**
 * `_count` (1–200, default 50) and the key `_cursor` carries (which `isKey` checks is one of the
 * search's keys); anything else is a 400 naming the parameter.
 */
export function readPaging(secretKey: string, search: { orgId: string; resourceType: string; query: QueryValues }, isKey: (key: PageKey) => boolean): Paging {
  const rawCount = single(search.query, '_count');
  let count = DEFAULT_PAGE_SIZE;
  if (rawCount !== undefined) {
    if (!/^\d{1,4}$/.test(rawCount) || +rawCount < 1 || +rawCount > MAX_PAGE_SIZE) {
      throw invalid(`_count must be a whole number from 1 to ${MAX_PAGE_SIZE}.`, '_count');
    }
    count = +rawCount;
  }
  const cursor = single(search.query, '_cursor');
  if (cursor === undefined) return { count, after: null };
  const refused = invalid('This _cursor is not valid for this search. Use the next link of the previous page as it was given.', '_cursor');
  let decoded: unknown;
  try {
    decoded = cursor.length <= 1000 ? JSON.parse(decryptSecret(cursor, cursorKey(secretKey))) : null;
  } catch {
    throw refused;
  }
  const { s, k } = (decoded ?? {}) as { s?: unknown; k?: unknown };
  const wellFormed = Array.isArray(k) && k.every((v) => typeof v === 'string') && isKey(k);
  if (!wellFormed || s !== searchDigest(search.orgId, search.resourceType, search.query)) throw refused;
  return { count, after: k as string[] };
}

/** The address of the next page: this search's parameters as given, with the cursor of `key`. */
export function nextPageUrl(baseUrl: string, search: { orgId: string; resourceType: string; query: QueryValues }, cursor: string): string {
  const params = new URLSearchParams();
  for (const [name, values] of Object.entries(search.query)) {
    if (name === '_cursor') continue;
    for (const value of values) params.append(name, value);
  }
  params.append('_cursor', cursor);
  return `${baseUrl}/${search.resourceType}?${params.toString()}`;
}

/** Compares two sort keys part by part: a number part (all digits) numerically, others as text. */
export function compareKeys(a: PageKey, b: PageKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return BigInt(x) < BigInt(y) ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
