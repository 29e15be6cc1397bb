import type { AssignmentRow, MessageRow } from './assignments.queries';

/** The only shape of an assignment sent out, with the messages sent about it. */
export function presentAssignment(a: AssignmentRow, sent: readonly MessageRow[]) {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: a.id,
    clientId: a.clientId,
    episodeId: a.episodeId,
    appointmentId: a.appointmentId,
    protocolId: a.protocolId,
    ruleId: a.dedupeKey ? a.dedupeKey.split(':')[0]! : null,
    instrumentIds: a.instrumentIds,
    respondent: a.respondent,
    respondentUserId: a.respondentUserId,
    channel: a.channel,
    status: a.status,
    scheduledFor: a.scheduledFor.toISOString(),
    sentAt: iso(a.sentAt),
    openedAt: iso(a.openedAt),
    completedAt: iso(a.completedAt),
    expiresAt: iso(a.expiresAt),
    cancelledAt: iso(a.cancelledAt),
    cancelReason: a.cancelReason,
    createdBy: a.createdBy,
    createdAt: a.createdAt.toISOString(),
    deliveryProblem:
      a.status === 'scheduled' && sent.some((m) => m.status === 'skipped' && m.skipReason === 'no_consented_channel') ? ('no_consented_channel' as const) : null,
    messages: sent
      .filter((m) => m.status !== 'skipped')
      .map((m) => ({ kind: m.key.split(':').slice(2).join(':'), channel: m.channel, status: m.status, sentAt: iso(m.sentAt) })),
  };
}
