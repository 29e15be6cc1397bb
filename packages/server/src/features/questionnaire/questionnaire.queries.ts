import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import {
  InstrumentError,
  localiseInstrument,
  type LocalisedInstrument,
  type RenderableInstrument,
} from '@rapport/instruments';
import { RULES_VERSION } from '@rapport/analysis';
import type { Queryable, Tx } from '../../db/database';
import {
  alerts,
  assignmentLinks,
  assignments,
  careTeamMembers,
  clientConsents,
  clients,
  memberships,
  organisations,
  responses,
  users,
  type AssignmentStatus,
  type Channel,
  type OrganisationSettings,
  type ResponseFlag,
} from '../../db/schema';
import { badRequest } from '../../errors';
import { enqueueJob } from '../../jobs/job-runner';
import { hashToken } from '../../lib/crypto';
import type { LinkVia } from './link-session';
import { resolveInstrument, resolveInstruments, type ResolvedInstrument } from '../instruments/org-instruments';
import { writeSubmission, type SavedResponse } from './questionnaire.submit';

export type AssignmentRow = typeof assignments.$inferSelect;
export type Answers = Record<string, number | null>;

/** Statuses in which a client can still answer. */
const OPEN_STATUSES: readonly AssignmentStatus[] = ['scheduled', 'sent', 'opened', 'in_progress'];

/** Whether the client can still answer: not completed, cancelled or expired, and not past its expiry time. */
export function isAnswerable(assignment: Pick<AssignmentRow, 'status' | 'expiresAt'>, now: Date): boolean {
  return OPEN_STATUSES.includes(assignment.status) && (!assignment.expiresAt || assignment.expiresAt > now);
}

/** The link a token names, with its assignment; null for an unknown (or tampered) token or a revoked link. */
export async function findLink(db: Queryable, token: string) {
  const [row] = await db
    .select({ linkId: assignmentLinks.id, orgId: assignmentLinks.orgId, assignment: assignments })
    .from(assignmentLinks)
    .innerJoin(assignments, eq(assignments.id, assignmentLinks.assignmentId))
    .where(and(eq(assignmentLinks.tokenHash, hashToken(token)), isNull(assignmentLinks.revokedAt)))
    .limit(1);
  return row ?? null;
}

/** The assignment, locked for this transaction when `lock` is set (submit and autosave serialise on it). */
export async function getAssignment(db: Queryable, orgId: string, assignmentId: string, lock = false): Promise<AssignmentRow | null> {
  const query = db.select().from(assignments).where(and(eq(assignments.orgId, orgId), eq(assignments.id, assignmentId))).limit(1);
  const [row] = lock ? await query.for('update') : await query;
  return row ?? null;
}

/** What the pages need around an assignment: the client's language and the clinic's name and settings. */
export async function getPageContext(db: Queryable, orgId: string, clientId: string) {
  const [row] = await db
    .select({ language: clients.language, orgName: organisations.name, settings: organisations.settings })
    .from(clients)
    .innerJoin(organisations, eq(organisations.id, clients.orgId))
    .where(and(eq(clients.orgId, orgId), eq(clients.id, clientId)))
    .limit(1);
  return row ?? null;
}

export type PageContext = { language: string; orgName: string; settings: OrganisationSettings };

/** Marks a freshly opened assignment `opened` (an assignment already in progress stays so). */
export async function markOpened(db: Queryable, assignment: AssignmentRow, now: Date): Promise<void> {
  await db
    .update(assignments)
    .set({
      openedAt: assignment.openedAt ?? now,
      status: assignment.status === 'scheduled' || assignment.status === 'sent' ? 'opened' : assignment.status,
      updatedAt: now,
    })
    .where(eq(assignments.id, assignment.id));
}

/**
 * The instrument ready to show, as the organisation uses it ({@link resolveInstrument}: built-in
 * wording, the clinic's newest licensed content pack, or its own custom instrument). Throws
 * `InstrumentError` when the instrument is unknown or needs wording the clinic has not uploaded.
 */
export async function loadRenderable(db: Queryable, orgId: string, instrumentId: string): Promise<RenderableInstrument> {
  const resolved = await resolveInstrument(db, orgId, instrumentId);
  if (!resolved) throw new InstrumentError('unknown_instrument', `unknown instrument ${instrumentId}`, { instrumentId });
  if (!resolved.renderable) throw new InstrumentError('needs_licensed_wording', `${instrumentId} needs licensed wording`, { instrumentId });
  return resolved.renderable;
}

