import type { ApiTokenScope, Role } from '../db/schema';

/** Who is making a request. Later features add client link sessions, kiosk devices and API tokens. */
export type StaffPrincipal = {
  kind: 'staff';
  userId: string;
  orgId: string;
  role: Role;
  sessionId: string;
  /** 'full' once every required factor is done. */
  stage: 'full' | 'mfa' | 'enrol';
};

export type AnonymousPrincipal = { kind: 'anonymous' };

/** A client answering one assignment through a link session (link, kiosk code or in-session hand-off). */
export type ClientLinkPrincipal = {
  kind: 'client_link';
  orgId: string;
  clientId: string;
  assignmentId: string;
  linkSessionId: string;
  /** How the session was made (read with the session, so the routes need no second query). */
  via: 'link' | 'kiosk' | 'in_session';
};

/** A registered, unlocked kiosk device of a clinic (waiting-room tablet). */
export type KioskPrincipal = { kind: 'kiosk'; orgId: string; deviceId: string };

/** An organisation-level API token (integrations: FHIR). Not a person: never a clinician, never on a care team. */
export type ApiTokenPrincipal = { kind: 'api_token'; orgId: string; tokenId: string; scopes: readonly ApiTokenScope[] };

export type Principal = StaffPrincipal | AnonymousPrincipal | ClientLinkPrincipal | KioskPrincipal | ApiTokenPrincipal;

export const anonymous: AnonymousPrincipal = { kind: 'anonymous' };
