import { createHmac } from 'node:crypto';

const DAY_MS = 86_400_000;
/** Dates move by at most this many days either way (issue 7 item 4: shifted per client). */
export const MAX_SHIFT_DAYS = 180;

/**
 * A client's stable de-identification: a pseudonym and a date shift, both from one HMAC-SHA-256 of
 * the client id under the server's secret key. The same client gets the same pseudonym and shift in
 * every export (so exports can be joined), while nobody without the key can go back to the id or
 * guess the shift. 64 bits of pseudonym make a collision among a clinic's clients negligible.
 */
export function deidentifierFor(secretKey: string, clientId: string) {
  const digest = createHmac('sha256', secretKey).update(`rapport-export:client:${clientId}`).digest();
  const shiftDays = (digest.readUInt32BE(8) % (2 * MAX_SHIFT_DAYS + 1)) - MAX_SHIFT_DAYS;
  return {
    pseudonym: `P${digest.subarray(0, 8).toString('hex')}`,
    shiftDays,
    /** Another id of this client's data (an episode, an appointment), pseudonymised under the same key. */
    pseudonymOf: (kind: string, id: string | null) =>
      id === null ? null : `${kind[0]!.toUpperCase()}${createHmac('sha256', secretKey).update(`rapport-export:${kind}:${id}`).digest().subarray(0, 8).toString('hex')}`,
    shiftTimestamp: (t: Date | null) => (t === null ? null : new Date(t.getTime() + shiftDays * DAY_MS).toISOString()),
    shiftDate: (d: string | null) => (d === null ? null : new Date(Date.parse(`${d}T00:00:00Z`) + shiftDays * DAY_MS).toISOString().slice(0, 10)),
  };
}
