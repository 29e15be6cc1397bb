import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { ScoreResult } from '@rapport/instruments';
import type { Queryable, Tx } from '../../db/database';
import { alerts, assignments, auditEvents, jobs, orgInstruments, organisations, responses, type Channel, type OrganisationSettings } from '../../db/schema';
import { badRequest, conflict, gone } from '../../errors';
import type { AuditEventInput } from '../../audit/audit.queries';
import { riskAlertsFor, type NewAlert } from '../alerts/alert-rules';
import { NOTIFY_URGENT_JOB } from '../alerts/alerts.queries';
import { ESCALATE_JOB, escalationPlan, organisationSettings } from '../alerts/alerts.escalation';
import { alertRulesNeedHistory, episodeHistoryColumn, episodeHistoryStamp, evaluateResponseAlerts, historyStampOf, planEpisodeAlerts } from '../alerts/alert-engine';
import { defaultOrganisationSettings } from '../organisations/organisations.schema';
import { resolveInstrumentsFromHeaders, scoredResponseColumns, type OrgInstrumentHeader, type ResolvedInstrument } from '../instruments/org-instruments';
import { currentOrgInstrumentHeaders, type LinkContext, type LinkVia } from './link-session';
import { preparedOn } from './prepared';
import { answerError, findSubmission, isAnswerable, savedAnswers, type Answers, type AssignmentRow, type SubmissionResult } from './questionnaire.queries';

/**
 * The submission in as few round trips as its guarantees allow (issue 4's throughput bar). Usually
 * ({@link submitAtOnce}) the link session's statement has read what the scoring and the alert rules
 * need (the assignment, the clinic's settings and instrument rows, the episode's history), and ONE
 * guarded statement writes everything: responses, assignment status, risk alerts and their jobs,
 * the rules' alerts with their audit events, the submit's audit event. Otherwise
 * ({@link submitAssignment}) one statement locks the assignment and reads the same, and the same
 * write follows, between begin and commit.
 */

type ResponseRow = typeof responses.$inferSelect;

/** Statuses in which an assignment has no response yet (autosave moves it to `in_progress`, submit to `completed`). */
const UNTOUCHED: ReadonlySet<string> = new Set(['scheduled', 'sent', 'opened']);

function lockStatement(q: Queryable) {
  const p = sql.placeholder;
  return q
    .select({
      assignment: assignments,
      settings: organisations.settings,
      orgInstruments: currentOrgInstrumentHeaders(),
      // Read before the lock is granted (one snapshot per statement): only a hint, see below.
      submissionUsed: sql<boolean>`exists (select 1 from ${responses} where ${responses.submissionId} = ${p('submissionId')} and ${responses.status} = 'completed')`,
      // The alert rules' history of the assignment's episode (null without one), so they read
      // nothing more. Also from before the lock: a submit of this assignment that commits while
      // this one waits makes it a replay or a conflict, and other transactions are unseen by the
      // rules until they commit either way.
      history: episodeHistoryColumn({ orgId: assignments.orgId, clientId: assignments.clientId, episodeId: assignments.episodeId }),
    })
    .from(assignments)
    .innerJoin(organisations, eq(organisations.id, assignments.orgId))
    .where(and(eq(assignments.orgId, p('orgId')), eq(assignments.id, p('assignmentId'))))
    .limit(1)
    .for('update', { of: assignments })
    .prepare('submit_lock_assignment');
}

/**
 * `POST /q/submit`'s work, in the caller's transaction: the locked assignment, an earlier submit
 * with the same id (returned as `replayed`), the checks, then {@link writeSubmission}. `audit` is
 * the submit's audit event, written with the rest; a replay returns without writing it.
 */
