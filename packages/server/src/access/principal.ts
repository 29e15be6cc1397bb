import type { Role } from '../db/schema';

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

export type Principal = StaffPrincipal | AnonymousPrincipal;

export const anonymous: AnonymousPrincipal = { kind: 'anonymous' };
