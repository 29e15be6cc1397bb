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
  urgentEscalationHours: number;
  retentionYears: number;
};
export type Organisation = { id: string; name: string; settings: OrganisationSettings; updatedAt: string };

export type Programme = { id: string; name: string; description: string | null; archivedAt: string | null; createdAt: string };

export type UserStatus = 'invited' | 'active' | 'deactivated';
/** An invitation as its accept screen sees it: someone with an account accepts with its password. */
export type InvitationDetails = { organisationName: string; existingAccount: boolean };

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
  /** False until they accept this clinic's invitation (outstanding, or withdrawn when deactivated). */
  joined: boolean;
  joinedAt: string;
  deactivatedAt: string | null;
};

export type ClientSummary = { id: string; givenName: string; familyName: string; preferredName: string | null; status: string };

/** Issue 6: the caseload, one request for the whole list (GET /api/v1/caseload). */
export type AttentionTier = 'urgent' | 'alerts' | 'due' | 'routine';
export type CaseloadQuery = {
  q?: string;
  status?: 'active' | 'inactive' | 'all';
  attention?: 'urgent' | 'alerts' | 'due' | 'all';
  programmeId?: string;
  /** A staff member's id, or `all` (supervisors and admins); the caller's own caseload when absent. */
  therapistId?: string;
  limit?: number;
  offset?: number;
};
export type AllianceSide = { score: number; percent: number };
export type CaseloadItem = {
  client: ClientSummary;
  episode: { id: string; startedOn: string; presentingProblem: string | null; programme: { id: string; name: string } | null } | null;
  attention: { tier: AttentionTier; rank: number };
  alerts: { urgent: number; other: number };
  questionnaires: { due: number; overdue: number };
  nextAppointment: { id: string; startsAt: string; kind: string } | null;
  lastScores: { instrumentId: string; name: string; score: number; band: { id: string; label: string } | null; submittedAt: string }[];
  alliance: {
    clientInstrumentId: string;
    points: { appointmentId: string | null; date: string; client: AllianceSide | null; clientHidden: boolean; therapist: AllianceSide | null }[];
    gapTrend: string;
  } | null;
  ratingOwed: { assignmentId: string; appointmentId: string; dueSince: string } | null;
  todaySession: { appointmentId: string; startsAt: string; status: string; rating: 'rated' | 'skipped' | 'owed' | 'not_rated' } | null;
};
export type Caseload = { items: CaseloadItem[]; total: number; nextOffset: number | null; asOf: string };
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

// ---- Issue 5/6: alliance, trajectories, ratings, calibration, protocols, instruments ----
export const RESOLUTION_ACTIONS = ['discussed_with_client', 'safety_plan', 'referral', 'changed_approach', 'other'] as const;
export type ResolutionAction = (typeof RESOLUTION_ACTIONS)[number];
export type AlertFull = Alert & {
  rulesVersion?: string;
  acknowledgedBy?: string | null;
  resolvedBy?: string | null;
  resolvedAt?: string | null;
  resolutionAction?: string | null;
  resolutionNote?: string | null;
  escalatedAt?: string | null;
};

export type Band = { id: string; label: string; min: number; max: number };
export type TrajectoryPoint = {
  sessionNumber: number;
  responseId: string;
  appointmentId: string | null;
  date: string;
  score: number;
  band: { id: string; label: string } | null;
  isCase: boolean | null;
  reliableChange: { direction: 'improved' | 'deteriorated' | 'unchanged'; change: number; threshold: number; method: string } | null;
  expected: { expected: number; upperBound: number | null; lowerBound: number | null; status: string; source: string } | null;
};
export type Trajectory = {
  clientId: string;
  episodeId: string;
  instrumentId: string;
  range: { min: number; max: number };
  direction: string;
  bands: Band[];
  caseness: { operator: string; value: number } | null;
  points: TrajectoryPoint[];
  expectedBand: Record<string, unknown> | null;
  rulesVersion: string;
};

