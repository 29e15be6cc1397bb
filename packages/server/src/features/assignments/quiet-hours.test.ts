import { describe, expect, it } from 'vitest';
import { localParts, nextSendTime, zonedTimeToInstant } from './quiet-hours';

const quiet = { start: '21:00', end: '08:00' };

describe('quiet hours', () => {
  it.each([
    // [instant, zone, expected send time]
    ['2026-03-02T12:00:00Z', 'Europe/London', '2026-03-02T12:00:00.000Z'], // midday: at once
    ['2026-03-02T22:30:00Z', 'Europe/London', '2026-03-03T08:00:00.000Z'], // 22:30 → 08:00 next morning
    ['2026-03-02T21:00:00Z', 'Europe/London', '2026-03-03T08:00:00.000Z'], // the start is quiet
    ['2026-03-02T20:59:00Z', 'Europe/London', '2026-03-02T20:59:00.000Z'], // a minute before is not
    ['2026-03-03T03:00:00Z', 'Europe/London', '2026-03-03T08:00:00.000Z'], // after midnight → same morning
    ['2026-03-03T08:00:00Z', 'Europe/London', '2026-03-03T08:00:00.000Z'], // the end is not quiet
    // 22:30 in New York (EST, UTC-5) is 03:30 UTC the next day; 08:00 EST is 13:00 UTC.
    ['2026-03-03T03:30:00Z', 'America/New_York', '2026-03-03T13:00:00.000Z'],
    // 22:30 in Paris in summer (UTC+2) → 08:00 CEST = 06:00 UTC.
    ['2026-07-01T20:30:00Z', 'Europe/Paris', '2026-07-02T06:00:00.000Z'],
    // Across the spring change in London (29 March 2026): 22:30 GMT on the 28th → 08:00 BST = 07:00 UTC.
    ['2026-03-28T22:30:00Z', 'Europe/London', '2026-03-29T07:00:00.000Z'],
    // Tokyo, 23:00 JST (14:00 UTC) → 08:00 JST = 23:00 UTC.
    ['2026-03-02T14:00:00Z', 'Asia/Tokyo', '2026-03-02T23:00:00.000Z'],
  ])('moves a message due at %s in %s to %s', (at, zone, expected) => {
    expect(nextSendTime(new Date(at), zone, quiet).toISOString()).toBe(expected);
  });

  it('handles a daytime quiet window and equal start and end (no quiet hours)', () => {
    expect(nextSendTime(new Date('2026-03-02T12:30:00Z'), 'UTC', { start: '12:00', end: '14:00' }).toISOString()).toBe('2026-03-02T14:00:00.000Z');
    expect(nextSendTime(new Date('2026-03-02T23:30:00Z'), 'UTC', { start: '08:00', end: '08:00' }).toISOString()).toBe('2026-03-02T23:30:00.000Z');
  });

  it('reads local wall-clock time and converts it back', () => {
    expect(localParts(new Date('2026-07-01T20:30:00Z'), 'Europe/Paris')).toMatchObject({ day: 1, hour: 22, minute: 30 });
    expect(zonedTimeToInstant({ year: 2026, month: 10, day: 25 }, 8, 0, 'Europe/London').toISOString()).toBe('2026-10-25T08:00:00.000Z');
  });
});