export async function submitAssignment(
  tx: Tx,
  input: { orgId: string; assignmentId: string; answers: Record<string, Answers>; submissionId: string; via: LinkVia; now: Date; audit: () => AuditEventInput },
): Promise<SubmissionResult & { replayed?: true }> {
  const { submissionId, now } = input;
  const [locked] = await preparedOn(tx, 'submit_lock_assignment', lockStatement).execute({ orgId: input.orgId, assignmentId: input.assignmentId, submissionId });
  if (!locked) throw gone('This questionnaire is no longer available.', 'questionnaire_closed');
  const { assignment } = locked;
  let saved: SavedResponse[] = [];
  // The lock statement's reads saw the database as it was before the lock was granted. The
  // assignment row itself is current (PostgreSQL re-reads a locked row), so an untouched one has
  // no saved answers and no completed responses; anything else (or a submission id already seen)
  // is read again now, under the lock: a retry that waited for its first attempt replays it.
  if (locked.submissionUsed || !UNTOUCHED.has(assignment.status)) {
    const earlier = await findSubmission(tx, assignment.id, submissionId);
    if (earlier) return { ...earlier, replayed: true };
    if (assignment.status === 'completed') throw conflict('These answers were already sent.', 'already_submitted');
    if (!isAnswerable(assignment, now)) throw gone('This questionnaire has expired.', 'questionnaire_expired');
    saved = await savedAnswers(tx, assignment.id);
  }
  if (!isAnswerable(assignment, now)) throw gone('This questionnaire has expired.', 'questionnaire_expired');
  const instruments = await resolveInstrumentsFromHeaders(tx, assignment.orgId, assignment.instrumentIds, locked.orgInstruments);
  const settings = { ...defaultOrganisationSettings, ...locked.settings };
  const history = assignment.episodeId && locked.history ? { text: locked.history, clientId: assignment.clientId, episodeId: assignment.episodeId } : undefined;
  return writeSubmission(tx, { assignment, answers: input.answers, submissionId, via: input.via, now, saved, instruments, settings, audit: input.audit(), history });
}

/** An autosaved response: the submit completes this row (it keeps its id, version and times). */
export type SavedResponse = { id: string; instrumentId: string; instrumentVersion: string; answers: Record<string, number | null>; startedAt: Date; createdAt: Date };

type SubmittedAssignment = LinkContext['assignment'];

type SubmissionInput = {
  assignment: SubmittedAssignment;
  answers: Record<string, Answers>;
  submissionId: string;
  via: LinkVia;
  now: Date;
  saved: readonly SavedResponse[];
  instruments: Map<string, ResolvedInstrument | null>;
  /** The clinic's settings (for the escalation of risk alerts); read when needed and not given. */
  settings?: OrganisationSettings;
  audit?: AuditEventInput;
  /** The episode's history for the alert rules ({@link episodeHistoryColumn}), read before the write. */
  history?: { text: string; clientId: string; episodeId: string };
};

/**
 * Scores every instrument of the assignment: the completed responses as the database will hold
 * them (ids made here, so the alerts can point at them in the same statement; the saved
 * in-progress rows become them) and an urgent `risk_item` alert for each endorsed or unanswered
 * risk item. An invalid answer is a 400 naming the item.
 */
function scoreSubmission(input: SubmissionInput) {
  const { assignment, submissionId, now } = input;
  const unknownInstrument = Object.keys(input.answers).find((id) => !assignment.instrumentIds.includes(id));
  if (unknownInstrument) throw badRequest('This questionnaire has no such instrument.', `answers.${unknownInstrument}`, 'unknown_instrument');

  const channel: Channel = input.via === 'link' ? assignment.channel : input.via;
  const result: SubmissionResult = { responseIds: [], riskFlagged: false, alertIds: [] };
  const written: ResponseRow[] = [];
  const updatedIds = new Set<string>();
  const newAlerts: Array<NewAlert & { id: string }> = [];
  for (const instrumentId of assignment.instrumentIds) {
    const instrument = input.instruments.get(instrumentId);
    if (!instrument) throw badRequest('This questionnaire cannot be answered here.', `answers.${instrumentId}`, 'unknown_instrument');
    const previous = input.saved.find((s) => s.instrumentId === instrumentId);
    const answers: Answers = { ...previous?.answers, ...input.answers[instrumentId] };
    let score: ScoreResult;
    try {
      score = instrument.score(answers);
    } catch (error) {
      throw answerError(instrumentId, error);
    }
    const row: ResponseRow = {
      id: previous?.id ?? randomUUID(),
      orgId: assignment.orgId,
      clientId: assignment.clientId,
      assignmentId: assignment.id,
      episodeId: assignment.episodeId,
      appointmentId: assignment.appointmentId,
      instrumentId,
      instrumentVersion: previous?.instrumentVersion ?? instrument.version,
      respondent: assignment.respondent,
      respondentUserId: assignment.respondentUserId,
      status: 'completed',
      submissionId,
      answers,
      ...scoredResponseColumns(score, instrument.definition),
      channel,
      supersedesId: null,
      startedAt: previous?.startedAt ?? now,
      submittedAt: now,
      createdAt: previous?.createdAt ?? now,
    };
    written.push(row);
    if (previous) updatedIds.add(row.id);
    result.responseIds.push(row.id);
    const subject = { orgId: assignment.orgId, clientId: assignment.clientId, episodeId: assignment.episodeId, responseId: row.id, assignmentId: assignment.id, answers };
    for (const alert of riskAlertsFor(score, instrument.definition, subject)) newAlerts.push({ ...alert, id: randomUUID() });
    if (score.flags.length > 0) result.riskFlagged = true;
  }
  result.alertIds.push(...newAlerts.map((a) => a.id));
  return { result, written, updatedIds, newAlerts };
}

