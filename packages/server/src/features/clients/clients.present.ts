import type { clientConsents } from '../../db/schema';
import type { ClientRow } from './clients.queries';

/** The only shape of a client sent to the browser. */
export function presentClient(c: ClientRow) {
  return {
    id: c.id,
    givenName: c.givenName,
    familyName: c.familyName,
    preferredName: c.preferredName,
    email: c.email,
    mobile: c.mobile,
    language: c.language,
    timeZone: c.timeZone,
    dateOfBirth: c.dateOfBirth,
    status: c.status,
    externalRef: c.externalRef,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function presentConsent(c: typeof clientConsents.$inferSelect) {
  return {
    channel: c.channel,
    granted: c.granted,
    source: c.source,
    recordedBy: c.recordedBy,
    recordedAt: c.recordedAt.toISOString(),
    note: c.note,
  };
}
