import { and, asc, desc, eq, gt, ilike, inArray, isNotNull, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import { listInstruments, pairedAnxietyMeasure } from '@rapport/instruments';
import type { Queryable } from '../../db/database';
import { alerts, appointments, assignments, careTeamMembers, clients, episodes, organisations, programmes, responses, sessionRatings } from '../../db/schema';
import { allianceVisibility, isClientAllianceForm, isTherapistAllianceForm, type AllianceVisibility } from '../alliance/blind';
import { talkingTherapiesProblem } from '../episodes/presenting-problem';

/**
 * The caseload (issue 6) in a fixed number of set-based queries, whatever the caseload's size:
 *  1. blind rating for the caller (`allianceVisibility`: one query, a second only when a rating is owed);
 *  2. the ranked page: clients with their open episode, next appointment, unresolved alert counts,
 *     questionnaires due and overdue and attention rank, filtered, ordered, counted;
 *  3. the latest score on each primary measure of the page's clients;
 *  4. their last alliance ratings, both sides;
 *  5. their sessions today (clinic time zone) with the rating decided for each.
 * The caller runs it inside `withAudit`, whose audit insert is the only other statement.
 */

const HOUR_MS = 3_600_000;

/** A questionnaire expiring within this long counts as overdue (product rule, issue 6). */
export const NEAR_EXPIRY_MS = 24 * HOUR_MS;
/** Alliance sessions shown per client. */
export const ALLIANCE_POINTS = 5;
/**
 * Ratings read per client and form: enough for `gapTrend`'s default window of 6 paired sessions
 * (@rapport/analysis DEFAULT_GAP_TREND_WINDOW) with a little slack for unpaired sessions.
 */
const ALLIANCE_READ_PER_FORM = 8;

/** Assignment statuses of a questionnaire that went out and is not finished. */
const OUT_STATUSES = ['sent', 'opened', 'in_progress'] as const;

/** Every built-in alliance form, client and therapist side (the forms `blind.ts` knows). */
const ALLIANCE_FORMS = listInstruments()
  .map((i) => i.id)
  .filter((id) => isClientAllianceForm(id) || isTherapistAllianceForm(id));

export type CaseloadInput = {
  orgId: string;
  /** The caller: blind rating is theirs. */
  userId: string;
  /** Clients whose care team includes this user; undefined for the whole organisation. */
  careTeamOf?: string;
  q?: string;
  status: 'active' | 'inactive' | 'all';
  attention: 'urgent' | 'alerts' | 'due' | 'all';
  programmeId?: string;
  limit: number;
  offset: number;
  now: Date;
};

/**
 * The ranked page of the caseload. Order: unresolved urgent alerts, then other unresolved alerts,
 * then questionnaires due or overdue, then everyone else; within a tier, the soonest next
 * appointment first (none booked last), then by name.
 *
 * Definitions:
 *  - alerts count when `open` or `acknowledged`; a non-urgent alert raised by a client response the
 *    caller may not see yet (blind rating) is not counted;
 *  - a questionnaire is *due* when it is the client's, its time has come (`scheduled_for` ≤ now) and
 *    it is not completed, expired or cancelled (`scheduled` ones waiting to be sent or answered in
 *    session included); it is *overdue* when it was sent and either its reminder time has passed
 *    (`sent_at + reminder_after_days`) or it expires within {@link NEAR_EXPIRY_MS}.
 */
async function rankedPage(db: Queryable, input: CaseloadInput, visibility: AllianceVisibility) {
  const { orgId, now } = input;
  const hidden = [...visibility.hiddenResponseIds];

  const openEpisode = db
    .select({
      id: episodes.id,
      startedOn: episodes.startedOn,
      presentingProblem: episodes.presentingProblem,
      programmeId: sql<string | null>`${programmes.id}`.as('programme_id'),
      programmeName: sql<string | null>`${programmes.name}`.as('programme_name'),
    })
    .from(episodes)
    .leftJoin(programmes, eq(programmes.id, episodes.programmeId))
    .where(and(eq(episodes.orgId, orgId), eq(episodes.clientId, clients.id), isNull(episodes.endedOn)))
    .orderBy(desc(episodes.startedOn), desc(episodes.createdAt))
    .limit(1)
    .as('open_episode');

  const isUnresolved = inArray(alerts.status, ['open', 'acknowledged']);
  const visibleOther = hidden.length > 0 ? sql`and not (${alerts.kind} <> 'risk_item' and ${alerts.responseId} is not null and ${inArray(alerts.responseId, hidden)})` : sql``;
  // Alert and questionnaire counts per client. For one person's caseload, an index probe per client
  // (a lateral join); for the whole clinic, grouped once over the organisation's unresolved alerts
  // and open questionnaires and hash-joined, which the bench measured faster there and slower for
  // a single caseload (bench/caseload.bench.ts). The same subqueries either way.
  const perClient = input.careTeamOf !== undefined;
  const ofThisClient = (column: typeof alerts.clientId | typeof assignments.clientId) => (perClient ? eq(column, clients.id) : undefined);
  const alertCounts = db
    .select({
      clientId: alerts.clientId,
      urgent: sql<number>`count(*) filter (where ${alerts.urgent})::int`.as('urgent_alerts'),
      other: sql<number>`count(*) filter (where not ${alerts.urgent} ${visibleOther})::int`.as('other_alerts'),
    })
    .from(alerts)
    .where(and(eq(alerts.orgId, orgId), ofThisClient(alerts.clientId), isUnresolved))
    .groupBy(alerts.clientId)
    .as('alert_counts');

  const isSentOut = inArray(assignments.status, [...OUT_STATUSES]);
  const questionnaireCounts = db
    .select({
      clientId: assignments.clientId,
      due: sql<number>`count(*)::int`.as('due_questionnaires'),
      overdue: sql<number>`count(*) filter (where ${isSentOut} and (
        (${assignments.reminderAfterDays} > 0 and ${assignments.sentAt} + make_interval(days => ${assignments.reminderAfterDays}::int) <= ${now})
        or ${assignments.expiresAt} <= ${new Date(now.getTime() + NEAR_EXPIRY_MS)}))::int`.as('overdue_questionnaires'),
    })
    .from(assignments)
    .where(
      and(
        eq(assignments.orgId, orgId),
        ofThisClient(assignments.clientId),
        eq(assignments.respondent, 'client'),
        lte(assignments.scheduledFor, now),
        inArray(assignments.status, ['scheduled', ...OUT_STATUSES]),
      ),
    )
    .groupBy(assignments.clientId)
    .as('questionnaire_counts');

  const nextAppointment = db
    .select({ id: appointments.id, startsAt: appointments.startsAt, kind: appointments.kind })
    .from(appointments)
    .where(and(eq(appointments.orgId, orgId), eq(appointments.clientId, clients.id), eq(appointments.status, 'scheduled'), gt(appointments.startsAt, now)))
    .orderBy(asc(appointments.startsAt), asc(appointments.id))
    .limit(1)
    .as('next_appointment');

  const urgentAlerts = sql<number>`coalesce(${alertCounts.urgent}, 0)`;
  const otherAlerts = sql<number>`coalesce(${alertCounts.other}, 0)`;
  const dueQuestionnaires = sql<number>`coalesce(${questionnaireCounts.due}, 0)`;
  const rank = sql<number>`(case when ${urgentAlerts} > 0 then 1 when ${otherAlerts} > 0 then 2 when ${dueQuestionnaires} > 0 then 3 else 4 end)`;
  const pattern = input.q ? `%${input.q.replace(/[\\%_]/g, (m) => '\\' + m)}%` : undefined;
  const attentionFilter: Record<CaseloadInput['attention'], SQL | undefined> = {
    all: undefined,
    urgent: sql`${urgentAlerts} > 0`,
    alerts: sql`(${urgentAlerts} + ${otherAlerts}) > 0`,
    due: sql`${dueQuestionnaires} > 0`,
  };

  const page = db
    .select({
      id: clients.id,
      givenName: clients.givenName,
      familyName: clients.familyName,
      preferredName: clients.preferredName,
      status: clients.status,
      episodeId: openEpisode.id,
      episodeStartedOn: openEpisode.startedOn,
      presentingProblem: openEpisode.presentingProblem,
      programmeId: openEpisode.programmeId,
      programmeName: openEpisode.programmeName,
      urgentAlerts: urgentAlerts.mapWith(Number),
      otherAlerts: otherAlerts.mapWith(Number),
      due: dueQuestionnaires.mapWith(Number),
      overdue: sql<number>`coalesce(${questionnaireCounts.overdue}, 0)`.mapWith(Number),
      nextAppointmentId: nextAppointment.id,
      nextAppointmentAt: nextAppointment.startsAt,
      nextAppointmentKind: nextAppointment.kind,
      rank,
      total: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(clients)
    .leftJoinLateral(openEpisode, sql`true`)
    .leftJoinLateral(nextAppointment, sql`true`)
    .$dynamic();
  const counted = perClient
    ? page.leftJoinLateral(alertCounts, sql`true`).leftJoinLateral(questionnaireCounts, sql`true`)
    : page.leftJoin(alertCounts, eq(alertCounts.clientId, clients.id)).leftJoin(questionnaireCounts, eq(questionnaireCounts.clientId, clients.id));
  return counted
    .where(
      and(
        eq(clients.orgId, orgId),
        // An erased client's tombstone is in no list.
        isNull(clients.erasedAt),
        input.status === 'all' ? undefined : eq(clients.status, input.status),
        input.careTeamOf
          ? sql`exists (select 1 from ${careTeamMembers} where ${careTeamMembers.clientId} = ${clients.id} and ${careTeamMembers.userId} = ${input.careTeamOf})`
          : undefined,
        pattern ? or(ilike(clients.familyName, pattern), ilike(clients.givenName, pattern), ilike(clients.preferredName, pattern), ilike(clients.externalRef, pattern)) : undefined,
        input.programmeId ? eq(openEpisode.programmeId, input.programmeId) : undefined,
        attentionFilter[input.attention],
      ),
    )
    .orderBy(rank, sql`${nextAppointment.startsAt} asc nulls last`, asc(clients.familyName), asc(clients.givenName), asc(clients.id))
    .limit(input.limit)
    .offset(input.offset);
}

/** `where` for completed, scored client-page responses that no correction has replaced. */
function notSuperseded() {
  return sql`not exists (select 1 from ${responses} as correction where correction.org_id = ${responses.orgId} and correction.client_id = ${responses.clientId} and correction.supersedes_id = ${responses.id})`;
}

/** PHQ-9 and the anxiety measure paired with the presenting problem (GAD-7 when none is recorded), facts.md B2. */
export function primaryMeasures(presentingProblem: string | null): string[] {
  return [...new Set(['phq9', pairedAnxietyMeasure(talkingTherapiesProblem(presentingProblem)).instrumentId])];
}

/** The latest completed score per client and instrument, for the given clients and instruments. */
async function latestScores(db: Queryable, orgId: string, clientIds: string[], instrumentIds: string[]) {
  return db
    .selectDistinctOn([responses.clientId, responses.instrumentId], {
      clientId: responses.clientId,
      instrumentId: responses.instrumentId,
      total: responses.total,
      bandId: responses.bandId,
      bandLabel: responses.bandLabel,
      submittedAt: responses.submittedAt,
    })
    .from(responses)
    .where(
      and(
        eq(responses.orgId, orgId),
        inArray(responses.clientId, clientIds),
        inArray(responses.instrumentId, instrumentIds),
        eq(responses.respondent, 'client'),
        eq(responses.status, 'completed'),
        isNotNull(responses.total),
        isNotNull(responses.submittedAt),
        notSuperseded(),
      ),
    )
    .orderBy(responses.clientId, responses.instrumentId, desc(responses.submittedAt), desc(responses.id));
}

/** The last {@link ALLIANCE_READ_PER_FORM} completed alliance ratings per client and form, both sides. */
async function recentAllianceRatings(db: Queryable, orgId: string, clientIds: string[]) {
  const ranked = db
    .select({
      id: responses.id,
      clientId: responses.clientId,
      episodeId: responses.episodeId,
      appointmentId: responses.appointmentId,
      instrumentId: responses.instrumentId,
      respondent: responses.respondent,
      total: responses.total,
      submittedAt: responses.submittedAt,
      n: sql<number>`row_number() over (partition by ${responses.clientId}, ${responses.instrumentId} order by ${responses.submittedAt} desc, ${responses.id} desc)`.as('n'),
    })
    .from(responses)
    .where(
      and(
        eq(responses.orgId, orgId),
        inArray(responses.clientId, clientIds),
        inArray(responses.instrumentId, ALLIANCE_FORMS),
        eq(responses.status, 'completed'),
        isNotNull(responses.total),
        isNotNull(responses.submittedAt),
        notSuperseded(),
      ),
    )
    .as('ranked');
  return db.select().from(ranked).where(lte(ranked.n, ALLIANCE_READ_PER_FORM)).orderBy(asc(ranked.submittedAt), asc(ranked.id));
}

/**
 * The page's appointments today (not cancelled), "today" being the clinic's date (its time zone
 * setting, UTC when unset), each with the rating decisions recorded for it.
 */
async function sessionsToday(db: Queryable, orgId: string, clientIds: string[], now: Date) {
  const zone = sql`coalesce((select ${organisations.settings}->>'timeZone' from ${organisations} where ${organisations.id} = ${orgId}), 'UTC')`;
  return db
    .select({
      id: appointments.id,
      clientId: appointments.clientId,
      startsAt: appointments.startsAt,
      status: appointments.status,
      ratingOutcome: sessionRatings.outcome,
      ratedBy: sessionRatings.userId,
    })
    .from(appointments)
    .leftJoin(sessionRatings, and(eq(sessionRatings.orgId, appointments.orgId), eq(sessionRatings.appointmentId, appointments.id)))
    .where(
      and(
        eq(appointments.orgId, orgId),
        inArray(appointments.clientId, clientIds),
        ne(appointments.status, 'cancelled'),
        // A day either side bounds the index scan; the zone test picks the clinic's today.
        gt(appointments.startsAt, new Date(now.getTime() - 36 * HOUR_MS)),
        lte(appointments.startsAt, new Date(now.getTime() + 36 * HOUR_MS)),
        sql`(${appointments.startsAt} at time zone ${zone})::date = (${now}::timestamptz at time zone ${zone})::date`,
      ),
    )
    .orderBy(asc(appointments.startsAt), asc(appointments.id));
}

export type CaseloadData = {
  rows: Awaited<ReturnType<typeof rankedPage>>;
  scores: Awaited<ReturnType<typeof latestScores>>;
  alliance: Awaited<ReturnType<typeof recentAllianceRatings>>;
  today: Awaited<ReturnType<typeof sessionsToday>>;
  visibility: AllianceVisibility;
};

/** Everything the caseload page shows, in the fixed set of queries described at the top of this file. */
export async function loadCaseload(db: Queryable, input: CaseloadInput): Promise<CaseloadData> {
  const visibility = await allianceVisibility(db, { orgId: input.orgId, clinicianUserId: input.userId, now: input.now });
  const rows = await rankedPage(db, input, visibility);
  // With no client on the page the detail queries still run (on an impossible id), so the number of
  // statements never depends on the data.
  const ids = rows.length > 0 ? rows.map((r) => r.id) : ['00000000-0000-0000-0000-000000000000'];
  const measures = [...new Set(rows.flatMap((r) => primaryMeasures(r.presentingProblem)))];
  const scores = await latestScores(db, input.orgId, ids, measures.length > 0 ? measures : ['phq9']);
  const alliance = await recentAllianceRatings(db, input.orgId, ids);
  const today = await sessionsToday(db, input.orgId, ids, input.now);
  return { rows, scores, alliance, today, visibility };
}
