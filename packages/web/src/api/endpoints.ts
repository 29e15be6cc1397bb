import { api } from './client';
import { uploadImport } from './upload';
import type {
  Appointment,
  Attendance,
  AuditEvent,
  CareTeamMember,
  Channel,
  Client,
  ClientInput,
  ClientSummary,
  Caseload,
  CaseloadQuery,
  Consent,
  DayAppointment,
  EndReason,
  Episode,
  Locale,
  Me,
  Organisation,
  OrganisationSettings,
  PresentingProblem,
  Programme,
  Role,
  Stage,
  StaffUser,
  AppointmentKind,
  Alert,
  AlertFull,
  Alliance,
  Assignment,
  AssignmentChannel,
  Calibration,
  ClientResponse,
  ResponseDiscussion,
  CustomInstrument,
  MySettings,
  DropoutRisk,
  InstrumentDetail,
  InstrumentSummary,
  InvitationDetails,
  PendingRating,
  ResolutionAction,
  SessionRating,
  Trajectory,
  OutcomeReport,
  OutcomeReportScope,
} from './types';

export type ProtocolRule = { id: string; instrumentIds: string[]; respondent: 'client' | 'clinician'; trigger: { kind: string; hoursBefore?: number; n?: number } };
export type Protocol = { id: string | null; source: string; programmeId: string | null; name: string; rules: ProtocolRule[]; reminderAfterDays: number | null | 'organisation'; expiryDays: number | null | 'organisation'; version: number; archivedAt: string | null };
export type PreviewItem = { ruleId: string; instrumentIds: string[]; respondent: string; channel: string; appointmentIndex: number | null; trigger: string; dueAt: string; sendAt: string | null; reminderAt: string | null; expiresAt: string | null };
export type ContentPack = Record<string, unknown> & { id?: string; name?: string; instrumentIds?: string[] };

const enc = encodeURIComponent;
const qs = (params: Record<string, string | number | undefined>) => {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== '') as [string, string | number][];
  return entries.length ? `?${entries.map(([k, v]) => `${k}=${enc(String(v))}`).join('&')}` : '';
};
const client = (id: string) => `/api/v1/clients/${enc(id)}`;

