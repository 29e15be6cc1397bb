import { randomUUID } from 'node:crypto';
import { getInstrument, scoreResponse } from '@rapport/instruments';
import type { Queryable } from '../db/database';
import { appointments, careTeamMembers, clients, episodeOutcomes, episodes, responses } from '../db/schema';
import { seededRandom } from '../lib/random';
import { scoredResponseColumns } from '../features/instruments/org-instruments';
import type { EpisodeData } from '../features/alliance/episode-data';
import { episodeOutcomeOf } from '../features/outcomes/outcomes.compute';
import type { PresentingProblem } from '../features/episodes/episodes.schema';
import { simulateEpisode, type TherapistStyle } from './demo.model';
import { insertAnsweredAssignments } from './demo.followup';

const WEEK = 7 * 86_400_000;
const GIVEN = ['Ada', 'Bilal', 'Cora', 'Dario', 'Esme', 'Farid', 'Gita', 'Hana', 'Ivo', 'Jade', 'Kofi', 'Lina', 'Marek', 'Nia', 'Oren', 'Pia'];
const FAMILY = ['Abbott', 'Brun', 'Chen', 'Diallo', 'Eriksen', 'Fontaine', 'Gomez', 'Haddad', 'Ivanova', 'Jones', 'Kowalski', 'Laurent'];
const PROBLEMS: PresentingProblem[] = ['depression', 'gad', 'mixed', 'depression', 'social_anxiety', 'panic'];

type Insert<T extends { $inferInsert: unknown }> = T['$inferInsert'];

/**
 * The demo clinic's past (and, at 2,000 clients, the synthetic cohort): `count` clients, each with
 * one episode simulated by `simulateEpisode` from a start 30–60 weeks before `now`, so nearly all
 * have ended (completed, dropped out, referred on). Scored exactly as a submission stores them,
 * with each episode's outcome (`episode_outcomes`). Bulk inserts in the caller's transaction; the
 * same seed gives the same clinic on every machine.
 */
export async function seedEpisodeHistory(
  tx: Queryable,
  options: { orgId: string; now: Date; therapists: readonly TherapistStyle[]; count: number; seed: number; programmeId?: string | null; emailDomain?: string },
): Promise<{ episodes: number; closed: number; responses: number }> {
  const rnd = seededRandom(options.seed);
  const { orgId, now } = options;
  const clientRows: Insert<typeof clients>[] = [];
  const teamRows: Insert<typeof careTeamMembers>[] = [];
  const episodeRows: Insert<typeof episodes>[] = [];
  const appointmentRows: Insert<typeof appointments>[] = [];
  const responseRows: Insert<typeof responses>[] = [];
  const outcomeRows: Insert<typeof episodeOutcomes>[] = [];
  let closed = 0;

  for (let i = 0; i < options.count; i++) {
    const therapist = options.therapists[i % options.therapists.length]!;
    const clientId = randomUUID();
    const episodeId = randomUUID();
    const given = GIVEN[i % GIVEN.length]!;
    clientRows.push({
      id: clientId,
      orgId,
      givenName: given,
      familyName: FAMILY[(i * 5) % FAMILY.length]!,
      email: `${given.toLowerCase()}.past${i}@${options.emailDomain ?? 'example.org'}`,
      status: 'inactive',
      createdAt: now,
      updatedAt: now,
    });
    teamRows.push({ orgId, clientId, userId: therapist.userId, addedAt: now });
    const start = new Date(now.getTime() - rnd.int(30, 60) * WEEK);
    const course = simulateEpisode(rnd, { start, now, therapist });
    const presentingProblem = rnd.pick(PROBLEMS);
    episodeRows.push({
      id: episodeId,
      orgId,
      clientId,
      programmeId: options.programmeId ?? null,
      primaryClinicianId: therapist.userId,
      presentingProblem,
      startedOn: start.toISOString().slice(0, 10),
      endedOn: course.endedOn,
      endReason: course.endReason,
      createdAt: now,
    });
    if (course.endedOn) closed++;
    const visitIds = course.appointments.map(() => randomUUID());
    course.appointments.forEach((a, k) =>
      appointmentRows.push({ id: visitIds[k]!, orgId, clientId, episodeId, clinicianId: therapist.userId, startsAt: a.startsAt, kind: a.kind, status: a.status, cancelledBy: a.cancelledBy, createdAt: now, updatedAt: now }),
    );
    const data: EpisodeData = {
      id: episodeId,
      orgId,
      clientId,
      primaryClinicianId: therapist.userId,
      presentingProblem,
      startedOn: start.toISOString().slice(0, 10),
      endedOn: course.endedOn,
      endReason: course.endReason,
      traineeTherapist: therapist.trainee,
      dateOfBirth: null,
      appointments: course.appointments.map((a, k) => ({ id: visitIds[k]!, startsAt: a.startsAt, status: a.status, cancelledBy: a.cancelledBy, kind: a.kind })),
      responses: [],
    };
    for (const r of [...course.responses].sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime())) {
      const definition = getInstrument(r.instrumentId);
      const scored = scoredResponseColumns(scoreResponse(r.instrumentId, r.answers), definition);
      const id = randomUUID();
      responseRows.push({
        id,
        orgId,
        clientId,
        episodeId,
        appointmentId: visitIds[r.appointmentIndex]!,
        instrumentId: r.instrumentId,
        instrumentVersion: definition.version,
        respondent: definition.respondent,
        respondentUserId: r.respondentUserId,
        status: 'completed',
        submissionId: randomUUID(),
        answers: r.answers,
        ...scored,
        channel: definition.respondent === 'clinician' ? 'in_session' : 'email',
        startedAt: new Date(r.submittedAt.getTime() - 5 * 60_000),
        submittedAt: r.submittedAt,
        createdAt: r.submittedAt,
      });
      data.responses.push({
        id,
        instrumentId: r.instrumentId,
        respondent: definition.respondent,
        respondentUserId: r.respondentUserId,
        appointmentId: visitIds[r.appointmentIndex]!,
        total: Number(scored.total),
        answers: r.answers,
        subscales: scored.subscales,
        submittedAt: r.submittedAt,
      });
    }
    outcomeRows.push({ orgId, clientId, episodeId, ...episodeOutcomeOf(data), computedAt: now });
  }

  const chunked = async <T>(rows: T[], size: number, insert: (chunk: T[]) => Promise<unknown>) => {
    for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
  };
  await chunked(clientRows, 500, (c) => tx.insert(clients).values(c));
  await chunked(teamRows, 1000, (c) => tx.insert(careTeamMembers).values(c));
  await chunked(episodeRows, 500, (c) => tx.insert(episodes).values(c));
  await chunked(appointmentRows, 1000, (c) => tx.insert(appointments).values(c));
  await insertAnsweredAssignments(tx, orgId, responseRows, options.seed);
  await chunked(responseRows, 500, (c) => tx.insert(responses).values(c));
  await chunked(outcomeRows, 500, (c) => tx.insert(episodeOutcomes).values(c));
  return { episodes: episodeRows.length, closed, responses: responseRows.length };
}
