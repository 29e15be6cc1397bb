import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import ICAL from 'ical.js';
import { AppError, badRequest } from '../../errors';
import { zonedTimeToInstant } from '../assignments/quiet-hours';
import type { ColumnSpec, ImportProblem, RawRow } from './imports.schema';

/** The stable error of an upload over the import's own size limit (config `IMPORT_MAX_MB`). */
export const importTooLarge = (maxBytes: number) =>
  new AppError(413, 'import_too_large', `The file is larger than the import limit of ${sizeText(maxBytes)}. Split it into smaller files.`);

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB` : `${Math.round(bytes / 1024)} kB`);

/**
 * Copies the upload to a private temporary file under the data folder, counting bytes as they
 * stream: past `maxBytes` the copy stops with 413 `import_too_large` (a declared Content-Length over
 * the limit is refused before reading). The file is then parsed from disk inside the import's
 * transaction, so the transaction never waits on the network and memory stays flat whatever the
 * file's size. `remove` deletes the folder; call it in a `finally`.
 */
export async function spoolUpload(body: Readable, options: { dataDir: string; maxBytes: number; declaredLength?: number }) {
  const { dataDir, maxBytes, declaredLength } = options;
  if (declaredLength !== undefined && declaredLength > maxBytes) {
    body.resume();
    throw importTooLarge(maxBytes);
  }
  const parent = join(dataDir, 'imports');
  await mkdir(parent, { recursive: true, mode: 0o700 });
  await removeStaleUploads(parent);
  const folder = await mkdtemp(join(parent, 'upload-'));
  const path = join(folder, 'upload');
  const remove = () => rm(folder, { recursive: true, force: true });
  let bytes = 0;
  try {
    // Not stream.pipeline: on error it would destroy the request, and with it the connection the
    // 413 must go back on. Past the limit the rest of the body is read and dropped instead.
    await new Promise<void>((resolve, reject) => {
      const file = createWriteStream(path, { mode: 0o600 });
      let failed = false;
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        body.off('data', onData);
        body.resume();
        file.destroy();
        reject(error);
      };
      const onData = (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > maxBytes) return fail(importTooLarge(maxBytes));
        if (!file.write(chunk)) {
          body.pause();
          file.once('drain', () => body.resume());
        }
      };
      body.on('data', onData);
      body.once('end', () => !failed && file.end());
      body.once('error', () => fail(badRequest('The upload was interrupted. Please try again.', undefined, 'import_upload_failed')));
      file.once('error', fail);
      file.once('finish', () => !failed && resolve());
    });
  } catch (error) {
    await remove();
    throw error;
  }
  return { path, bytes, remove };
}

/** Uploads left behind by a process that died mid-import (they may hold health data): gone after an hour. */
async function removeStaleUploads(parent: string): Promise<void> {
  const cutoff = Date.now() - 60 * 60 * 1000;
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    if (!name.startsWith('upload-')) continue;
    const info = await stat(join(parent, name)).catch(() => null);
    if (info && info.mtimeMs < cutoff) await rm(join(parent, name), { recursive: true, force: true });
  }
}

/** One data row of a source, with any problem found while reading it (an unparseable event). */
export type SourceRow = { row: number; values: RawRow; problems: ImportProblem[] };

export type ImportSource = {
  format: 'csv' | 'ical';
  /** How a logical column is called in this file (an iCal file's properties), for messages. */
  columnName: (column: string) => string;
  rows: AsyncIterable<SourceRow>;
};

const badHeader = (message: string, field?: string) => badRequest(message, field, 'import_bad_header');

/**
 * Checks a CSV header against the kind's columns. Names are matched trimmed and case-insensitively.
 * Unknown, duplicated and missing columns are named in one 400 `import_bad_header`; when no cell
 * is a known column the first row is most likely data, so its cells are not repeated back.
 */
export function checkHeader(cells: readonly string[], spec: ColumnSpec): string[] {
  const names = cells.map((c) => c.trim().toLowerCase());
  const known = new Set([...spec.required, ...spec.optional]);
  const expected = `Expected columns: ${spec.required.join(', ')} (required)${spec.optional.length ? `; ${spec.optional.join(', ')} (optional)` : ''}${spec.oneOf.map((g) => `; at least one of ${g.join(' or ')}`).join('')}.`;
  if (!names.some((n) => known.has(n))) throw badHeader(`The first row is not a header this import knows. ${expected}`, spec.required[0]);
  const problems: string[] = [];
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) problems.push(`Unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.map((n) => n || '(empty)').join(', ')}.`);
  const repeated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  if (repeated.length) problems.push(`Column${repeated.length > 1 ? 's' : ''} given twice: ${repeated.join(', ')}.`);
  const missing = spec.required.filter((c) => !names.includes(c));
  for (const group of spec.oneOf) if (!group.some((c) => names.includes(c))) missing.push(group.join(' or '));
  if (missing.length) problems.push(`Missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`);
  if (problems.length) throw badHeader(`${problems.join(' ')} ${expected}`, unknown[0] ?? repeated[0] ?? missing[0]);
  return names;
}

/**
 * Streams a CSV file (UTF-8, a BOM allowed, comma-separated, RFC 4180 quoting) row by row with
 * csv-parse. The header is checked first ({@link checkHeader}) before any row is read. `row` is the
 * file's line number, as a spreadsheet shows it (the header is row 1). A file that is not CSV at
 * all is a 400 `import_bad_csv` naming the line; csv-parse's own message is not passed on (it can
 * quote the cell).
 */
export async function openCsv(path: string, spec: ColumnSpec): Promise<ImportSource> {
  const parser = createReadStream(path).pipe(
    parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true, max_record_size: 1_000_000 }),
  );
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<{ record: string[]; info: { lines: number } }>;
  const next = async () => {
    try {
      return await records.next();
    } catch (error) {
      if (error instanceof CsvError) {
        const line = (error as CsvError & { lines?: number }).lines;
        throw badRequest(`The file is not valid CSV${line ? ` near line ${line}` : ''} (${error.code}). Check the quoting of that row.`, undefined, 'import_bad_csv');
      }
      throw error;
    }
  };
  let columns: string[];
  try {
    const first = await next();
    if (first.done) throw badHeader(`The file is empty. The first row must name the columns.`, spec.required[0]);
    columns = checkHeader(first.value.record, spec);
  } catch (error) {
    parser.destroy();
    throw error;
  }
  async function* rows(): AsyncGenerator<SourceRow> {
    try {
      for (let item = await next(); !item.done; item = await next()) {
        const { record, info } = item.value;
        const values: RawRow = {};
        columns.forEach((column, i) => {
          const cell = record[i];
          values[column] = cell === undefined || cell === '' ? undefined : cell;
        });
        const problems: ImportProblem[] =
          record.length > columns.length ? [{ row: info.lines, column: null, code: 'too_many_cells', message: `has ${record.length} cells but the header names ${columns.length}` }] : [];
        yield { row: info.lines, values, problems };
      }
    } finally {
      parser.destroy();
    }
  }
  return { format: 'csv', columnName: (c) => c, rows: rows() };
}

/** Which iCal property stands for which appointment column, for messages. */
const icalColumns: Record<string, string> = {
  client_external_id: 'X-RAPPORT-CLIENT',
  client_email: 'ATTENDEE',
  clinician_email: 'ORGANIZER',
  starts_at: 'DTSTART',
  duration_minutes: 'DTEND',
  status: 'STATUS',
};

/** An event's text (lines between BEGIN:VEVENT and END:VEVENT) above this is refused as a row, not buffered further. */
const MAX_EVENT_BYTES = 64 * 1024;
/** VTIMEZONEs kept (a calendar has one per zone it uses); more are ignored. */
const MAX_TIMEZONES = 50;

/**
 * Streams an iCalendar file (RFC 5545) event by event: each VEVENT is cut out of the line stream
 * and parsed on its own with ical.js, together with the VTIMEZONEs seen so far, so memory holds one
 * event, never the calendar. Each event becomes an appointment row:
 * - client: `X-RAPPORT-CLIENT` (the client's external id), else the first `ATTENDEE` whose
 *   address is a client's email in the clinic (`client_email` lists every attendee's address);
 * - clinician: `ORGANIZER`'s address, a staff member's email;
 * - starts_at: `DTSTART` in UTC, in its `TZID` (from the file's VTIMEZONE or, failing that, the
 *   IANA name) or, for a floating time, the clinic's time zone. An all-day event is not an appointment;
 * - duration_minutes: `DTEND` − `DTSTART` or `DURATION` (default 50); status: `STATUS:CANCELLED`
 *   → cancelled. A recurring event (`RRULE`) is refused: export its occurrences instead.
 * `row` is the event's position in the file (1 = the first VEVENT).
 */
export async function openIcal(path: string, clinicTimeZone: string): Promise<ImportSource> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const close = () => {
    void lines.return?.();
    input.destroy();
  };
  let first = await lines.next();
  while (!first.done && first.value.replace(/^\uFEFF/, '').trim() === '') first = await lines.next();
  if (first.done || first.value.replace(/^\uFEFF/, '').trim().toUpperCase() !== 'BEGIN:VCALENDAR') {
    close();
    throw badHeader('This is not an iCalendar file: the first line must be BEGIN:VCALENDAR.', 'BEGIN:VCALENDAR');
  }
  async function* rows(): AsyncGenerator<SourceRow> {
    const timezones: string[] = [];
    let block: string[] | null = null;
    let blockKind: 'VEVENT' | 'VTIMEZONE' | null = null;
    let size = 0;
    let tooBig = false;
    let events = 0;
    try {
      for (let item = await lines.next(); !item.done; item = await lines.next()) {
        const line = item.value;
        const upper = line.trim().toUpperCase();
        if (!block && (upper === 'BEGIN:VEVENT' || upper === 'BEGIN:VTIMEZONE')) {
          blockKind = upper === 'BEGIN:VEVENT' ? 'VEVENT' : 'VTIMEZONE';
          block = [line];
          size = line.length;
          tooBig = false;
          continue;
        }
        if (!block) continue;
        size += line.length + 2;
        if (size > MAX_EVENT_BYTES) tooBig = true;
        else block.push(line);
        if (upper !== `END:${blockKind}`) continue;
        if (blockKind === 'VTIMEZONE') {
          // Every event is parsed with the time zones seen so far: a file cannot make that list long.
          if (!tooBig && timezones.length < MAX_TIMEZONES) timezones.push(block.join('\r\n'));
        } else {
          events += 1;
          yield tooBig
            ? { row: events, values: {}, problems: [{ row: events, column: null, code: 'event_too_large', message: `is larger than ${MAX_EVENT_BYTES / 1024} kB` }] }
            : eventToRow(events, block.join('\r\n'), timezones, clinicTimeZone);
        }
        block = null;
        blockKind = null;
      }
    } finally {
      close();
    }
  }
  return { format: 'ical', columnName: (c) => icalColumns[c] ?? c, rows: rows() };
}

const mailto = (value: unknown) => (typeof value === 'string' ? value.replace(/^mailto:/i, '').trim() : undefined) || undefined;

function eventToRow(row: number, text: string, timezones: readonly string[], clinicTimeZone: string): SourceRow {
  const problem = (column: string | null, code: string, message: string): SourceRow => ({ row, values: {}, problems: [{ row, column, code, message }] });
  let event: ICAL.Event;
  try {
    const calendar = new ICAL.Component(ICAL.parse(['BEGIN:VCALENDAR', 'VERSION:2.0', ...timezones, text, 'END:VCALENDAR'].join('\r\n')));
    const component = calendar.getFirstSubcomponent('vevent');
    if (!component) return problem(null, 'invalid_event', 'is not a readable VEVENT');
    event = new ICAL.Event(component);
  } catch {
    return problem(null, 'invalid_event', 'is not a readable VEVENT');
  }
  const component = event.component;
  if (component.hasProperty('rrule') || component.hasProperty('rdate')) {
    return problem('RRULE', 'recurring_event', 'is a recurring event: export its occurrences as single events');
  }
  if (!component.hasProperty('dtstart')) return problem('DTSTART', 'required', 'required');
  const start = event.startDate;
  if (start.isDate) return problem('DTSTART', 'all_day_event', 'is an all-day event, not an appointment with a time');
  const tzidOf = (name: string) => {
    const tzid = component.getFirstProperty(name)?.getParameter('tzid');
    return typeof tzid === 'string' ? tzid : undefined;
  };
  const startsAt = instantOf(start, tzidOf('dtstart'), clinicTimeZone);
  if (!startsAt) return problem('DTSTART', 'unknown_time_zone', 'has a TZID that is neither in the file nor a known time zone');
  let durationMinutes: number | undefined;
  if (component.hasProperty('dtend') || component.hasProperty('duration')) {
    const end = component.hasProperty('dtend') ? instantOf(event.endDate, tzidOf('dtend'), clinicTimeZone) : new Date(startsAt.getTime() + event.duration.toSeconds() * 1000);
    if (end) durationMinutes = Math.round((end.getTime() - startsAt.getTime()) / 60_000);
  }
  const organizer = mailto(component.getFirstPropertyValue('organizer'));
  const attendees = component
    .getAllProperties('attendee')
    .map((p) => mailto(p.getFirstValue()))
    .filter((a): a is string => !!a && a.toLowerCase() !== organizer?.toLowerCase());
  const reference = component.getFirstPropertyValue('x-rapport-client');
  const status = String(component.getFirstPropertyValue('status') ?? '').toUpperCase();
  return {
    row,
    values: {
      client_external_id: typeof reference === 'string' && reference.trim() ? reference.trim() : undefined,
      client_email: attendees.length ? attendees.join(' ') : undefined,
      clinician_email: organizer,
      starts_at: startsAt.toISOString(),
      duration_minutes: durationMinutes === undefined ? undefined : String(durationMinutes),
      status: status === 'CANCELLED' ? 'cancelled' : undefined,
    },
    problems: [],
  };
}

/** The instant of an iCal date-time: UTC, zoned by the file's VTIMEZONE, by an IANA TZID, or floating in the clinic's zone. */
function instantOf(time: ICAL.Time, tzidParameter: string | undefined, clinicTimeZone: string): Date | null {
  const zone = time.zone?.tzid;
  if (zone && zone !== 'floating') return time.toJSDate();
  const tzid = tzidParameter ?? clinicTimeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tzid });
  } catch {
    return null;
  }
  const instant = zonedTimeToInstant({ year: time.year, month: time.month, day: time.day }, time.hour, time.minute, tzid);
  return new Date(instant.getTime() + time.second * 1000);
}
