import { randomUUID } from 'node:crypto';
import { and, asc, eq, lt } from 'drizzle-orm';
import { getInstrument, scoreResponse, type InstrumentDefinition } from '@rapport/instruments';
import type { Queryable } from '../db/database';
import { alerts, appointments, clients, episodes, memberships, responses } from '../db/schema';
import { seededRandom } from '../lib/random';
import { answersFor, blindClientRatedAt, fitsDemoBlindSession } from './demo.model';
import { scoredResponseColumns } from '../features/instruments/org-instruments';
import { riskAlertsFor } from '../features/alerts/alert-rules';
import { insertAnsweredAssignments } from './demo.followup';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type ResponseInsert = typeof responses.$inferInsert;

/** A session the client rated and their clinician has not yet: its rating is owed (see demo.delivery.ts). */
export type DemoBlindSession = { appointmentId: string; clientId: string; episodeId: string; clinicianId: string; startsAt: Date };

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * Months of completed questionnaires for the demo clinic, from a seeded model so every machine gets
 * the same charts: PHQ-9, GAD-7 and CORE-10 at intake; PHQ-9 and GAD-7 the day before each attended
 * treatment session (the default protocol); the alliance check from client and therapist after each
 * attended session. Each client has a starting severity and a rate of change (most improve, some
 * stall, a few get worse); the therapist's alliance rating tracks the client's with their own bias.
 * Scored with the instruments library and stored exactly as a submission stores them. One client's
 * latest PHQ-9 has item 9 endorsed, with its open urgent alert. Bulk inserts, in the caller's
 * transaction.
 */