/** One function per API call the screens make; paths and shapes live here only. */
export const endpoints = {
  // Account
  me: () => api.get<Me>('/api/v1/me', { quiet401: true }),
  signIn: (email: string, password: string) => api.post<{ stage: Stage }>('/api/v1/auth/sign-in', { email, password }, { quiet401: true }),
  signOut: () => api.post<void>('/api/v1/auth/sign-out'),
  verifyMfa: (body: { code: string } | { recoveryCode: string }) => api.post<{ stage: 'full' }>('/api/v1/auth/mfa/verify', body, { quiet401: true }),
  startMfaEnrolment: () => api.post<{ secret: string; otpauthUri: string }>('/api/v1/auth/mfa/enrol'),
  confirmMfaEnrolment: (code: string) => api.post<{ recoveryCodes: string[] }>('/api/v1/auth/mfa/enrol/confirm', { code }),
  requestPasswordReset: (email: string) => api.post<{ message: string }>('/api/v1/auth/password-reset', { email }),
  completePasswordReset: (token: string, password: string) => api.post<void>('/api/v1/auth/password-reset/complete', { token, password }),
  /** The inviting clinic and whether the invitee already has an account; the token goes in the body, never the URL. */
  invitationDetails: (token: string) => api.post<InvitationDetails>('/api/v1/auth/invitation/details', { token }, { quiet401: true }),
  acceptInvitation: (token: string, password: string) => api.post<void>('/api/v1/auth/invitation/accept', { token, password }, { quiet401: true }),
  mySettings: () => api.get<MySettings>('/api/v1/me/settings'),
  updateMySettings: (body: { locale?: Locale; calibrationConsent?: boolean; alertMobile?: string | null; smsUrgentAlerts?: boolean }) => api.patch<MySettings>('/api/v1/me/settings', body),

  // Organisation
  organisation: () => api.get<Organisation>('/api/v1/organisation'),
  updateOrganisation: (body: { name?: string; settings?: Partial<OrganisationSettings> }) => api.patch<Organisation>('/api/v1/organisation', body),
  programmes: (includeArchived = false) => api.get<{ items: Programme[] }>(`/api/v1/programmes${qs({ includeArchived: includeArchived ? 'true' : undefined })}`),
  createProgramme: (body: { name: string; description?: string | null }) => api.post<Programme>('/api/v1/programmes', body),
  updateProgramme: (id: string, body: { name?: string; description?: string | null }) => api.patch<Programme>(`/api/v1/programmes/${enc(id)}`, body),
  archiveProgramme: (id: string) => api.post<Programme>(`/api/v1/programmes/${enc(id)}/archive`),

  // Staff
  users: (status: 'active' | 'invited' | 'deactivated' | 'all' = 'all') => api.get<{ items: StaffUser[] }>(`/api/v1/users${qs({ status })}`),
  inviteUser: (body: { email: string; displayName: string; role: Role; experienceYears?: number | null; trainee?: boolean }) => api.post<StaffUser>('/api/v1/users/invite', body),
  updateUser: (id: string, body: { role?: Role; experienceYears?: number | null; trainee?: boolean }) => api.patch<StaffUser>(`/api/v1/users/${enc(id)}`, body),
  deactivateUser: (id: string) => api.post<StaffUser>(`/api/v1/users/${enc(id)}/deactivate`),
  reactivateUser: (id: string) => api.post<StaffUser>(`/api/v1/users/${enc(id)}/reactivate`),
  resetUserMfa: (id: string) => api.post<StaffUser>(`/api/v1/users/${enc(id)}/mfa-reset`),
  sendUserPasswordReset: (id: string) => api.post<StaffUser>(`/api/v1/users/${enc(id)}/password-reset`),

  // Clients
  clients: (params: { q?: string; status?: 'active' | 'inactive' | 'all'; limit?: number; cursor?: string }) =>
    api.get<{ items: ClientSummary[]; nextCursor: string | null }>(`/api/v1/clients${qs(params)}`),
  /** The caseload ranked by what needs attention, everything per row in one response (issue 6). */
  caseload: (params: CaseloadQuery) => api.get<Caseload>(`/api/v1/caseload${qs(params)}`),
  createClient: (body: ClientInput & { careTeam?: string[] }) => api.post<Client>('/api/v1/clients', body),
  client: (id: string) => api.get<Client>(client(id)),
  updateClient: (id: string, body: ClientInput) => api.patch<Client>(client(id), body),
  consents: (id: string) => api.get<{ current: Consent[]; history: Consent[] }>(`${client(id)}/consents`),
  recordConsent: (id: string, body: { channel: Channel; granted: boolean; note?: string }) => api.post<Consent>(`${client(id)}/consents`, body),
  careTeam: (id: string) => api.get<{ items: CareTeamMember[] }>(`${client(id)}/care-team`),
  addToCareTeam: (id: string, userId: string) => api.put<void>(`${client(id)}/care-team/${enc(userId)}`),
  removeFromCareTeam: (id: string, userId: string) => api.del<void>(`${client(id)}/care-team/${enc(userId)}`),
  audit: (id: string, before?: number) => api.get<{ items: AuditEvent[]; nextBefore: number | null }>(`${client(id)}/audit${qs({ limit: 100, before })}`),

  // Episodes
  episodes: (id: string) => api.get<{ items: Episode[] }>(`${client(id)}/episodes`),
  openEpisode: (id: string, body: { presentingProblem: PresentingProblem; startedOn: string; programmeId?: string | null; primaryClinicianId?: string }) =>
    api.post<Episode>(`${client(id)}/episodes`, body),
  closeEpisode: (id: string, episodeId: string, body: { endedOn: string; endReason: EndReason }) =>
    api.post<Episode>(`${client(id)}/episodes/${enc(episodeId)}/close`, body),

  // Appointments
  appointments: (id: string) => api.get<{ items: Appointment[] }>(`${client(id)}/appointments`),
  bookAppointment: (id: string, body: { startsAt: string; durationMinutes?: number; kind?: AppointmentKind; clinicianId?: string }) =>
    api.post<Appointment>(`${client(id)}/appointments`, body),
  moveAppointment: (id: string, appointmentId: string, body: { startsAt?: string; durationMinutes?: number; clinicianId?: string }) =>
    api.patch<Appointment>(`${client(id)}/appointments/${enc(appointmentId)}`, body),
  recordAttendance: (id: string, appointmentId: string, body: Attendance) =>
    api.post<Appointment>(`${client(id)}/appointments/${enc(appointmentId)}/attendance`, body),
  /** Alerts the caller may see (issue 4's list; issue 5 adds the lifecycle). */
  alerts: (params: { status?: 'open' | 'acknowledged' | 'resolved' | 'active' | 'all'; limit?: number; cursor?: string }) =>
    api.get<{ items: Alert[]; nextCursor: string | null }>(`/api/v1/alerts${qs(params)}`),
  clientAlerts: (id: string) => api.get<{ items: AlertFull[]; nextCursor: string | null }>(`${client(id)}/alerts${qs({ limit: 100 })}`),
  alertsFull: (params: { status?: 'open' | 'acknowledged' | 'resolved' | 'active' | 'all'; urgent?: 'true' | 'false'; limit?: number; cursor?: string }) =>
    api.get<{ items: AlertFull[]; nextCursor: string | null }>(`/api/v1/alerts${qs(params)}`),
  acknowledgeAlert: (id: string, alertId: string) => api.post<AlertFull>(`${client(id)}/alerts/${enc(alertId)}/acknowledge`),
  resolveAlert: (id: string, alertId: string, body: { action: ResolutionAction; note: string }) => api.post<AlertFull>(`${client(id)}/alerts/${enc(alertId)}/resolve`, body),

  // Alliance and outcomes (issue 5)
  alliance: (id: string) => api.get<Alliance>(`${client(id)}/alliance`),
  trajectory: (id: string, instrumentId: string) => api.get<Trajectory>(`${client(id)}/trajectories${qs({ instrumentId })}`),
  dropoutRisk: (id: string) => api.get<DropoutRisk>(`${client(id)}/dropout-risk`),
  pendingRatings: (id: string) => api.get<{ items: PendingRating[] }>(`${client(id)}/ratings/pending`),
  rate: (id: string, assignmentId: string, body: { submissionId: string; answers: Record<string, Record<string, number | null>> }) =>
    api.post<SessionRating>(`${client(id)}/assignments/${enc(assignmentId)}/rating`, body),
  skipRating: (id: string, assignmentId: string) => api.post<SessionRating>(`${client(id)}/assignments/${enc(assignmentId)}/rating/skip`),
  calibration: () => api.get<Calibration>('/api/v1/me/calibration'),
  /** A client's completed responses with their item answers, newest first (issue 6). */
  responses: (id: string, params: { instrumentId?: string; limit?: number; cursor?: string } = {}) =>
    api.get<{ items: ClientResponse[]; nextCursor: string | null }>(`${client(id)}/responses${qs(params)}`),
  markDiscussed: (id: string, responseId: string, body: { note?: string }) => api.post<Omit<ResponseDiscussion, 'discussedByName'> & { responseId: string }>(`${client(id)}/responses/${enc(responseId)}/discussed`, body),
  /** A therapist's report for a supervisor or admin: 404 unless that therapist shares it. */
  therapistCalibration: (userId: string) => api.get<Calibration>(`/api/v1/users/${enc(userId)}/calibration`),

  // Reports (issue 7): the same scope for the JSON and the CSV download.
  outcomeReport: (scope: OutcomeReportScope) => api.get<OutcomeReport>(`/api/v1/reports/outcomes${qs(scope)}`),
  /** A plain link (the session cookie goes with it), so the browser downloads the file itself. */
  outcomeReportCsvUrl: (scope: OutcomeReportScope) => `/api/v1/reports/outcomes.csv${qs(scope)}`,
  // Questionnaires
  instruments: () => api.get<{ items: InstrumentSummary[] }>('/api/v1/instruments'),
  instrument: (instrumentId: string) => api.get<InstrumentDetail>(`/api/v1/instruments/${enc(instrumentId)}`),
  assignments: (id: string) => api.get<{ items: Assignment[] }>(`${client(id)}/assignments`),
  assign: (id: string, body: { instrumentIds: string[]; episodeId?: string; appointmentId?: string; channel?: AssignmentChannel; scheduledFor?: string }) =>
    api.post<{ assignment: Assignment; sendAt: string | null }>(`${client(id)}/assignments`, body),
  cancelAssignment: (id: string, assignmentId: string) => api.post<Assignment>(`${client(id)}/assignments/${enc(assignmentId)}/cancel`),
  resendAssignment: (id: string, assignmentId: string) => api.post<{ assignment: Assignment; sendAt: string | null }>(`${client(id)}/assignments/${enc(assignmentId)}/resend`),
  kioskCode: (id: string, assignmentId: string) => api.post<{ code: string; expiresAt: string }>(`${client(id)}/assignments/${enc(assignmentId)}/kiosk-code`),
  startInSession: (id: string, assignmentId: string) => api.post<{ url: string }>(`${client(id)}/assignments/${enc(assignmentId)}/in-session`),

  // Protocols and content (administration)
  protocols: () => api.get<{ items: Protocol[] }>('/api/v1/protocols'),
  createProtocol: (body: { name: string; rules: ProtocolRule[]; programmeId?: string | null }) => api.post<Protocol>('/api/v1/protocols', body),
  updateProtocol: (protocolId: string, body: { name: string; rules: ProtocolRule[]; reminderAfterDays?: Protocol['reminderAfterDays']; expiryDays?: Protocol['expiryDays'] }) =>
    api.put<Protocol>(`/api/v1/protocols/${enc(protocolId)}`, body),
  previewProtocol: (body: { rules: ProtocolRule[]; appointments: { startsAt: string }[]; discharge?: string; reminderAfterDays?: Protocol['reminderAfterDays']; expiryDays?: Protocol['expiryDays'] }) => api.post<{ items: PreviewItem[] }>('/api/v1/protocols/preview', body),
  contentPacks: () => api.get<{ items: ContentPack[] }>('/api/v1/content-packs'),
  uploadContentPack: (body: unknown) => api.post<ContentPack>('/api/v1/content-packs', body),
  customInstruments: () => api.get<{ items: CustomInstrument[] }>('/api/v1/custom-instruments'),
  uploadCustomInstrument: (body: unknown) => api.post<CustomInstrument>('/api/v1/custom-instruments', body),
  /** A CSV or iCal import, with upload and row progress (XMLHttpRequest: see api/upload.ts). */
  importFile: uploadImport,

  day: (date: string, clinicianId?: string) =>
    api.get<{ date: string; timeZone: string; items: DayAppointment[] }>(`/api/v1/appointments${qs({ date, clinicianId })}`),
};
