/**
 * Local time without a date library: `Intl.DateTimeFormat` knows every IANA zone and its daylight
 * saving rules, which is all quiet hours need.
 */

type LocalParts = { year: number; month: number; day: number; hour: number; minute: number; second: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock date and time at `at` in `timeZone`. */
export function localParts(at: Date, timeZone: string): LocalParts {
  const values: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(at)) if (part.type !== 'literal') values[part.type] = Number(part.value);
  return { year: values.year!, month: values.month!, day: values.day!, hour: values.hour!, minute: values.minute!, second: values.second! };
}

/** How far `timeZone` is ahead of UTC at the instant `at`, in milliseconds. */
function offsetMs(at: Date, timeZone: string): number {
  const p = localParts(at, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The instant a wall clock in `timeZone` shows this date and time. A time skipped by a daylight
 * saving change resolves to the instant just after the gap.
 */
export function zonedTimeToInstant(date: { year: number; month: number; day: number }, hour: number, minute: number, timeZone: string): Date {
  const asUtc = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const first = offsetMs(new Date(asUtc), timeZone);
  const candidate = asUtc - first;
  const second = offsetMs(new Date(candidate), timeZone);
  return new Date(second === first ? candidate : asUtc - second);
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * When a message due at `at` may go out: `at` itself, or, inside quiet hours (e.g. 21:00–08:00 in
 * the client's zone), the end of those quiet hours — the next morning for a late evening. Equal
 * start and end mean no quiet hours.
 */
export function nextSendTime(at: Date, timeZone: string, quietHours: { start: string; end: string }): Date {
  const start = minutesOf(quietHours.start);
  const end = minutesOf(quietHours.end);
  if (start === end) return at;
  const local = localParts(at, timeZone);
  const now = local.hour * 60 + local.minute;
  const quiet = start < end ? now >= start && now < end : now >= start || now < end;
  if (!quiet) return at;
  // Before the end on the same local day (after midnight, or a daytime window); otherwise tomorrow.
  const sameDay = now < end;
  const day = new Date(Date.UTC(local.year, local.month - 1, local.day + (sameDay ? 0 : 1)));
  const date = { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() };
  return zonedTimeToInstant(date, Math.floor(end / 60), end % 60, timeZone);
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}
