import { and, asc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { appointments, assignments, auditEvents, episodes, protocols, type AssignmentCancelReason } from '../../db/schema';
import { protocolInForce, type ResolvedProtocol } from '../protocols/protocols.queries';
import { planTriggers, type TriggerInstance } from './assignments.plan';
import type { AssignmentRow } from './assignments.queries';
import { toPlanAppointment, toPlanEpisode } from './assignments.sweep';

/**
 * Which still-scheduled, protocol-made assignments a change may have orphaned:
 * - `protocolId`: that protocol was edited or archived;
 * - `episodeId`: the episode's own protocol was set, changed or removed, or its programme changed;
 * - `programmeId`: a programme's protocol (or, with null, the organisation's default) was created.
 */
export type ProtocolChangeScope = { protocolId: string } | { episodeId: string } | { programmeId: string | null };

export type ProtocolChangeResult = { cancelled: number; kept: number };

/** What to do with one scheduled assignment once its episode's protocol may have changed. */
export type OrphanDecision = { action: 'keep' } | { action: 'adopt'; protocolId: string | null } | { action: 'cancel'; reason: AssignmentCancelReason };

const sameIds = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((id, i) => id === b[i]);

/**
 * Pure: whether a scheduled assignment still matches the protocol now in force. It matches when the
 * protocol still makes the same trigger instance (its dedupe key) with the same instruments and
 * respondent; one made by another protocol that now makes exactly the same is adopted. Otherwise it
 * is cancelled: its rule was removed or changed (same protocol), its protocol archived, or the
 * episode now follows another protocol.
 */
export function decideOrphan(
  assignment: Pick<AssignmentRow, 'protocolId' | 'dedupeKey' | 'instrumentIds' | 'respondent'>,
  protocol: Pick<ResolvedProtocol, 'id' | 'rules'>,
  triggers: ReadonlyMap<string, TriggerInstance>,
  isProtocolArchived: (protocolId: string) => boolean,
): OrphanDecision {
  const instance = triggers.get(assignment.dedupeKey ?? '');
  const sameProtocol = (assignment.protocolId ?? null) === protocol.id;
  if (instance && instance.respondent === assignment.respondent && sameIds(instance.instrumentIds, assignment.instrumentIds)) {
    return sameProtocol ? { action: 'keep' } : { action: 'adopt', protocolId: protocol.id };
  }
  if (sameProtocol) {
    const ruleId = (assignment.dedupeKey ?? '').split(':')[0];
    return { action: 'cancel', reason: protocol.rules.some((r) => r.id === ruleId) ? 'rule_changed' : 'rule_removed' };
  }
  return { action: 'cancel', reason: assignment.protocolId && isProtocolArchived(assignment.protocolId) ? 'protocol_archived' : 'protocol_replaced' };
}

/**
 * Cancels the still-scheduled assignments that a protocol change left without a rule (issue 4):
 * call it inside the transaction of the change, after the change. Assignments already sent (or
 * opened, in progress) keep working: a client may be mid-questionnaire. Each cancelled assignment
 * gets its reason and its own audit event, and its dedupe key is released (suffixed with its id),
 * so the protocol now in force can make its own for the same trigger.
 */
export async function cancelOrphanedAssignments(
  tx: Queryable,
  input: { orgId: string; scope: ProtocolChangeScope; now: Date; actorId: string; requestId: string },
): Promise<ProtocolChangeResult> {
  const { orgId, scope, now } = input;
  const scopeFilter =
    'protocolId' in scope
      ? eq(assignments.protocolId, scope.protocolId)
      : 'episodeId' in scope
        ? eq(assignments.episodeId, scope.episodeId)
        : scope.programmeId
          ? sql`${assignments.episodeId} in (select ${episodes.id} from ${episodes} where ${episodes.programmeId} = ${scope.programmeId})`
          : undefined;
  const candidates = await tx
    .select()
    .from(assignments)
    .where(and(eq(assignments.orgId, orgId), eq(assignments.status, 'scheduled'), isNotNull(assignments.dedupeKey), isNotNull(assignments.episodeId), scopeFilter))
    .for('update');
  const result: ProtocolChangeResult = { cancelled: 0, kept: 0 };
  if (candidates.length === 0) return result;

  const allProtocols = await tx.select().from(protocols).where(eq(protocols.orgId, orgId));
  const archived = new Set(allProtocols.filter((p) => p.archivedAt).map((p) => p.id));
  const episodeIds = [...new Set(candidates.map((a) => a.episodeId!))];
  const episodeRows = await tx
    .select()
    .from(episodes)
    .where(and(eq(episodes.orgId, orgId), inArray(episodes.id, episodeIds)));
  const appointmentRows = await tx.select().from(appointments).where(inArray(appointments.episodeId, episodeIds)).orderBy(asc(appointments.startsAt));

  // Decide every candidate first, then write in a few statements (an edit may touch many episodes).
  const groupBy = <T>(rows: readonly T[], key: (row: T) => string | null) => {
    const out = new Map<string | null, T[]>();
    for (const row of rows) out.set(key(row), [...(out.get(key(row)) ?? []), row]);
    return out;
  };
  const appointmentsOf = groupBy(appointmentRows, (a) => a.episodeId);
  const candidatesOf = groupBy(candidates, (a) => a.episodeId);
  const cancelled = new Map<AssignmentCancelReason, AssignmentRow[]>();
  const adopted = new Map<string | null, string[]>();
  for (const episode of episodeRows) {
    const protocol = protocolInForce(allProtocols, episode);
    const ofEpisode = (appointmentsOf.get(episode.id) ?? []).map(toPlanAppointment);
    const triggers = new Map(planTriggers(protocol, toPlanEpisode(episode), ofEpisode).map((t) => [t.dedupeKey, t]));
    for (const assignment of candidatesOf.get(episode.id) ?? []) {
      const decision = decideOrphan(assignment, protocol, triggers, (id) => archived.has(id));
      if (decision.action === 'cancel') cancelled.set(decision.reason, [...(cancelled.get(decision.reason) ?? []), assignment]);
      else {
        result.kept += 1;
        if (decision.action === 'adopt') adopted.set(decision.protocolId, [...(adopted.get(decision.protocolId) ?? []), assignment.id]);
      }
    }
  }
  for (const [protocolId, ids] of adopted) {
    await tx.update(assignments).set({ protocolId, updatedAt: now }).where(inArray(assignments.id, ids));
  }
  for (const [reason, rows] of cancelled) {
    await tx
      .update(assignments)
      .set({ status: 'cancelled', cancelledAt: now, cancelReason: reason, dedupeKey: sql`${assignments.dedupeKey} || '#' || ${assignments.id}`, updatedAt: now })
      .where(inArray(assignments.id, rows.map((a) => a.id)));
    result.cancelled += rows.length;
  }
  // One audit event per cancelled assignment, against its client (as recordAudit writes them).
  const events = [...cancelled.values()].flat().map((a) => ({
    orgId,
    actorKind: 'user' as const,
    actorId: input.actorId,
    action: 'assignment.cancel_by_protocol',
    clientId: a.clientId,
    entityType: 'assignment',
    entityId: a.id,
    requestId: input.requestId,
    outcome: 'success' as const,
    at: now,
  }));
  if (events.length > 0) await tx.insert(auditEvents).values(events);
  return result;
}