export type RatingSide = { responseId: string; score: number; percent: number; submittedAt: string };
export type ItemGap = { clientItemId: string; therapistItemId: string; clientPercent: number | null; therapistPercent: number | null; gapPercent: number | null; direction: string };
export type RuptureEvidence = {
  sessionNumber?: number;
  level?: string;
  id?: string;
  rupture: 'none' | 'lenient' | 'strict';
  rule: string;
  score: number | null;
  priorMean: number | null;
  lenientThreshold: number | null;
  strictThreshold: number | null;
  repair: { status: 'repaired' | 'unrepaired' | 'pending'; repairedAt: number | null } | null;
};
export type AllianceSession = {
  sessionNumber: number;
  appointmentId: string | null;
  date: string;
  client: RatingSide | null;
  clientHidden: boolean;
  therapist: (RatingSide & { userId: string }) | null;
  gap: { therapistMinusClientPercent: number; direction: string; therapistAboveAlert: boolean; thresholdPercent: number; items: ItemGap[] } | null;
  rupture: RuptureEvidence | null;
};
export type AllianceMeasure = {
  clientInstrumentId: string;
  therapistInstrumentId: string;
  range: { min: number; max: number };
  sessions: AllianceSession[];
  ruptures: RuptureEvidence[];
  gapTrend: { label: string } & Record<string, unknown>;
};
export type Alliance = {
  clientId: string;
  ratingsOwed: { appointmentId: string; blindUntil: string }[];
  episodes: { episodeId: string; startedOn: string; endedOn: string | null; measures: AllianceMeasure[] }[];
  rulesVersion: string;
};

export type PendingRating = { assignmentId: string; appointmentId: string | null; appointmentStartsAt: string | null; episodeId: string | null; instrumentIds: string[]; dueSince: string; blindUntil: string };
/** One answer of a completed response (issue 6): wording only where the licence or the clinic's pack allows it. */
export type ResponseItem = {
  itemId: string;
  number: number;
  text: Localised | null;
  value: number | null;
  answerLabel: Localised | null;
  scored: boolean;
  risk: { kind: string; threshold: number; clinicalSafety: boolean } | null;
  endorsed: boolean;
  riskUnanswered: boolean;
};
export type ResponseDiscussion = { discussedBy: string; discussedByName: string | null; discussedAt: string; note: string | null };
export type ClientResponse = {
  id: string;
  instrument: { id: string; version: string; shortName: string; name: string };
  respondent: 'client' | 'clinician';
  respondentUserId: string | null;
  respondentName: string | null;
  completedAt: string;
  episodeId: string | null;
  appointment: { id: string; startsAt: string } | null;
  supersedesId: string | null;
  scores: { total: number | null; band: { id: string; label: string } | null; prorated: boolean | null; complete: boolean | null; subscales: { id: string; label: string; score: number | null; band: { id: string; label: string } | null }[] };
  items: ResponseItem[];
  flags: { riskEndorsed: boolean; riskUnanswered: boolean; items: { kind: string; itemId: string | null; riskKind: string | null }[] };
  discussion: ResponseDiscussion | null;
};
export type SessionRating = { assignmentId: string; outcome: 'rated' | 'skipped'; skipReason: string | null; blind: boolean | null; responseIds: string[]; alertIds: string[]; decidedAt: string };

export type Localised = Record<string, string>;
export type InstrumentItem = { id: string; text: Localised; response: { kind: string; options?: { value: number; label: Localised }[] }; required?: boolean };
export type InstrumentDetail = { id: string; version: string; definition: { id: string; names: { short: string; full: string }; stem?: Localised; items: InstrumentItem[] } };
export type InstrumentSummary = { id: string; shortName: string; name: string; respondent: string; itemCount: number; direction: string; range: { min: number; max: number }; licenceStatus: string; validated: boolean; source: string; wordingAvailable: boolean };

export type Assignment = {
  id: string;
  clientId: string;
  episodeId: string | null;
  appointmentId: string | null;
  instrumentIds: string[];
  respondent: 'client' | 'clinician';
  channel: AssignmentChannel;
  status: string;
  scheduledFor: string;
  sentAt: string | null;
  completedAt: string | null;
  /** Present in API answers; optional so older fixtures stay valid. */
  expiresAt?: string | null;
  cancelledAt?: string | null;
  cancelReason?: string | null;
  deliveryProblem?: 'no_consented_channel' | null;
  messages?: { kind: string; channel: 'email' | 'sms'; status: string; sentAt: string | null }[];
};
/** How a new questionnaire reaches the client: by a message (`link` = email or SMS, whichever is consented), or not sent at all. */
export type AssignmentChannel = 'link' | 'email' | 'sms' | 'in_session' | 'kiosk';