/** The write statement's shape and placeholder values for a scored submission. */
function writeValues(input: SubmissionInput, scored: ReturnType<typeof scoreSubmission>, ruleAlerts: readonly NewAlert[], settings: OrganisationSettings | null, guarded: boolean) {
  const { assignment, now } = input;
  const inserted = scored.written.filter((r) => !scored.updatedIds.has(r.id));
  const updated = scored.written.filter((r) => scored.updatedIds.has(r.id));
  const values: Record<string, unknown> = { assignmentId: assignment.id, now };
  inserted.forEach((row, i) => putPrefixed(values, `i${i}_`, row));
  updated.forEach((row, i) => putPrefixed(values, `u${i}_`, row));
  scored.newAlerts.forEach((alert, i) => {
    const plan = escalationPlan(now, settings!);
    putPrefixed(values, `a${i}_`, {
      ...alert,
      createdAt: now,
      notifyKey: `alert:${alert.id}:urgent`,
      notifyPayload: { alertId: alert.id },
      escalateKey: `alert:${alert.id}:escalate`,
      escalateAt: plan.runAt,
      escalatePayload: { alertId: alert.id, to: plan.to },
    });
  });
  ruleAlerts.forEach((alert, i) => putPrefixed(values, `r${i}_`, { ...alert, episodeId: alert.episodeId ?? null, responseId: alert.responseId ?? null, urgent: alert.urgent ?? false, status: alert.status ?? 'open', createdAt: now }));
  if (ruleAlerts.length > 0) values.ruleAuditAt = now.toISOString();
  if (input.audit) {
    const e = input.audit;
    putPrefixed(values, 'audit_', { ...e, clientId: e.clientId ?? null, entityType: e.entityType ?? null, entityId: e.entityId ?? null, requestId: e.requestId ?? null });
  }
  if (guarded) {
    // What the scoring assumed about the assignment: the statement writes only while it still holds.
    const a = assignment;
    Object.assign(values, {
      orgId: a.orgId,
      seenStatus: a.status,
      seenClientId: a.clientId,
      seenEpisodeId: a.episodeId,
      seenAppointmentId: a.appointmentId,
      seenInstrumentIds: JSON.stringify(a.instrumentIds),
      seenRespondent: a.respondent,
      seenRespondentUserId: a.respondentUserId,
      seenChannel: a.channel,
      nowText: now.toISOString(),
      submissionId: input.submissionId,
    });
    // And what the alert rules assumed about the episode: its history, as read, unchanged.
    if (input.history) values.seenHistory = historyStampOf(input.history.text);
  }
  const shape: WriteShape = { inserts: inserted.length, updates: updated.length, alerts: scored.newAlerts.length, rules: ruleAlerts.length, audit: !!input.audit, guarded, historyGuard: guarded && !!input.history };
  return { shape, values };
}

/**
 * The alert rules' alerts for the scored rows, decided before the write from the episode's history
 * (`planEpisodeAlerts`): none when no rule needs history, null when they cannot be decided so (no
 * history given, or an alliance form, whose rules read more): then they run after the write.
 */
async function planRuleAlerts(db: Queryable, input: SubmissionInput, scored: ReturnType<typeof scoreSubmission>): Promise<NewAlert[] | null> {
  if (!alertRulesNeedHistory(scored.written)) return [];
  if (!input.history) return null;
  return planEpisodeAlerts(db, { rows: scored.written, history: input.history, now: input.now });
}

