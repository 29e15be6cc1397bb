import type { ContactPoint, Patient } from 'fhir/r4';

/** What {@link toPatient} needs of a client. */
export type ClientLike = {
  id: string;
  givenName: string;
  familyName: string;
  preferredName?: string | null;
  email?: string | null;
  mobile?: string | null;
  language?: string | null;
  dateOfBirth?: string | null;
  status: 'active' | 'inactive';
};

export type PatientOptions = {
  /**
   * Include email and mobile. Off by default: an integrating system reads outcomes, it has no need
   * to contact the client (data minimisation). The client's own data export turns it on, because
   * portability covers everything held about them.
   */
  includeTelecom?: boolean;
};

/** A minimal Patient: id, name, birth date, language, active; contacts only when asked for. */
export function toPatient(client: ClientLike, options: PatientOptions = {}): Patient {
  const telecom: ContactPoint[] = [];
  if (options.includeTelecom && client.email) telecom.push({ system: 'email', value: client.email });
  if (options.includeTelecom && client.mobile) telecom.push({ system: 'phone', use: 'mobile', value: client.mobile });
  return {
    resourceType: 'Patient',
    id: client.id,
    active: client.status === 'active',
    name: [
      { use: 'official', family: client.familyName, given: [client.givenName] },
      ...(client.preferredName ? [{ use: 'usual' as const, given: [client.preferredName] }] : []),
    ],
    ...(client.dateOfBirth ? { birthDate: client.dateOfBirth } : {}),
    ...(telecom.length > 0 ? { telecom } : {}),
    ...(client.language ? { communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: client.language }] }, preferred: true }] } : {}),
  };
}
