import { endpoints } from '../../api/endpoints';

/** "Preferred (Given) Family", or "Given Family". */
export function clientName(c: { givenName: string; familyName: string; preferredName: string | null }): string {
  return c.preferredName && c.preferredName !== c.givenName ? `${c.preferredName} (${c.givenName}) ${c.familyName}` : `${c.givenName} ${c.familyName}`;
}

/**
 * Each instrument's display name (`phq9` → `PHQ-9`) from the catalogue, the clinic's own
 * instruments included. Empty when the catalogue cannot be loaded: a chart is still worth showing
 * under its id.
 */
export async function loadInstrumentNames(): Promise<Map<string, string>> {
  try {
    const { items } = await endpoints.instruments();
    return new Map(items.map((i) => [i.id, i.shortName]));
  } catch {
    return new Map();
  }
}

/** The instrument's display name, or its id in capitals when the catalogue does not know it. */
export function instrumentName(instrumentId: string, names: ReadonlyMap<string, string>): string {
  return names.get(instrumentId) ?? instrumentId.toUpperCase();
}