/**
 * Scores every instrument of the assignment and writes, in one statement, the completed responses,
 * the assignment's new status, an urgent `risk_item` alert for each endorsed or unanswered risk
 * item with its notification and escalation jobs, the alert rules' alerts decided from the
 * episode's history (each with its `alert.raise` audit event), and the audit event when given.
 * Rules that must read more (alliance forms) run after it. An invalid answer is a 400 naming the
 * item, and nothing is written. Runs in the caller's transaction, after it locked the assignment.
 */
export async function writeSubmission(tx: Tx, input: SubmissionInput): Promise<SubmissionResult> {
  const scored = scoreSubmission(input);
  const planned = await planRuleAlerts(tx, input, scored);
  const settings = scored.newAlerts.length > 0 ? (input.settings ?? (await organisationSettings(tx, input.assignment.orgId))) : null;
  const { shape, values } = writeValues(input, scored, planned ?? [], settings, false);
  const [written] = await preparedOn(tx, writeName(shape), (q) => writeStatement(q, shape)).execute(values);
  if (planned) {
    scored.result.alertIds.push(...written!.ruleAlertIds);
    return scored.result;
  }
  // Issue 5: the alliance rules, which read the series and the session partner, in the same transaction.
  const evaluated = await evaluateResponseAlerts(tx, { responseIds: scored.result.responseIds, rows: scored.written, now: input.now });
  scored.result.alertIds.push(...evaluated.map((a) => a.id));
  return scored.result;
}

/**
 * The common submit as ONE statement, outside any explicit transaction, scored (and the alert
 * rules decided) from what the link session statement read (`LinkContext`, with the episode's
 * history): a statement is its own transaction, so the responses, the assignment's status, the
 * risk alerts and their jobs, the rules' alerts and the audit events commit together or not at
 * all. The statement locks the assignment and writes only while it is as the scoring saw it (same
 * status and fields, not expired, the submission id unused, the episode's history unchanged);
 * otherwise nothing is written and this returns null, and the caller takes the full path
 * (`submitAssignment`: replay, conflict, saved answers, history read under the lock). Also null
 * when something was saved already, or the rules must read more (an alliance form).
 */
export async function submitAtOnce(
  db: Queryable,
  input: { context: LinkContext; answers: Record<string, Answers>; submissionId: string; via: LinkVia; now: Date; audit: () => AuditEventInput },
): Promise<SubmissionResult | null> {
  const { assignment, history } = input.context;
  if (!UNTOUCHED.has(assignment.status) || !isAnswerable(assignment, input.now)) return null;
  const instruments = await resolveInstrumentsFromHeaders(db, assignment.orgId, assignment.instrumentIds, input.context.orgInstruments);
  const submission: SubmissionInput = {
    ...input,
    assignment,
    saved: [],
    instruments,
    settings: { ...defaultOrganisationSettings, ...input.context.settings },
    audit: input.audit(),
    history: assignment.episodeId && history ? { text: history, clientId: assignment.clientId, episodeId: assignment.episodeId } : undefined,
  };
  const scored = scoreSubmission(submission);
  const planned = await planRuleAlerts(db, submission, scored);
  if (!planned) return null;
  const { shape, values } = writeValues(submission, scored, planned, submission.settings!, true);
  let written: { ruleAlertIds: string[] } | undefined;
  try {
    [written] = await preparedOn(db, writeName(shape), (q) => writeStatement(q, shape)).execute(values);
  } catch (error) {
    if (isGuardRefusal(error)) return null;
    throw error;
  }
  scored.result.alertIds.push(...written!.ruleAlertIds);
  return scored.result;
}

/** The guarded statement found no assignment as the scoring saw it: the new responses' org_id came out null. */
function isGuardRefusal(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const e = cause as { code?: unknown; column?: unknown; table?: unknown };
  return e.code === '23502' && e.column === 'org_id' && e.table === 'responses';
}

/** Copies `o`'s fields into `into` as the placeholders `<prefix><field>` (a plain loop: this runs on every submit). */
function putPrefixed(into: Record<string, unknown>, prefix: string, o: object): void {
  for (const key in o) into[prefix + key] = (o as Record<string, unknown>)[key];
}

type WriteShape = { inserts: number; updates: number; alerts: number; rules: number; audit: boolean; guarded: boolean; historyGuard: boolean };
const writeName = (s: WriteShape) =>
  `submit_write_i${s.inserts}_u${s.updates}_a${s.alerts}_r${s.rules}${s.audit ? '_audit' : ''}${s.guarded ? '_guarded' : ''}${s.historyGuard ? '_history' : ''}`;

