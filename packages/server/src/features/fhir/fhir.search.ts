import { instrumentIdFromCanonical, instrumentIdOf, type CanonicalOptions } from '@rapport/fhir';
import type { TimeBound } from './fhir.queries';
import { invalid, unknownParameter } from './fhir.errors';

/**
 * Search parameters: only those declared are accepted; any other is a 400 OperationOutcome naming
 * it (never silently ignored, which would answer a different question than the one asked).
 * `_format` is accepted everywhere with a JSON value, since JSON is all this server speaks.
 */
export type QueryValues = Record<string, string[]>;

const JSON_FORMATS = new Set(['json', 'application/json', 'application/fhir+json']);

/** The query string as lists of values, refusing any parameter not in `allowed`. */
export function readQuery(query: unknown, allowed: readonly string[]): QueryValues {
  const out: QueryValues = {};
  for (const [name, raw] of Object.entries((query ?? {}) as Record<string, string | string[] | undefined>)) {
    const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    if (name === '_format') {
      if (!values.every((v) => JSON_FORMATS.has(v))) throw invalid('This server answers in JSON only (_format=json).', '_format');
      continue;
    }
    if (!allowed.includes(name)) throw unknownParameter(name);
    if (values.some((v) => v === '')) throw invalid(`The ${name} parameter needs a value.`, name);
    out[name] = values;
  }
  return out;
}

/** The one value of a parameter that may appear once. */
export function single(values: QueryValues, name: string): string | undefined {
  const list = values[name];
  if (!list) return undefined;
  if (list.length > 1) throw invalid(`The ${name} parameter may appear only once.`, name);
  return list[0];
}

/** `patient=Patient/<id>` or `patient=<id>` → the id. */
export function patientIdOf(value: string, name = 'patient'): string {
  const match = /^(?:Patient\/)?([A-Za-z0-9\-.]{1,64})$/.exec(value);
  if (!match) throw invalid(`${name} must be a Patient id or reference (Patient/<id>).`, name);
  return match[1]!;
}

/** `questionnaire=Questionnaire/phq9`, a canonical URL, or LOINC's form URL → the instrument id (null: none of ours). */
export function questionnaireParam(value: string, options: CanonicalOptions): string | null {
  const local = /^Questionnaire\/([a-z][a-z0-9-]*)$/.exec(value);
  return local ? instrumentIdOf(local[1]!) : instrumentIdFromCanonical(value, options);
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/** The instant range a FHIR date (a year, month, day, or an instant) covers: [start, end). */
function dateRange(value: string, name: string): { start: Date; end: Date } {
  const m = DATE.exec(value);
  if (!m) throw invalid(`${name} must be a FHIR date such as 2026-03-01 or 2026-03-01T09:00:00Z, after an optional prefix (ge, le, gt, lt, eq).`, name);
  const [, year, month, day, hour] = m;
  let start: Date;
  let end: Date;
  if (hour !== undefined) {
    start = new Date(value);
    end = new Date(start.getTime() + 1000);
  } else if (day !== undefined) {
    start = new Date(Date.UTC(+year!, +month! - 1, +day!));
    end = new Date(Date.UTC(+year!, +month! - 1, +day! + 1));
  } else if (month !== undefined) {
    start = new Date(Date.UTC(+year!, +month! - 1, 1));
    end = new Date(Date.UTC(+year!, +month!, 1));
  } else {
    start = new Date(Date.UTC(+year!, 0, 1));
    end = new Date(Date.UTC(+year! + 1, 0, 1));
  }
  // Date.UTC rolls 2026-13-45 over into 2027; a date that does not read back the same is not real.
  const real = !Number.isNaN(start.getTime()) && (hour !== undefined || start.toISOString().slice(0, value.length) === value);
  if (!real) throw invalid(`${name} is not a real date.`, name);
  return { start, end };
}

/**
 * A date search value with its prefix (`ge2026-03-01`, `le2026-03-31`, `gt`, `lt`, `eq` or none) as
 * bounds on the instant; dates without a time are whole UTC days. Other prefixes are refused.
 */
export function dateBound(value: string, name: string): TimeBound {
  const match = /^([a-z]{2})?(.*)$/.exec(value)!;
  const prefix = match[1] ?? 'eq';
  const { start, end } = dateRange(match[2]!, name);
  switch (prefix) {
    case 'eq':
      return { from: start, to: end };
    case 'ge':
      return { from: start };
    case 'gt':
      return { from: end };
    case 'le':
      return { to: end };
    case 'lt':
      return { to: start };
    default:
      throw invalid(`The ${prefix} prefix is not supported on ${name}; use ge, le, gt, lt or eq.`, name);
  }
}

/** A token parameter (`code=http://loinc.org|44261-6`, `code=44261-6`, comma for OR) as system/code pairs. */
export function tokenValues(value: string): { system?: string; code: string }[] {
  return value.split(',').map((part) => {
    const bar = part.lastIndexOf('|');
    return bar === -1 ? { code: part } : { system: part.slice(0, bar), code: part.slice(bar + 1) };
  });
}