export async function seedDemoResponses(tx: Queryable, options: { orgId: string; now: Date; seed?: number }) {
  const { orgId, now } = options;
  const rnd = seededRandom((options.seed ?? 20261125) ^ 0x5eed);
  const phq9 = getInstrument('phq9');
  const gad7 = getInstrument('gad7');
  const core10 = getInstrument('core10');
  const allianceClient = getInstrument('rapport_alliance');
  const allianceTherapist = getInstrument('rapport_alliance_therapist');

  // Ordered by something the seed fixes (the client's generated email), not by random ids, so the
  // model gives each client the same course on every machine.
  const episodeRows = (
    await tx
      .select({ episode: episodes })
      .from(episodes)
      .innerJoin(clients, eq(clients.id, episodes.clientId))
      .where(eq(episodes.orgId, orgId))
      .orderBy(asc(clients.email), asc(episodes.startedOn))
  ).map((r) => r.episode);
  const visits = await tx
    .select()
    .from(appointments)
    .where(and(eq(appointments.orgId, orgId), eq(appointments.status, 'attended'), lt(appointments.startsAt, now)))
    .orderBy(asc(appointments.startsAt));

  // Issue 5's demo: the experienced therapist rates the alliance above the client on average, the
  // trainee below (the founding brief's finding), each with a little per-client noise.
  const trainees = new Set(
    (await tx.select({ userId: memberships.userId, trainee: memberships.trainee }).from(memberships).where(eq(memberships.orgId, orgId))).filter((m) => m.trainee).map((m) => m.userId),
  );

  const rows: ResponseInsert[] = [];
  let latestPhq9: ResponseInsert | null = null;
  let riskClientIndex = -1;
  /** Per clinician, the one recent session their client rated and they have not yet (blind rating shows on their screens). */
  const blindSessions = new Map<string, DemoBlindSession>();

  const add = (
    definition: InstrumentDefinition,
    answers: Record<string, number>,
    base: { clientId: string; episodeId: string; appointmentId: string | null; submittedAt: Date; submissionId: string; respondentUserId?: string },
  ): ResponseInsert => {
    const row: ResponseInsert = {
      id: randomUUID(),
      orgId,
      clientId: base.clientId,
      episodeId: base.episodeId,
      appointmentId: base.appointmentId,
      instrumentId: definition.id,
      instrumentVersion: definition.version,
      respondent: definition.respondent,
      respondentUserId: base.respondentUserId ?? null,
      status: 'completed',
      submissionId: base.submissionId,
      answers,
      ...scoredResponseColumns(scoreResponse(definition.id, answers), definition),
      channel: definition.respondent === 'clinician' ? 'in_session' : 'email',
      startedAt: new Date(base.submittedAt.getTime() - rnd.int(2, 9) * 60_000),
      submittedAt: base.submittedAt,
      createdAt: base.submittedAt,
    };
    rows.push(row);
    return row;
  };

  episodeRows.forEach((episode, index) => {
    const attended = visits.filter((v) => v.episodeId === episode.id);
    if (attended.length === 0) return;
    const start = clamp01(rnd.normal(0.55, 0.15));
    const course = rnd.next();
    // Most improve, some stall, a few deteriorate (per session, as a share of the range).
    const perSession = course < 0.7 ? rnd.normal(0.035, 0.012) : course < 0.9 ? rnd.normal(0.005, 0.005) : -rnd.normal(0.02, 0.008);
    const anxiety = clamp01(start + rnd.normal(0, 0.1));
    const alliance = clamp01(rnd.normal(0.7, 0.1));
    const therapistBias = (trainees.has(episode.primaryClinicianId) ? -0.07 : 0.1) + rnd.normal(0, 0.02);
    // Ruptures at the fifth session: one client in five repairs the next session, one in five stays low.
    const rupture = attended.length >= 6 ? (index % 5 === 1 ? 'repaired' : index % 5 === 3 ? 'unrepaired' : null) : null;
    const clinicianId = episode.primaryClinicianId;
    const isRiskClient = riskClientIndex < 0 && attended.length >= 4;
    if (isRiskClient) riskClientIndex = index;

    const intake = attended[0]!;
    const intakeAt = new Date(intake.startsAt.getTime() - DAY + rnd.int(0, 6) * HOUR);
    const intakeBase = { clientId: episode.clientId, episodeId: episode.id, appointmentId: intake.id, submittedAt: intakeAt, submissionId: randomUUID() };
    add(phq9, answersFor(phq9, start, rnd), intakeBase);
    add(gad7, answersFor(gad7, anxiety, rnd), intakeBase);
    add(core10, answersFor(core10, start * 0.85, rnd), intakeBase);

    attended.forEach((visit, session) => {
      const level = (shift: number, by = 1) => clamp01(shift - perSession * session * by + rnd.normal(0, 0.05));
      const last = session === attended.length - 1;
      if (session > 0 && (rnd.chance(0.9) || (isRiskClient && last))) {
        const base = { clientId: episode.clientId, episodeId: episode.id, appointmentId: visit.id, submittedAt: new Date(visit.startsAt.getTime() - DAY + rnd.int(0, 8) * HOUR), submissionId: randomUUID() };
        const endorse: Record<string, number> = isRiskClient && last ? { phq9_9: 1 } : {};
        const phq = add(phq9, answersFor(phq9, level(start), rnd, endorse), base);
        if (isRiskClient && last) latestPhq9 = phq;
        add(gad7, answersFor(gad7, level(anxiety, 0.8), rnd), base);
      }
      // Each clinician's first client whose last session fits a blind session: the client has rated
      // it, the clinician not yet, so the demo shows a blind session at any hour (not left to chance).
      const blind = last && !blindSessions.has(clinicianId) && fitsDemoBlindSession(visit.startsAt, now);
      const after = blind ? blindClientRatedAt(visit.startsAt) : new Date(visit.startsAt.getTime() + 2 * HOUR + rnd.int(0, 20) * HOUR);
      if (after.getTime() >= now.getTime()) return;
      if (blind) blindSessions.set(clinicianId, { appointmentId: visit.id, clientId: episode.clientId, episodeId: episode.id, clinicianId, startsAt: visit.startsAt });
      const ruptured = rupture !== null && session >= 4 && (rupture === 'unrepaired' || session === 4);
      const bond = clamp01(alliance + session * 0.01 - (ruptured ? 0.3 : 0) + rnd.normal(0, 0.04));
      if (blind || rnd.chance(0.85)) add(allianceClient, answersFor(allianceClient, bond, rnd), { clientId: episode.clientId, episodeId: episode.id, appointmentId: visit.id, submittedAt: after, submissionId: randomUUID() });
      if (!blind && rnd.chance(0.95)) {
        add(allianceTherapist, answersFor(allianceTherapist, clamp01(bond + (ruptured ? 0.22 : 0) + therapistBias), rnd), {
          clientId: episode.clientId,
          episodeId: episode.id,
          appointmentId: visit.id,
          submittedAt: new Date(after.getTime() - HOUR),
          submissionId: randomUUID(),
          respondentUserId: clinicianId,
        });
      }
    });
  });

  await insertAnsweredAssignments(tx, orgId, rows, options.seed ?? 20261125);
  for (let i = 0; i < rows.length; i += 500) await tx.insert(responses).values(rows.slice(i, i + 500));

  let alertCount = 0;
  const risky = latestPhq9 as ResponseInsert | null;
  if (risky) {
    const result = scoreResponse('phq9', risky.answers);
    const raised = riskAlertsFor(result, phq9, { orgId, clientId: risky.clientId, episodeId: risky.episodeId, responseId: risky.id!, answers: risky.answers });
    if (raised.length > 0) {
      await tx.insert(alerts).values(raised.map((a) => ({ ...a, createdAt: risky.submittedAt! })));
      alertCount = raised.length;
    }
  }
  return { responses: rows.length, alerts: alertCount, blindSessions: [...blindSessions.values()] };
}