/** Item text in the client's language where the definition has it, else English (else its first language). */
export function localise(instrument: RenderableInstrument, language: string): LocalisedInstrument {
  const choice = [language, 'en', instrument.languages[0]].find((l): l is string => !!l && instrument.languages.includes(l));
  return localiseInstrument(instrument, choice ?? 'en');
}

/** Autosaved answers by instrument. */
export async function inProgressAnswers(db: Queryable, assignmentId: string): Promise<Record<string, Answers>> {
  const rows = await db
    .select({ instrumentId: responses.instrumentId, answers: responses.answers })
    .from(responses)
    .where(and(eq(responses.assignmentId, assignmentId), eq(responses.status, 'in_progress')));
  return Object.fromEntries(rows.map((r) => [r.instrumentId, r.answers]));
}

/**
 * Checks one answer against its item through the instruments library: an unknown item or a value
 * that is not one of the item's options is a 400 naming the item.
 */
export function validateAnswer(instrument: ResolvedInstrument, itemId: string, value: number | null): void {
  try {
    instrument.score({ [itemId]: value });
  } catch (error) {
    throw answerError(instrument.instrumentId, error);
  }
}

export function answerError(instrumentId: string, error: unknown): unknown {
  if (!(error instanceof InstrumentError)) return error;
  const field = error.itemId ? `answers.${instrumentId}.${error.itemId}` : `answers.${instrumentId}`;
  const message =
    error.code === 'unknown_item'
      ? `There is no question ${error.itemId} in this questionnaire.`
      : error.code === 'invalid_answer'
        ? `This is not one of the answers to question ${error.itemId}.`
        : 'This questionnaire cannot be answered here.';
  return badRequest(message, field, error.code);
}

/** Saves one answer into the assignment's in-progress response for the instrument (made on first use). */
export async function saveAnswer(
  tx: Tx,
  input: { assignment: AssignmentRow; instrumentId: string; itemId: string; value: number | null; instrumentVersion: string; now: Date },
): Promise<string> {
  const { assignment, instrumentId, itemId, value, now } = input;
  const [row] = await tx
    .insert(responses)
    .values({
      orgId: assignment.orgId,
      clientId: assignment.clientId,
      assignmentId: assignment.id,
      episodeId: assignment.episodeId,
      appointmentId: assignment.appointmentId,
      instrumentId,
      instrumentVersion: input.instrumentVersion,
      respondent: assignment.respondent,
      respondentUserId: assignment.respondentUserId,
      status: 'in_progress',
      answers: { [itemId]: value },
      startedAt: now,
      createdAt: now,
    })
    .onConflictDoUpdate({
      target: [responses.assignmentId, responses.instrumentId],
      targetWhere: sql`status = 'in_progress'`,
      set: { answers: sql`${responses.answers} || jsonb_build_object(${itemId}::text, ${value}::numeric)` },
    })
    .returning({ id: responses.id });
  if (assignment.status !== 'in_progress') {
    await tx
      .update(assignments)
      .set({ status: 'in_progress', openedAt: assignment.openedAt ?? now, updatedAt: now })
      .where(eq(assignments.id, assignment.id));
  }
  return row!.id;
}

export type SubmissionResult = { responseIds: string[]; riskFlagged: boolean; alertIds: string[] };

/** The completed responses of an earlier submit with this id, as that submit's result; null when there is none. */
export async function findSubmission(db: Queryable, assignmentId: string, submissionId: string): Promise<SubmissionResult | null> {
  const rows = await db
    .select({ id: responses.id, flags: responses.flags, assignmentId: responses.assignmentId })
    .from(responses)
    .where(and(eq(responses.submissionId, submissionId), eq(responses.status, 'completed')))
    .orderBy(asc(responses.instrumentId));
  if (rows.length === 0) return null;
  if (rows.some((r) => r.assignmentId !== assignmentId)) throw badRequest('This submission id belongs to another questionnaire.', 'submissionId', 'submission_id_reused');
  const alertRows = await db
    .select({ id: alerts.id })
    .from(alerts)
    .where(inArray(alerts.responseId, rows.map((r) => r.id)));
  return { responseIds: rows.map((r) => r.id), riskFlagged: rows.some((r) => hasRiskFlag(r.flags)), alertIds: alertRows.map((a) => a.id) };
}