export type CalibrationStats = {
  n: number;
  meanGap: number | null;
  sdGap: number | null;
  confidenceInterval: { lower: number; upper: number; level: number } | null;
  therapistAboveCount: number;
  therapistAboveShare: number | null;
  correlation: number | null;
};
export type CalibrationReport = { thresholdPercent: number; overall: CalibrationStats; byMonth: (CalibrationStats & { month: string })[] };
/** The signed-in person's own settings in this clinic (`/api/v1/me/settings`). */
export type MySettings = {
  locale: Locale;
  calibrationConsent: boolean;
  /** Their own mobile for urgent-alert texts (E.164), shown only to them. */
  alertMobile: string | null;
  smsUrgentAlerts: boolean;
  smsUrgentAlertsSetAt: string | null;
  /** False when the server has no SMS provider: the number is kept but no text goes out. */
  smsAvailable: boolean;
};
/** One stored version of a clinic's own instrument (`/api/v1/custom-instruments`). */
export type CustomInstrument = {
  id: string;
  instrumentId: string;
  version: number;
  current: boolean;
  uploadedAt: string;
  uploadedBy: string | null;
  uploadedByName: string | null;
  definitionVersion: string;
  shortName: string;
  name: string;
  respondent: 'client' | 'clinician';
  itemCount: number;
};
export type Calibration = { userId: string; report: CalibrationReport; organisation: (CalibrationReport & { therapists: number }) | null; minTherapists: number; rulesVersion: string };

export type DropoutRisk = { score: number; level: 'low' | 'medium' | 'high'; contributions: { factor: string; points: number; detail: string }[]; note: string };

// ---- Issue 7: the outcome report (GET /api/v1/reports/outcomes) ----
export type ReportRate = { numerator: number; denominator: number; rate: number | null };
export type ReportChange = { instrumentId: string; n: number; meanFirst: number | null; meanLast: number | null; meanChange: number | null; sdFirst: number | null; effectSize: number | null };
export type ReportTherapistGroup = { therapistId: string | null; name: string | null; pooled: boolean; therapists: number };
/** `reasonCode`: why unnamed therapists are not shown — too few to pool, or a report filtered to one therapist who did not consent. */
export type ReportPool = { pooledTherapists: number; shown: boolean; reasonCode: 'pool_too_small' | 'therapist_not_consented' | null; reason: string | null };
export type OutcomeReportScope = { from: string; to: string; programmeId?: string | undefined; clinicianId?: string | undefined };
export type OutcomeReport = {
  scope: { from: string; to: string; programmeId: string | null; clinicianId: string | null };
  talkingTherapies: {
    endedEpisodes: number;
    finishedCourses: number;
    finishedWithoutPairedScores: number;
    finishedWithPairedScores: number;
    notAtCaseness: number;
    recovery: ReportRate;
    reliableImprovement: ReportRate;
    reliableRecovery: ReportRate;
    reliableDeterioration: ReportRate;
    dropout: ReportRate;
  };
  jacobsonTruax: { available: boolean; categories: { category: string; count: number }[] };
  change: ReportChange[];
  changeByTherapist: (ReportTherapistGroup & ReportChange)[];
  changeByTherapistPool: ReportPool;
  adherence: { sent: number; completed: number; expired: number; completion: ReportRate; sessionsRated: ReportRate };
  alertAcknowledgement: { raised: number; acknowledged: number; medianHours: number | null; p90Hours: number | null };
  discussedWithClient: { available: boolean; share: ReportRate };
  allianceByTherapist: (ReportTherapistGroup & { clientForm: string; sessions: number; meanClientAlliance: number | null; pairedSessions: number; meanGap: number | null })[];
  alliancePool: ReportPool;
};

/** Imports (issue 7 item 7): the report of one CSV or iCal upload, row by row. */
export type ImportKind = 'clients' | 'appointments' | 'scores';
export type ImportMode = 'all-or-nothing' | 'valid-only';
export type ImportProblem = { row: number; column: string | null; code: string; message: string };
export type ImportReport = {
  importId: string;
  kind: ImportKind;
  format: 'csv' | 'ical';
  mode: ImportMode;
  dryRun: boolean;
  rows: number;
  valid: number;
  invalid: number;
  duplicates: number;
  imported: number;
  errors: ImportProblem[];
  moreErrors: number;
};
