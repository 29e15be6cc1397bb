import type { ResolvedProtocol } from './protocols.queries';

/** The only shape of a protocol sent out (stored or the built-in default). */
export function presentProtocol(p: ResolvedProtocol) {
  return {
    id: p.id,
    source: p.source,
    programmeId: p.programmeId,
    episodeId: p.episodeId,
    name: p.name,
    rules: p.rules.map((r) => ({ id: r.id, instrumentIds: [...r.instrumentIds], respondent: r.respondent, trigger: { ...r.trigger } })),
    reminderAfterDays: p.reminderAfterDays,
    expiryDays: p.expiryDays,
    version: p.version,
    createdAt: p.createdAt?.toISOString() ?? null,
    updatedAt: p.updatedAt?.toISOString() ?? null,
    archivedAt: p.archivedAt?.toISOString() ?? null,
  };
}