/** Whether any completed response of the assignment raised a risk flag (the thank-you page shows crisis resources). */
export async function completedWithRisk(db: Queryable, assignmentId: string): Promise<boolean> {
  const rows = await db
    .select({ flags: responses.flags })
    .from(responses)
    .where(and(eq(responses.assignmentId, assignmentId), eq(responses.status, 'completed')));
  return rows.some((r) => hasRiskFlag(r.flags));
}

const hasRiskFlag = (flags: ResponseFlag[] | null) => (flags ?? []).some((f) => f.kind === 'risk' || f.kind === 'risk-unanswered');

/** The assignment's autosaved (in-progress) responses, which a submit completes. */
export async function savedAnswers(db: Queryable, assignmentId: string): Promise<SavedResponse[]> {
  return db
    .select({ id: responses.id, instrumentId: responses.instrumentId, instrumentVersion: responses.instrumentVersion, answers: responses.answers, startedAt: responses.startedAt, createdAt: responses.createdAt })
    .from(responses)
    .where(and(eq(responses.assignmentId, assignmentId), eq(responses.status, 'in_progress')));
}

/**
 * Scores every instrument of the assignment and writes the completed responses, the assignment's
 * new status and an urgent `risk_item` alert (with its notification job) for each endorsed or
 * unanswered risk item, then the alert engine's rules ({@link writeSubmission}). Runs inside the
 * caller's transaction, after it locked the assignment. An invalid answer is a 400 naming the
 * item, and nothing is written. (`POST /q/submit` uses `submitAssignment`, the same in fewer
 * round trips.)
 */
export async function completeAssignment(
  tx: Tx,
  input: { assignment: AssignmentRow; answers: Record<string, Answers>; submissionId: string; via: LinkVia; now: Date },
): Promise<SubmissionResult> {
  const { assignment } = input;
  const saved = await savedAnswers(tx, assignment.id);
  const instruments = await resolveInstruments(tx, assignment.orgId, assignment.instrumentIds);
  return writeSubmission(tx, { ...input, saved, instruments });
}

/**
 * The client's own opt-out: consent withdrawn for email and SMS (recorded as the client's), every
 * open questionnaire of theirs cancelled, a `stopped_checkins` alert, and a job that tells the care
 * team. Returns the consent row id that keys the notification.
 */
export async function recordOptOut(tx: Tx, input: { orgId: string; clientId: string; now: Date }): Promise<string> {
  const { orgId, clientId, now } = input;
  const consentRows = await tx
    .insert(clientConsents)
    .values(
      (['email', 'sms'] as const).map((channel) => ({
        orgId,
        clientId,
        channel,
        granted: false,
        source: 'client' as const,
        note: 'Stopped check-ins from the questionnaire page.',
        recordedAt: now,
      })),
    )
    .returning({ id: clientConsents.id });
  const consentId = consentRows[0]!.id;
  await tx
    .update(assignments)
    .set({ status: 'cancelled', cancelledAt: now, cancelReason: 'client_opted_out', updatedAt: now })
    .where(and(eq(assignments.orgId, orgId), eq(assignments.clientId, clientId), eq(assignments.respondent, 'client'), inArray(assignments.status, [...OPEN_STATUSES])));
  await tx
    .insert(alerts)
    .values({ orgId, clientId, kind: 'stopped_checkins', evidenceKey: `consent:${consentId}`, evidence: { source: 'client', channels: ['email', 'sms'] }, rulesVersion: RULES_VERSION, createdAt: now })
    .onConflictDoNothing();
  await enqueueJob(tx, { kind: 'questionnaire.notify_opt_out', key: `client:${clientId}:opt-out:${consentId}`, runAt: now, orgId, payload: { clientId } });
  return consentId;
}

/** Active care-team members' addresses: who hears that a client stopped check-ins. */
export async function careTeamEmails(db: Queryable, orgId: string, clientId: string) {
  return db
    .select({ userId: users.id, email: users.email })
    .from(careTeamMembers)
    .innerJoin(users, eq(users.id, careTeamMembers.userId))
    .innerJoin(memberships, and(eq(memberships.userId, careTeamMembers.userId), eq(memberships.orgId, careTeamMembers.orgId)))
    .where(and(eq(careTeamMembers.orgId, orgId), eq(careTeamMembers.clientId, clientId), eq(memberships.status, 'active')));
}
