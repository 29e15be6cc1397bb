/**
 * The one schema module. Every tenant-owned table carries `org_id` (the distribution key if a
 * deployment is ever sharded by tenant) and every query filters by it. Migrations are generated
 * from this file by drizzle-kit into `packages/server/drizzle/` and then frozen.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const id = () => uuid('id').primaryKey().defaultRandom();
const orgId = () =>
  uuid('org_id')
    .notNull()
    .references(() => organisations.id);
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const ts = (name: string) => timestamp(name, { withTimezone: true });

export const roles = ['admin', 'supervisor', 'clinician'] as const;
export type Role = (typeof roles)[number];

/** Organisation settings; validated by `organisationSettingsSchema` before they are stored. */
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
  /** Hours an urgent alert may stay unacknowledged before it escalates to the supervisors (issue 5; default 4). */
  urgentEscalationHours: number;
  /** Years after a client's last activity (all episodes closed) before the daily job erases them (issue 7 item 8; default 8). */
  retentionYears: number;
};

export const organisations = pgTable('organisations', {
  id: id(),
  name: text('name').notNull(),
  settings: jsonb('settings').$type<OrganisationSettings>().notNull(),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const programmes = pgTable(
  'programmes',
  {
    id: id(),
    orgId: orgId(),
    name: text('name').notNull(),
    description: text('description'),
    archivedAt: ts('archived_at'),
    createdAt: createdAt(),
  },
  (t) => [index('programmes_org_idx').on(t.orgId, t.name)],
);

/** A person who can sign in. Identity is global; what they may do is per organisation (memberships). */
export const users = pgTable(
  'users',
  {
    id: id(),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash'),
    /** TOTP seed, encrypted with the server key (AES-256-GCM), never stored in the clear. */
    mfaSecret: text('mfa_secret'),
    mfaEnabledAt: ts('mfa_enabled_at'),
    /** The 30-second TOTP step of the last code accepted: a code is good once (RFC 6238 §5.2). */
    mfaLastStep: integer('mfa_last_step'),
    locale: text('locale').notNull().default('en'),
    createdAt: createdAt(),
    passwordChangedAt: ts('password_changed_at'),
    /** Their own mobile (E.164) for urgent-alert SMS, set by themselves. Personal data: never logged. */
    alertMobile: text('alert_mobile'),
    /** Their consent to be texted when an urgent item waits (issue 4 item 7), and when they last gave or withdrew it. */
    smsUrgentAlerts: boolean('sms_urgent_alerts').notNull().default(false),
    smsUrgentAlertsSetAt: ts('sms_urgent_alerts_set_at'),
  },
  (t) => [uniqueIndex('users_email_idx').on(t.email)],
);

export const memberships = pgTable(
  'memberships',
  {
    id: id(),
    orgId: orgId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role').$type<Role>().notNull(),
    status: text('status').$type<'invited' | 'active' | 'deactivated'>().notNull().default('active'),
    experienceYears: smallint('experience_years'),
    trainee: boolean('trainee').notNull().default(false),
    /** The therapist lets supervisors see their alliance calibration report. */
    calibrationConsent: boolean('calibration_consent').notNull().default(false),
    /**
     * The name the inviting admin typed, shown as this member's name until they accept: the account
     * (its own name, its MFA) may belong to another clinic and is not this one's to see before they
     * join. Null once accepted; a membership with it set has never been joined.
     */
    invitedDisplayName: text('invited_display_name'),
    createdAt: createdAt(),
    deactivatedAt: ts('deactivated_at'),
  },
  (t) => [uniqueIndex('memberships_org_user_idx').on(t.orgId, t.userId), index('memberships_user_idx').on(t.userId)],
);

export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    codeHash: text('code_hash').notNull(),
    usedAt: ts('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
);

/** Staff sessions. Only the SHA-256 of the cookie token is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    tokenHash: text('token_hash').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    orgId: orgId(),
    /** 'mfa' = password accepted, second factor outstanding; 'enrol' = must set up MFA first. */
    stage: text('stage').$type<'full' | 'mfa' | 'enrol'>().notNull(),
    createdAt: createdAt(),
    lastSeenAt: ts('last_seen_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('sessions_token_idx').on(t.tokenHash), index('sessions_user_idx').on(t.userId)],
);

/**
 * Failed sign-ins and wrong second-factor codes, for the lock-out. Counted per submitted email
 * address (an HMAC of it with the server key, so the table does not list addresses), not per
 * account: an address without an account locks exactly as one with an account, so the lock-out
 * does not tell who has one. Rows older than the lock-out window are deleted as failures arrive.
 */
export const signInFailures = pgTable(
  'sign_in_failures',
  {
    id: id(),
    emailKey: text('email_key').notNull(),
    at: ts('at').notNull(),
  },
  (t) => [index('sign_in_failures_email_idx').on(t.emailKey, t.at), index('sign_in_failures_at_idx').on(t.at)],
);

/** Single-use emailed tokens: invitations and password resets. */
export const userTokens = pgTable(
  'user_tokens',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    orgId: uuid('org_id').references(() => organisations.id),
    kind: text('kind').$type<'invite' | 'password_reset'>().notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('user_tokens_hash_idx').on(t.tokenHash)],
);

export const clients = pgTable(
  'clients',
  {
    id: id(),
    orgId: orgId(),
    givenName: text('given_name').notNull(),
    familyName: text('family_name').notNull(),
    preferredName: text('preferred_name'),
    email: text('email'),
    mobile: text('mobile'),
    language: text('language').notNull().default('en'),
    timeZone: text('time_zone'),
    dateOfBirth: date('date_of_birth'),
    status: text('status').$type<'active' | 'inactive'>().notNull().default('active'),
    externalRef: text('external_ref'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    /** Set by the one erasure path (`features/lifecycle/erasure.ts`): the row is then a tombstone (id, org, this). */
    erasedAt: ts('erased_at'),
  },
  (t) => [index('clients_org_name_idx').on(t.orgId, t.familyName, t.givenName, t.id)],
);

/** Consent per contact channel, as a history: the latest row per channel is in force. */
export const clientConsents = pgTable(
  'client_consents',
  {
    id: id(),
    orgId: orgId(),
    clientId: uuid('client_id')
      .notNull()
      .references(() => clients.id),
    channel: text('channel').$type<'email' | 'sms'>().notNull(),
    granted: boolean('granted').notNull(),
    recordedBy: uuid('recorded_by').references(() => users.id),
    /** 'staff' when recorded by a user, 'client' when the client opted out themselves. */
    source: text('source').$type<'staff' | 'client'>().notNull().default('staff'),
    note: text('note'),
    recordedAt: ts('recorded_at').notNull(),
  },
  (t) => [index('client_consents_client_idx').on(t.orgId, t.clientId, t.channel, t.recordedAt)],
);

export const careTeamMembers = pgTable(
  'care_team_members',
  {
    orgId: orgId(),
    clientId: uuid('client_id')
      .notNull()
      .references(() => clients.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    addedAt: ts('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.userId] }), index('care_team_user_idx').on(t.orgId, t.userId)],
);

export const episodeEndReasons = ['completed', 'dropped_out', 'referred_on'] as const;

export const episodes = pgTable(
  'episodes',
  {
    id: id(),
    orgId: orgId(),
    clientId: uuid('client_id')
      .notNull()
      .references(() => clients.id),
    programmeId: uuid('programme_id').references(() => programmes.id),
    primaryClinicianId: uuid('primary_clinician_id')
      .notNull()
      .references(() => users.id),
    presentingProblem: text('presenting_problem'),
    startedOn: date('started_on').notNull(),
    endedOn: date('ended_on'),
    endReason: text('end_reason').$type<(typeof episodeEndReasons)[number]>(),
    createdAt: createdAt(),
  },
  (t) => [index('episodes_client_idx').on(t.orgId, t.clientId)],
);

export const appointmentStatuses = ['scheduled', 'attended', 'cancelled', 'did_not_attend'] as const;

export const appointments = pgTable(
  'appointments',
  {
    id: id(),
    orgId: orgId(),
    clientId: uuid('client_id')
      .notNull()
      .references(() => clients.id),
    episodeId: uuid('episode_id').references(() => episodes.id),
    clinicianId: uuid('clinician_id')
      .notNull()
      .references(() => users.id),
    startsAt: ts('starts_at').notNull(),
    durationMinutes: smallint('duration_minutes').notNull().default(50),
    kind: text('kind').$type<'assessment' | 'treatment' | 'follow_up'>().notNull().default('treatment'),
    status: text('status').$type<(typeof appointmentStatuses)[number]>().notNull().default('scheduled'),
    cancelledBy: text('cancelled_by').$type<'client' | 'clinic'>(),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('appointments_client_idx').on(t.orgId, t.clientId, t.startsAt),
    index('appointments_clinician_idx').on(t.orgId, t.clinicianId, t.startsAt),
  ],
);

/**
 * Append-only audit trail: ids, never names. A trigger refuses UPDATE and DELETE. `org_id` is
 * nullable only for events before anyone is known (a failed sign-in for an unknown address).
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgId: uuid('org_id').references(() => organisations.id),
    actorKind: text('actor_kind').$type<'user' | 'system' | 'client_link' | 'kiosk' | 'api_token' | 'anonymous'>().notNull(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    clientId: uuid('client_id'),
    entityType: text('entity_type'),
    entityId: text('entity_id'),
    requestId: text('request_id'),
    outcome: text('outcome').$type<'success' | 'denied' | 'failure'>().notNull(),
    at: ts('at').notNull(),
  },
  (t) => [index('audit_events_client_idx').on(t.orgId, t.clientId, t.id), index('audit_events_org_idx').on(t.orgId, t.id)],
);

/** The hash chain over each organisation's audit events, written by the sealing job; append-only too. */
export const auditSeals = pgTable(
  'audit_seals',
  {
    eventId: bigint('event_id', { mode: 'number' })
      .primaryKey()
      .references(() => auditEvents.id),
    /** '' for events with no organisation: they form their own chain. */
    chainKey: text('chain_key').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    sealedAt: ts('sealed_at').notNull(),
  },
  (t) => [index('audit_seals_chain_idx').on(t.chainKey, t.eventId)],
);

/**
 * Durable background work. A job is claimed with `FOR UPDATE SKIP LOCKED`, so several worker
 * processes never run the same job; `key` is unique so the same work is never queued twice.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgId: uuid('org_id'),
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    runAt: ts('run_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(8),
    lockedUntil: ts('locked_until'),
    lockedBy: text('locked_by'),
    lastError: text('last_error'),
    doneAt: ts('done_at'),
    failedAt: ts('failed_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('jobs_key_idx').on(t.key), index('jobs_due_idx').on(t.runAt).where(sql`done_at IS NULL AND failed_at IS NULL`)],
);

// ---------------------------------------------------------------------------------------------
// Delivery: protocols, assignments, links, kiosk devices, responses, alerts, content packs.
// ---------------------------------------------------------------------------------------------

/** When a protocol rule fires. Times follow the client's time zone (the organisation's by default). */
export type ProtocolTrigger =
  | { kind: 'intake' }
  | { kind: 'before_each'; hoursBefore: number }
  | { kind: 'after_each_attended' }
  | { kind: 'every_nth'; n: number }
  | { kind: 'discharge' };

/** One line of a protocol: which instruments (a bundle), from whom, and when. */
export type ProtocolRule = {
  /** Stable within the protocol; part of each assignment's idempotency key. */
  id: string;
  instrumentIds: string[];
  respondent: 'client' | 'clinician';
  trigger: ProtocolTrigger;
};

/**
 * A measurement protocol. `programme_id` null and `episode_id` null = the organisation's default;
 * a programme's protocol overrides it; an episode's protocol overrides both.
 */
export const protocols = pgTable(
  'protocols',
  {
    id: id(),
    orgId: orgId(),
    programmeId: uuid('programme_id').references(() => programmes.id),
    episodeId: uuid('episode_id').references(() => episodes.id),
    name: text('name').notNull(),
    rules: jsonb('rules').$type<ProtocolRule[]>().notNull(),
    /** Days after sending: null = the organisation's setting, 0 = no reminder, 1–30 = days (API: `"organisation"`, null, n). */
    reminderAfterDays: smallint('reminder_after_days'),
    /** Days after sending: null = the organisation's setting, 0 = never, 1–30 = days. Clinician questionnaires never expire. */
    expiryDays: smallint('expiry_days'),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    archivedAt: ts('archived_at'),
  },
  (t) => [index('protocols_org_idx').on(t.orgId, t.programmeId, t.episodeId)],
);

export const assignmentStatuses = ['scheduled', 'sent', 'opened', 'in_progress', 'completed', 'expired', 'cancelled'] as const;
export type AssignmentStatus = (typeof assignmentStatuses)[number];
export const channels = ['email', 'sms', 'kiosk', 'in_session', 'link'] as const;
export type Channel = (typeof channels)[number];
/**
 * Why an assignment was cancelled: by a staff member, its appointment was cancelled or missed,
 * (still scheduled) the protocol rule that made it was removed or changed, its protocol archived, or
 * the episode now follows another protocol; the client stopped check-ins (every open questionnaire
 * of theirs), or the therapist skipped their rating of the session. A plain text column: adding a
 * reason needs no migration.
 */
export const assignmentCancelReasons = ['staff', 'appointment_cancelled', 'rule_removed', 'rule_changed', 'protocol_archived', 'protocol_replaced', 'client_opted_out', 'rating_skipped'] as const;
export type AssignmentCancelReason = (typeof assignmentCancelReasons)[number];

/** One questionnaire (or bundle) due from one respondent, usually for one appointment. */
export const assignments = pgTable(
  'assignments',
  {
    id: id(),
    orgId: orgId(),
    clientId: uuid('client_id')
      .notNull()
      .references(() => clients.id),
    episodeId: uuid('episode_id').references(() => episodes.id),
    appointmentId: uuid('appointment_id').references(() => appointments.id),
    protocolId: uuid('protocol_id').references(() => protocols.id),
    /** `<protocol rule id>:<trigger instance>` for protocol-made assignments; unique per client, so a protocol never makes the same one twice. */
    dedupeKey: text('dedupe_key'),
    instrumentIds: jsonb('instrument_ids').$type<string[]>().notNull(),
    respondent: text('respondent').$type<'client' | 'clinician'>().notNull(),
    /** For clinician questionnaires (the therapist's alliance rating): who must answer. */
    respondentUserId: uuid('respondent_user_id').references(() => users.id),
    channel: text('channel').$type<Channel>().notNull(),
    status: text('status').$type<AssignmentStatus>().notNull().default('scheduled'),
    scheduledFor: ts('scheduled_for').notNull(),
    sentAt: ts('sent_at'),
    openedAt: ts('opened_at'),
    completedAt: ts('completed_at'),
    expiresAt: ts('expires_at'),
    cancelledAt: ts('cancelled_at'),
    cancelReason: text('cancel_reason').$type<AssignmentCancelReason>(),
    reminderAfterDays: smallint('reminder_after_days'),
    expiryDays: smallint('expiry_days'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('assignments_client_idx').on(t.orgId, t.clientId, t.createdAt),
    index('assignments_due_idx').on(t.status, t.scheduledFor),
    uniqueIndex('assignments_dedupe_idx').on(t.clientId, t.dedupeKey),
  ],
);

/** Secure links: a random token (≥128 bits) per message sent, stored hashed; valid while its assignment is open. */
export const assignmentLinks = pgTable(
  'assignment_links',
  {
    id: id(),
    orgId: orgId(),
    assignmentId: uuid('assignment_id')
      .notNull()
      .references(() => assignments.id),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('assignment_links_hash_idx').on(t.tokenHash), index('assignment_links_assignment_idx').on(t.assignmentId)],
);

/** The short session a link, kiosk code or in-session hand-off is exchanged for; scoped to one assignment. */
export const linkSessions = pgTable(
  'link_sessions',
  {
    id: id(),
    orgId: orgId(),
    assignmentId: uuid('assignment_id')
      .notNull()
      .references(() => assignments.id),
    tokenHash: text('token_hash').notNull(),
    via: text('via').$type<'link' | 'kiosk' | 'in_session'>().notNull(),
    createdAt: createdAt(),
    lastSeenAt: ts('last_seen_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    endedAt: ts('ended_at'),
  },
  (t) => [uniqueIndex('link_sessions_hash_idx').on(t.tokenHash), index('link_sessions_assignment_idx').on(t.assignmentId)],
);

/** A clinic's kiosk device (waiting-room tablet), known by a long random device token in a cookie. */
export const kioskDevices = pgTable(
  'kiosk_devices',
  {
    id: id(),
    orgId: orgId(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    failedAttempts: smallint('failed_attempts').notNull().default(0),
    lockedAt: ts('locked_at'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('kiosk_devices_hash_idx').on(t.tokenHash)],
);

/** 6-digit kiosk codes: the one short secret. HMAC-hashed with the server key, 30 minutes, single use. */
export const kioskCodes = pgTable(
  'kiosk_codes',
  {
    id: id(),
    orgId: orgId(),
    assignmentId: uuid('assignment_id')
      .notNull()
      .references(() => assignments.id),
    codeHash: text('code_hash').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('kiosk_codes_lookup_idx').on(t.orgId, t.codeHash)],
);

export type ResponseFlag = { kind: string; itemId?: string; [key: string]: unknown };

/**
 * Answers to one instrument. Append-only once completed (a trigger refuses changes to completed
 * rows); corrections are new rows that point at what they supersede. An `in_progress` row holds
 * autosaved answers. `submission_id` is generated by the client page, so a retried submit never
 * makes a second response.
 */
export const responses = pgTable(
  'responses',
  {
    id: id(),
    orgId: orgId(),
    clientId: uuid('client_id')
      .notNull()
      .references(() => clients.id),
    assignmentId: uuid('assignment_id').references(() => assignments.id),
    episodeId: uuid('episode_id').references(() => episodes.id),
    appointmentId: uuid('appointment_id').references(() => appointments.id),
    instrumentId: text('instrument_id').notNull(),
    instrumentVersion: text('instrument_version').notNull(),
    respondent: text('respondent').$type<'client' | 'clinician'>().notNull(),
    respondentUserId: uuid('respondent_user_id').references(() => users.id),
    status: text('status').$type<'in_progress' | 'completed'>().notNull(),
    submissionId: uuid('submission_id'),
    answers: jsonb('answers').$type<Record<string, number | null>>().notNull(),
    complete: boolean('complete'),
    /** Exact value (a prorated total keeps its decimals). */
    total: text('total').$type<string>(),
    subscales: jsonb('subscales').$type<Record<string, unknown>>(),
    bandId: text('band_id'),
    bandLabel: text('band_label'),
    flags: jsonb('flags').$type<ResponseFlag[]>(),
    prorated: boolean('prorated'),
    scoreDetail: jsonb('score_detail').$type<Record<string, unknown>>(),
    scorerVersion: text('scorer_version'),
    channel: text('channel').$type<Channel>(),
    supersedesId: uuid('supersedes_id'),
    startedAt: ts('started_at').notNull(),
    submittedAt: ts('submitted_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('responses_client_idx').on(t.orgId, t.clientId, t.instrumentId, t.submittedAt),
    /** The research export reads completed responses in (submitted_at, id) batches (keyset pagination). */
    index('responses_export_idx').on(t.orgId, t.submittedAt, t.id).where(sql`status = 'completed'`),
    /** "Has a correction superseded this response?" (reports and lists leave superseded rows out): only the few corrections are in it, so the check is an index probe instead of a pass over every response. */
    index('responses_supersedes_idx').on(t.supersedesId).where(sql`supersedes_id is not null`),
    uniqueIndex('responses_submission_idx').on(t.submissionId, t.instrumentId),
    uniqueIndex('responses_in_progress_idx').on(t.assignmentId, t.instrumentId).where(sql`status = 'in_progress'`),
  ],
);

export const alertKinds = [
  'risk_item',
  'reliable_deterioration',
  'not_on_track',
  'low_alliance',
  'alliance_rupture',
  'therapist_over_client',
  'missed_questionnaires',
  'stopped_checkins',
  'dropout_risk',
] as const;
export type AlertKind = (typeof alertKinds)[number];

/** A clinical alert with its lifecycle. `evidence_key` makes an alert unique per piece of evidence. */
export const alerts = pgTable(
  'alerts',
  {
    id: id(),
    orgId: orgId(),
    clientId: uuid('client_id')
      .notNull()
      .references(() => clients.id),
    episodeId: uuid('episode_id').references(() => episodes.id),
    responseId: uuid('response_id').references(() => responses.id),
    kind: text('kind').$type<AlertKind>().notNull(),
    urgent: boolean('urgent').notNull().default(false),
    status: text('status').$type<'open' | 'acknowledged' | 'resolved'>().notNull().default('open'),
    evidenceKey: text('evidence_key').notNull(),
    evidence: jsonb('evidence').$type<Record<string, unknown>>().notNull(),
    rulesVersion: text('rules_version').notNull(),
    createdAt: createdAt(),
    acknowledgedBy: uuid('acknowledged_by').references(() => users.id),
    acknowledgedAt: ts('acknowledged_at'),
    resolvedBy: uuid('resolved_by').references(() => users.id),
    resolvedAt: ts('resolved_at'),
    resolutionAction: text('resolution_action'),
    resolutionNote: text('resolution_note'),
    escalatedAt: ts('escalated_at'),
  },
  (t) => [
    uniqueIndex('alerts_evidence_idx').on(t.orgId, t.clientId, t.kind, t.evidenceKey),
    index('alerts_open_idx').on(t.orgId, t.status, t.createdAt),
  ],
);

/** A clinic's licensed wording for a structure-only instrument, or its own custom instrument, versioned. */
export const orgInstruments = pgTable(
  'org_instruments',
  {
    id: id(),
    orgId: orgId(),
    kind: text('kind').$type<'content_pack' | 'custom_instrument'>().notNull(),
    instrumentId: text('instrument_id').notNull(),
    version: integer('version').notNull(),
    document: jsonb('document').$type<Record<string, unknown>>().notNull(),
    uploadedBy: uuid('uploaded_by').references(() => users.id),
    createdAt: createdAt(),
    retiredAt: ts('retired_at'),
  },
  (t) => [uniqueIndex('org_instruments_version_idx').on(t.orgId, t.kind, t.instrumentId, t.version)],
);

/** Messages sent to people, one row per assignment (or alert) and kind: the at-most-once record. */
export const messages = pgTable(
  'messages',
  {
    id: id(),
    orgId: orgId(),
    /** e.g. `assignment:<id>:invite`, `assignment:<id>:reminder`, `alert:<id>:urgent:<userId>`. */
    key: text('key').notNull(),
    channel: text('channel').$type<'email' | 'sms'>().notNull(),
    clientId: uuid('client_id').references(() => clients.id),
    userId: uuid('user_id').references(() => users.id),
    status: text('status').$type<'sending' | 'sent' | 'skipped'>().notNull(),
    skipReason: text('skip_reason'),
    createdAt: createdAt(),
    sentAt: ts('sent_at'),
  },
  (t) => [uniqueIndex('messages_key_idx').on(t.key, t.channel)],
);

/**
 * What became of one therapist rating of a session (issue 5 item 1): one row per clinician
 * assignment, written when the clinician rates it, skips it, or lets 7 days pass (`skipped` with
 * reason `timed_out`). `blind` records whether the rating was given before the client's response
 * for that session was visible to the clinician (null when nothing was rated). See
 * `features/alliance/blind.ts`.
 */
export const sessionRatings = pgTable(
  'session_ratings',
  {
    id: id(),
    orgId: orgId(),
    clientId: uuid('client_id')
      .notNull()
      .references(() => clients.id),
    assignmentId: uuid('assignment_id')
      .notNull()
      .references(() => assignments.id),
    appointmentId: uuid('appointment_id').references(() => appointments.id),
    userId: uuid('user_id').references(() => users.id),
    outcome: text('outcome').$type<'rated' | 'skipped'>().notNull(),
    /** `clinician` (an explicit skip) or `timed_out` (7 days without a rating); null when rated. */
    skipReason: text('skip_reason').$type<'clinician' | 'timed_out'>(),
    blind: boolean('blind'),
    /** The client's response for the same session at the moment of rating, if it had arrived. */
    clientResponseId: uuid('client_response_id').references(() => responses.id),
    therapistResponseId: uuid('therapist_response_id').references(() => responses.id),
    decidedAt: ts('decided_at').notNull(),
  },
  (t) => [uniqueIndex('session_ratings_assignment_idx').on(t.assignmentId), index('session_ratings_client_idx').on(t.orgId, t.clientId)],
);

/** "Discussed with the client": a response's result was talked through in session (issue 5 item 3). Responses are append-only, so this is its own row. */
export const responseDiscussions = pgTable(
  'response_discussions',
  {
    id: id(),
    orgId: orgId(),
    clientId: uuid('client_id')
      .notNull()
      .references(() => clients.id),
    responseId: uuid('response_id')
      .notNull()
      .references(() => responses.id),
    discussedBy: uuid('discussed_by')
      .notNull()
      .references(() => users.id),
    note: text('note'),
    discussedAt: ts('discussed_at').notNull(),
  },
  (t) => [uniqueIndex('response_discussions_response_idx').on(t.responseId)],
);

/**
 * An episode's outcome (issue 5 item 5): the NHS Talking Therapies classification (PHQ-9 with the
 * anxiety measure paired by presenting problem) and the Jacobson–Truax category (CORE-10) from the
 * first and last scores, with the rule versions. One row per episode, recomputed while the episode
 * is open (`provisional`) and written for good when it closes. See `features/outcomes`.
 */
export const episodeOutcomes = pgTable(
  'episode_outcomes',
  {
    id: id(),
    orgId: orgId(),
    clientId: uuid('client_id')
      .notNull()
      .references(() => clients.id),
    episodeId: uuid('episode_id')
      .notNull()
      .references(() => episodes.id),
    /** True while the episode is open or did not finish a course (fewer than two attended treatment sessions). */
    provisional: boolean('provisional').notNull(),
    episodeClosed: boolean('episode_closed').notNull(),
    attendedTreatmentSessions: integer('attended_treatment_sessions').notNull(),
    /** `classifyTalkingTherapiesOutcome` with its inputs, or null when the scores are missing (`talkingTherapiesReason`). */
    talkingTherapies: jsonb('talking_therapies').$type<Record<string, unknown>>(),
    talkingTherapiesReason: text('talking_therapies_reason'),
    /** `clinicalSignificance` on CORE-10 (first → last) with its inputs, or null (`clinicalSignificanceReason`). */
    clinicalSignificance: jsonb('clinical_significance').$type<Record<string, unknown>>(),
    clinicalSignificanceReason: text('clinical_significance_reason'),
    scorerVersion: text('scorer_version').notNull(),
    rulesVersion: text('rules_version').notNull(),
    computedAt: ts('computed_at').notNull(),
  },
  (t) => [uniqueIndex('episode_outcomes_episode_idx').on(t.episodeId), index('episode_outcomes_org_idx').on(t.orgId, t.clientId)],
);

/** What an API token may do (issue 7 item 2). */
export const apiTokenScopes = ['fhir:read', 'fhir:write'] as const;
export type ApiTokenScope = (typeof apiTokenScopes)[number];

/**
 * An organisation-level API token for integrations (FHIR). The secret (256 random bits) is shown
 * once and stored only as its SHA-256 hash; every token expires (at most a year) and can be revoked.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: id(),
    orgId: orgId(),
    name: text('name').notNull(),
    scopes: text('scopes').array().$type<ApiTokenScope[]>().notNull(),
    tokenHash: text('token_hash').notNull(),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_idx').on(t.tokenHash), index('api_tokens_org_idx').on(t.orgId, t.createdAt)],
);