/**
 * The writes of one submission as one statement of this shape (so many new and saved responses,
 * so many risk alerts and rule alerts, with or without the audit event, guarded or not):
 * data-modifying CTEs, then the assignment's update, returning the ids of the rule alerts inserted
 * (a repeat of the same evidence is skipped, as `raiseAlerts` does). Each part of the statement is
 * Drizzle's own insert or update, but the rule alerts' audit events (an insert from a select).
 */
function writeStatement(q: Queryable, shape: WriteShape) {
  const p = sql.placeholder;
  // Drizzle encodes a placeholder by its column (jsonb, timestamps) in `set` as in `values`; only
  // its types leave placeholders out of `set`.
  const asSet = <T>(values: T) => values as unknown as Partial<typeof responses.$inferInsert> & Partial<typeof assignments.$inferInsert>;
  const scored = (k: string) => ({
    status: 'completed' as const,
    submissionId: p(`${k}submissionId`),
    answers: p(`${k}answers`),
    complete: p(`${k}complete`),
    total: p(`${k}total`),
    subscales: p(`${k}subscales`),
    bandId: p(`${k}bandId`),
    bandLabel: p(`${k}bandLabel`),
    flags: p(`${k}flags`),
    prorated: p(`${k}prorated`),
    scoreDetail: p(`${k}scoreDetail`),
    scorerVersion: p(`${k}scorerVersion`),
    channel: p(`${k}channel`),
    submittedAt: p(`${k}submittedAt`),
  });
  // An alert's columns as placeholders `<k><column>` (the risk alerts' and the rules' alike).
  const alertRow = (k: string) => ({
    orgId: p(`${k}orgId`),
    clientId: p(`${k}clientId`),
    episodeId: p(`${k}episodeId`),
    responseId: p(`${k}responseId`),
    kind: p(`${k}kind`),
    urgent: p(`${k}urgent`),
    status: p(`${k}status`),
    evidenceKey: p(`${k}evidenceKey`),
    evidence: p(`${k}evidence`),
    rulesVersion: p(`${k}rulesVersion`),
    createdAt: p(`${k}createdAt`),
  });
  const ctes = [];
  if (shape.guarded) {
    // The assignment, locked, only while it is as the scoring saw it. PostgreSQL rechecks these
    // conditions on the newest version of the row once a concurrent submit or autosave lets go of it.
    ctes.push(
      q.$with('locked', {}).as(
        sql`select ${assignments.id} as id, ${assignments.orgId} as org_id from ${assignments}
          where ${assignments.id} = ${p('assignmentId')} and ${assignments.orgId} = ${p('orgId')}
            and ${assignments.status} = ${p('seenStatus')} and ${assignments.clientId} = ${p('seenClientId')}
            and ${assignments.episodeId} is not distinct from ${p('seenEpisodeId')}
            and ${assignments.appointmentId} is not distinct from ${p('seenAppointmentId')}
            and ${assignments.instrumentIds} = ${p('seenInstrumentIds')}::jsonb
            and ${assignments.respondent} = ${p('seenRespondent')}
            and ${assignments.respondentUserId} is not distinct from ${p('seenRespondentUserId')}
            and ${assignments.channel} = ${p('seenChannel')}
            and (${assignments.expiresAt} is null or ${assignments.expiresAt} > ${p('nowText')})
            and not exists (select 1 from ${responses} where ${responses.submissionId} = ${p('submissionId')} and ${responses.status} = 'completed')
            ${shape.historyGuard ? sql`and ${episodeHistoryStamp({ orgId: assignments.orgId, clientId: assignments.clientId, episodeId: assignments.episodeId })} = ${p('seenHistory')}` : sql``}
          for update`,
      ),
    );
  }
  if (shape.inserts > 0) {
    const rows = Array.from({ length: shape.inserts }, (_, i) => {
      const k = `i${i}_`;
      return {
        ...scored(k),
        id: p(`${k}id`),
        // Guarded: the organisation of the locked assignment, null (refused by NOT NULL, and so the whole statement) when none is locked.
        orgId: shape.guarded ? sql`(select org_id from locked)` : p(`${k}orgId`),
        clientId: p(`${k}clientId`),
        assignmentId: p(`${k}assignmentId`),
        episodeId: p(`${k}episodeId`),
        appointmentId: p(`${k}appointmentId`),
        instrumentId: p(`${k}instrumentId`),
        instrumentVersion: p(`${k}instrumentVersion`),
        respondent: p(`${k}respondent`),
        respondentUserId: p(`${k}respondentUserId`),
        startedAt: p(`${k}startedAt`),
        createdAt: p(`${k}createdAt`),
      };
    });
    ctes.push(q.$with('new_responses', {}).as(q.insert(responses).values(rows).getSQL()));
  }
  for (let i = 0; i < shape.updates; i++) {
    const k = `u${i}_`;
    ctes.push(q.$with(`saved_response_${i}`, {}).as(q.update(responses).set(asSet(scored(k))).where(eq(responses.id, p(`${k}id`))).getSQL()));
  }
  if (shape.alerts > 0) {
    // Risk alerts carry the ids made when scoring (their jobs point at them).
    const alertRows = Array.from({ length: shape.alerts }, (_, i) => ({ id: p(`a${i}_id`), ...alertRow(`a${i}_`) }));
    // Each risk alert points at a response made by this statement, so it cannot repeat (a repeat would fail the statement, not pass silently).
    ctes.push(q.$with('risk_alerts', {}).as(q.insert(alerts).values(alertRows).getSQL()));
    // As `raiseAlerts`: the care-team notification and the escalation of each urgent alert.
    const jobRows = Array.from({ length: shape.alerts }, (_, i) => {
      const k = `a${i}_`;
      return [
        { kind: NOTIFY_URGENT_JOB, key: p(`${k}notifyKey`), runAt: p(`${k}createdAt`), orgId: p(`${k}orgId`), payload: p(`${k}notifyPayload`), maxAttempts: 8 },
        { kind: ESCALATE_JOB, key: p(`${k}escalateKey`), runAt: p(`${k}escalateAt`), orgId: p(`${k}orgId`), payload: p(`${k}escalatePayload`), maxAttempts: 8 },
      ];
    }).flat();
    ctes.push(q.$with('alert_jobs', {}).as(q.insert(jobs).values(jobRows).onConflictDoNothing({ target: jobs.key }).getSQL()));
  }
  if (shape.rules > 0) {
    const ruleRows = Array.from({ length: shape.rules }, (_, i) => alertRow(`r${i}_`));
    ctes.push(
      q.$with('rule_alerts', {}).as(
        q
          .insert(alerts)
          .values(ruleRows)
          .onConflictDoNothing({ target: [alerts.orgId, alerts.clientId, alerts.kind, alerts.evidenceKey] })
          .returning({ id: alerts.id, orgId: alerts.orgId, clientId: alerts.clientId })
          .getSQL(),
      ),
    );
    // One `alert.raise` event per alert inserted, as `raiseAndAudit`.
    ctes.push(
      q.$with('rule_alert_audit', {}).as(
        sql`insert into ${auditEvents} (org_id, actor_kind, actor_id, action, client_id, entity_type, entity_id, outcome, at)
          select org_id, 'system', null, 'alert.raise', client_id, 'alert', id::text, 'success', ${p('ruleAuditAt')}::timestamptz from rule_alerts`,
      ),
    );
  }
  if (shape.audit) {
    const k = 'audit_';
    ctes.push(
      q.$with('audit_event', {}).as(
        q
          .insert(auditEvents)
          .values({
            orgId: p(`${k}orgId`),
            actorKind: p(`${k}actorKind`),
            actorId: p(`${k}actorId`),
            action: p(`${k}action`),
            clientId: p(`${k}clientId`),
            entityType: p(`${k}entityType`),
            entityId: p(`${k}entityId`),
            requestId: p(`${k}requestId`),
            outcome: p(`${k}outcome`),
            at: p(`${k}at`),
          })
          .getSQL(),
      ),
    );
  }
  return q
    .with(...ctes)
    .update(assignments)
    .set(asSet({ status: 'completed' as const, completedAt: p('now'), updatedAt: p('now') }))
    .where(shape.guarded ? sql`${assignments.id} in (select id from locked)` : eq(assignments.id, p('assignmentId')))
    .returning({ ruleAlertIds: shape.rules > 0 ? sql<string[]>`(select coalesce(json_agg(id), '[]'::json) from rule_alerts)` : sql<string[]>`'[]'::json` })
    .prepare(writeName(shape));
}
