import { and, asc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { appointments, clients, episodes, memberships, responses } from '../../db/schema';

/**
 * Everything the read side of issue 5 (alliance series, trajectories, dropout risk, outcomes, the
 * validity report) needs about one episode, loaded in a few set-based queries for many episodes at
 * once, so the same pure functions serve one client's page and a whole organisation's report.
 */

/** A completed, scored response (corrections applied: a superseded original is dropped). */
export type ScoredResponse = {
  id: string;
  instrumentId: string;
  respondent: 'client' | 'clinician';
  respondentUserId: string | null;
  appointmentId: string | null;
  total: number;
  answers: Record<string, number | null>;
  subscales: Record<string, unknown> | null;
  submittedAt: Date;
};

export type EpisodeAppointment = { id: string; startsAt: Date; status: string; cancelledBy: string | null; kind: string };

export type EpisodeData = {
  id: string;
  orgId: string;
  clientId: string;
  primaryClinicianId: string;
  presentingProblem: string | null;
  startedOn: string;
  endedOn: string | null;
  endReason: string | null;
  traineeTherapist: boolean;
  dateOfBirth: string | null;
  /** Oldest first. */
  appointments: EpisodeAppointment[];
  /** Oldest first (by submission). */
  responses: ScoredResponse[];
};

/** Loads episodes (by id, or every episode of a client, or every closed episode of an organisation) with their appointments and responses. */
export async function loadEpisodes(db: Queryable, filter: { orgId: string; clientId?: string; episodeIds?: readonly string[]; closedOnly?: boolean }): Promise<EpisodeData[]> {
  if (filter.episodeIds && filter.episodeIds.length === 0) return [];
  const rows = await db
    .select({ episode: episodes, dateOfBirth: clients.dateOfBirth, trainee: memberships.trainee })
    .from(episodes)
    .innerJoin(clients, eq(clients.id, episodes.clientId))
    .leftJoin(memberships, and(eq(memberships.userId, episodes.primaryClinicianId), eq(memberships.orgId, episodes.orgId)))
    .where(
      and(
        eq(episodes.orgId, filter.orgId),
        filter.clientId ? eq(episodes.clientId, filter.clientId) : undefined,
        filter.episodeIds ? inArray(episodes.id, [...filter.episodeIds]) : undefined,
        filter.closedOnly ? isNotNull(episodes.endedOn) : undefined,
      ),
    )
    .orderBy(asc(episodes.startedOn), asc(episodes.createdAt));
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.episode.id);
  const byEpisode = new Map<string, EpisodeData>(
    rows.map(({ episode, dateOfBirth, trainee }) => [
      episode.id,
      {
        id: episode.id,
        orgId: episode.orgId,
        clientId: episode.clientId,
        primaryClinicianId: episode.primaryClinicianId,
        presentingProblem: episode.presentingProblem,
        startedOn: episode.startedOn,
        endedOn: episode.endedOn,
        endReason: episode.endReason,
        traineeTherapist: trainee ?? false,
        dateOfBirth,
        appointments: [],
        responses: [],
      },
    ]),
  );
  // Chunked so an organisation-wide report never builds one giant IN list.
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const visits = await db
      .select({ id: appointments.id, episodeId: appointments.episodeId, startsAt: appointments.startsAt, status: appointments.status, cancelledBy: appointments.cancelledBy, kind: appointments.kind })
      .from(appointments)
      .where(and(eq(appointments.orgId, filter.orgId), inArray(appointments.episodeId, chunk)))
      .orderBy(asc(appointments.startsAt), asc(appointments.id));
    for (const v of visits) byEpisode.get(v.episodeId!)?.appointments.push({ id: v.id, startsAt: v.startsAt, status: v.status, cancelledBy: v.cancelledBy, kind: v.kind });
    const answered = await db
      .select({
        id: responses.id,
        episodeId: responses.episodeId,
        instrumentId: responses.instrumentId,
        respondent: responses.respondent,
        respondentUserId: responses.respondentUserId,
        appointmentId: responses.appointmentId,
        total: responses.total,
        answers: responses.answers,
        subscales: responses.subscales,
        submittedAt: responses.submittedAt,
        supersedesId: responses.supersedesId,
      })
      .from(responses)
      .where(and(eq(responses.orgId, filter.orgId), inArray(responses.episodeId, chunk), eq(responses.status, 'completed'), isNotNull(responses.total), isNotNull(responses.submittedAt)))
      .orderBy(asc(responses.submittedAt), asc(responses.createdAt), asc(responses.id));
    const superseded = new Set(answered.map((r) => r.supersedesId).filter((id): id is string => !!id));
    for (const r of answered) {
      if (superseded.has(r.id)) continue;
      byEpisode.get(r.episodeId!)?.responses.push({
        id: r.id,
        instrumentId: r.instrumentId,
        respondent: r.respondent,
        respondentUserId: r.respondentUserId,
        appointmentId: r.appointmentId,
        total: Number(r.total),
        answers: r.answers,
        subscales: r.subscales,
        submittedAt: r.submittedAt!,
      });
    }
  }
  return [...byEpisode.values()];
}

/**
 * The organisation's client ratings on an alliance instrument by the rating's number within its
 * episode (1 = the first), for the lowest-decile low-alliance rule. One query for all session numbers.
 */
export async function organisationAllianceScores(db: Queryable, orgId: string, instrumentId: string, maxSessionNumber: number): Promise<Map<number, number[]>> {
  const result = (await db.execute(sql`
    select n::int as n, total from (
      select ${responses.total} as total,
             row_number() over (partition by ${responses.episodeId} order by ${responses.submittedAt}, ${responses.createdAt}) as n
      from ${responses}
      where ${responses.orgId} = ${orgId} and ${responses.instrumentId} = ${instrumentId} and ${responses.respondent} = 'client'
        and ${responses.status} = 'completed' and ${responses.total} is not null and ${responses.episodeId} is not null
    ) ranked where n <= ${maxSessionNumber}`)) as unknown as { rows: { n: number; total: string }[] };
  const bySession = new Map<number, number[]>();
  for (const row of result.rows) bySession.set(Number(row.n), [...(bySession.get(Number(row.n)) ?? []), Number(row.total)]);
  return bySession;
}
