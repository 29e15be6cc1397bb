/** Shapes the API sends, as documented at /api/v1/openapi.json (only what the screens read). */
export type Role = 'admin' | 'supervisor' | 'clinician';
export type Locale = 'en' | 'fr';
export type Stage = 'full' | 'mfa' | 'enrol';

export type Me = {
  user: { id: string; email: string; displayName: string; mfaEnabled: boolean; locale: string };
  organisation: { id: string; name: string };
  role: Role;
  stage: Stage;
  organisations: { id: string; name: string; role: Role }[];
};

export type OrganisationSettings = {
  colour: string;
  timeZone: string;
  workingHours: { days: number[]; start: string; end: string };
  mfaRequired: boolean;
  crisisResources: string | null;
  linkExpiryDays: number | null;
  reminderAfterDays: number | null;
  quietHours: { start: string; end: string };
  onCallSupervisorUserId: string | null;
  languages: string[];
};
export type Organisation = { id: string; name: string; settings: OrganisationSettings; updatedAt: string };

export type Programme = { id: string; name: string; description: string | null; archivedAt: string | null; createdAt: string };

export type UserStatus = 'invited' | 'active' | 'deactivated';
export type StaffUser = {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  status: UserStatus;
  experienceYears: number | null;
  trainee: boolean;
  calibrationConsent: boolean;
  mfaEnabled: boolean;
  joinedAt: string;
  deactivatedAt: string | null;
};

export type ClientSummary = { id: string; givenName: string; familyName: string; preferredName: string | null; status: string };
export type Client = ClientSummary & {
  email: string | null;
  mobile: string | null;
  language: string;
  timeZone: string | null;
  dateOfBirth: string | null;
  externalRef: string | null;
  createdAt: string;
  updatedAt: string;
};
export type ClientInput = {
  givenName?: string;
  familyName?: string;
  preferredName?: string | null;
  email?: string | null;
  mobile?: string | null;
  language?: Locale;
  timeZone?: string | null;
  dateOfBirth?: string | null;
  externalRef?: string | null;
  status?: 'active' | 'inactive';
};

export type Channel = 'email' | 'sms';
export type Consent = { channel: Channel; granted: boolean; source: 'staff' | 'client'; recordedBy: string | null; recordedAt: string; note: string | null };

export type CareTeamMember = { userId: string; displayName: string; role: string; addedAt: string };

export const PRESENTING_PROBLEMS = ['depression', 'gad', 'mixed', 'social_anxiety', 'ptsd', 'agoraphobia', 'ocd', 'panic', 'health_anxiety', 'other', 'none'] as const;
export type PresentingProblem = (typeof PRESENTING_PROBLEMS)[number];
export const END_REASONS = ['completed', 'dropped_out', 'referred_on'] as const;
export type EndReason = (typeof END_REASONS)[number];
export type Episode = {
  id: string;
  clientId: string;
  programmeId: string | null;
  primaryClinicianId: string;
  presentingProblem: string | null;
  startedOn: string;
  endedOn: string | null;
  endReason: EndReason | null;
  status: 'open' | 'closed';
  createdAt: string;
};

export const APPOINTMENT_KINDS = ['assessment', 'treatment', 'follow_up'] as const;
export type AppointmentKind = (typeof APPOINTMENT_KINDS)[number];
export type AppointmentStatus = 'scheduled' | 'attended' | 'cancelled' | 'did_not_attend';
export type Appointment = {
  id: string;
  clientId: string;
  episodeId: string | null;
  clinicianId: string;
  startsAt: string;
  durationMinutes: number;
  kind: AppointmentKind;
  status: AppointmentStatus;
  cancelledBy: 'client' | 'clinic' | null;
  createdAt: string;
  updatedAt: string;
};
export type DayAppointment = Appointment & {
  client: { id: string; givenName: string; familyName: string; preferredName: string | null };
  clinician: { id: string; displayName: string };
};
export type Attendance = { status: 'attended' | 'did_not_attend' | 'cancelled'; cancelledBy?: 'client' | 'clinic' };

export type AuditEvent = {
  id: number;
  at: string;
  actorKind: string;
  actorId: string | null;
  action: string;
  entityType: string | null;
  entityId: string | null;
  outcome: string;
  requestId: string | null;
};

export const ALERT_KINDS = ['risk_item', 'reliable_deterioration', 'not_on_track', 'low_alliance', 'alliance_rupture', 'therapist_over_client', 'missed_questionnaires', 'stopped_checkins', 'dropout_risk'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export type Alert = {
  id: string;
  clientId: string;
  clientName: string;
  episodeId: string | null;
  responseId: string | null;
  kind: AlertKind;
  urgent: boolean;
  status: 'open' | 'acknowledged' | 'resolved';
  evidence: Record<string, unknown>;
  createdAt: string;
  acknowledgedAt: string | null;
};
