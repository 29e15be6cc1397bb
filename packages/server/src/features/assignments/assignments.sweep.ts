import type { Logger } from 'pino';
import type { Db } from '../../db/database';
import type { episodes } from '../../db/schema';
import { resolveDays, resolveProtocol } from '../protocols/protocols.queries';
import { PLAN_WINDOW, planAssignments, type PlanAppointment, type PlanEpisode } from './assignments.plan';
import { assignmentsByKey, episodeAppointments, episodesToSweep, insertAssignment, messagingContext, queueSend, setAssignment } from './assignments.queries';

type EpisodeRow = typeof episodes.$inferSelect;
export type SweepCounts = { episodes: number; created: number; moved: number; cancelled: number };

/**
 * The protocol sweep (design 0001: reconciliation, not events). For each episode with something
 * possibly due, works out what its protocol asks for now ({@link planAssignments}) and makes the
 * database match: missing assignments are created (the dedupe key makes a second run, or a second
 * server, a no-op), scheduled ones follow a moved appointment, and a cancelled appointment cancels
 * them. Each episode is its own transaction; one that fails is logged and retried next minute.
 */
export async function sweepProtocols(db: Db, now: Date, logger?: Pick<Logger, 'warn'>): Promise<SweepCounts> {
  const totals: SweepCounts = { episodes: 0, created: 0, moved: 0, cancelled: 0 };
  for (const episode of await episodesToSweep(db, now, PLAN_WINDOW.lookbackMs)) {
    try {
      const counts = await reconcileEpisode(db, episode, now);
      totals.episodes += 1;
      totals.created += counts.created;
      totals.moved += counts.moved;
      totals.cancelled += counts.cancelled;
    } catch (error) {
      logger?.warn({ episodeId: episode.id, error: (error as Error).name }, 'protocol sweep failed for an episode');
    }
  }
  return totals;
}

/** An episode as the planner sees it (intake when it was opened, discharge on the day it ended). */
export const toPlanEpisode = (episode: EpisodeRow): PlanEpisode => ({
  id: episode.id,
  primaryClinicianId: episode.primaryClinicianId,
  openedAt: episode.createdAt,
  closedAt: episode.endedOn ? new Date(`${episode.endedOn}T00:00:00Z`) : null,
});

export const toPlanAppointment = (a: Awaited<ReturnType<typeof episodeAppointments>>[number]): PlanAppointment => ({
  id: a.id,
  startsAt: a.startsAt,
  durationMinutes: a.durationMinutes,
  status: a.status,
  kind: a.kind,
  clinicianId: a.clinicianId,
});

/** Makes one episode's assignments match its protocol at `now`, in one transaction. */
export async function reconcileEpisode(db: Db, episode: EpisodeRow, now: Date): Promise<Omit<SweepCounts, 'episodes'>> {
  return db.transaction(async (tx) => {
    const counts = { created: 0, moved: 0, cancelled: 0 };
    const context = await messagingContext(tx, episode.clientId);
    if (!context || context.client.status !== 'active') return counts;
    const protocol = await resolveProtocol(tx, episode.orgId, episode, { lock: true });
    const appointments = (await episodeAppointments(tx, episode.id)).map(toPlanAppointment);
    const plan = planAssignments(protocol, toPlanEpisode(episode), appointments, now);
    if (plan.length === 0) return counts;
    const existing = await assignmentsByKey(tx, episode.clientId, plan.map((p) => p.dedupeKey));
    const quiet = { timeZone: context.timeZone, quietHours: context.settings.quietHours };
    const reminderAfterDays = resolveDays(protocol.reminderAfterDays, context.settings.reminderAfterDays);
    const expiryDays = resolveDays(protocol.expiryDays, context.settings.linkExpiryDays);

    for (const planned of plan) {
      const current = existing.get(planned.dedupeKey);
      if (planned.action === 'cancel') {
        if (current?.status === 'scheduled') {
          await setAssignment(tx, current.id, { status: 'cancelled', cancelledAt: now, cancelReason: 'appointment_cancelled', updatedAt: now });
          counts.cancelled += 1;
        }
        continue;
      }
      if (current) {
        if (current.status === 'scheduled' && current.scheduledFor.getTime() !== planned.dueAt.getTime()) {
          const moved = await setAssignment(tx, current.id, { scheduledFor: planned.dueAt, updatedAt: now });
          if (moved.channel !== 'in_session') await queueSend(tx, moved, quiet);
          counts.moved += 1;
        }
        continue;
      }
      if (planned.action !== 'ensure') continue;
      const clinicianAnswers = planned.respondent === 'clinician';
      const created = await insertAssignment(tx, {
        orgId: episode.orgId,
        clientId: episode.clientId,
        episodeId: episode.id,
        appointmentId: planned.appointmentId,
        protocolId: protocol.id,
        dedupeKey: planned.dedupeKey,
        instrumentIds: planned.instrumentIds,
        respondent: planned.respondent,
        respondentUserId: planned.respondentUserId,
        channel: planned.channel,
        status: 'scheduled',
        scheduledFor: planned.dueAt,
        // A clinician's own questionnaires are answered in the app: no reminder, never expire.
        reminderAfterDays: clinicianAnswers ? null : reminderAfterDays,
        expiryDays: clinicianAnswers ? null : expiryDays,
        createdAt: now,
        updatedAt: now,
      });
      if (!created) continue;
      counts.created += 1;
      if (created.channel !== 'in_session') await queueSend(tx, created, quiet);
    }
    return counts;
  });
}
