import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import { getInstrument, hasInstrument } from '@rapport/instruments';
import type { Queryable } from '../../db/database';
import { episodes, orgInstruments, protocols, type ProtocolRule } from '../../db/schema';
import { badRequest } from '../../errors';
import { BUILT_IN_PROTOCOL } from './built-in-protocol';
import type { ProtocolDays } from './protocols.schema';

export type ProtocolRow = typeof protocols.$inferSelect;

/** Where the protocol in force for an episode comes from, most specific first. */
export type ProtocolSource = 'episode' | 'programme' | 'organisation' | 'built_in';

/** A protocol as the rest of the server uses it (stored or built in), with its days decoded. */
export type ResolvedProtocol = {
  id: string | null;
  source: ProtocolSource;
  programmeId: string | null;
  episodeId: string | null;
  name: string;
  rules: readonly ProtocolRule[];
  reminderAfterDays: ProtocolDays;
  expiryDays: ProtocolDays;
  version: number;
  createdAt: Date | null;
  updatedAt: Date | null;
  archivedAt: Date | null;
};

/**
 * Reminder and expiry days as stored: null = follow the organisation, 0 = none, 1–30 = days. (The
 * API says `"organisation"`, `null` and a number; see `protocolDays`.)
 */
export function daysToColumn(days: ProtocolDays): number | null {
  return days === 'organisation' ? null : days === null ? 0 : days;
}

export function daysFromColumn(value: number | null): ProtocolDays {
  return value === null ? 'organisation' : value === 0 ? null : value;
}

/** The number of days in force (null = none), given the organisation's own setting. */
export function resolveDays(days: ProtocolDays, organisationDays: number | null): number | null {
  return days === 'organisation' ? organisationDays : days;
}

export function fromRow(row: ProtocolRow): ResolvedProtocol {
  return {
    id: row.id,
    source: row.episodeId ? 'episode' : row.programmeId ? 'programme' : 'organisation',
    programmeId: row.programmeId,
    episodeId: row.episodeId,
    name: row.name,
    rules: row.rules,
    reminderAfterDays: daysFromColumn(row.reminderAfterDays),
    expiryDays: daysFromColumn(row.expiryDays),
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    archivedAt: row.archivedAt,
  };
}

export const builtInProtocol: ResolvedProtocol = Object.freeze({
  id: null,
  source: 'built_in',
  programmeId: null,
  episodeId: null,
  name: BUILT_IN_PROTOCOL.name,
  rules: BUILT_IN_PROTOCOL.rules,
  reminderAfterDays: BUILT_IN_PROTOCOL.reminderAfterDays,
  expiryDays: BUILT_IN_PROTOCOL.expiryDays,
  version: 1,
  createdAt: null,
  updatedAt: null,
  archivedAt: null,
});

/**
 * The protocol in force for an episode: its own, else its programme's, else the organisation's
 * default, else the built-in default. Archived protocols never apply. One query.
 */
export async function resolveProtocol(
  db: Queryable,
  orgId: string,
  episode: { id: string; programmeId: string | null },
  options: { lock?: boolean } = {},
): Promise<ResolvedProtocol> {
  const query = db
    .select()
    .from(protocols)
    .where(and(eq(protocols.orgId, orgId), isNull(protocols.archivedAt)))
    .orderBy(desc(protocols.createdAt));
  // The sweep holds its protocols until it commits, so an edit or archive waits for it and then
  // sees (and cancels) what it made from the old rules.
  return protocolInForce(options.lock ? await query.for('share') : await query, episode);
}

/** {@link resolveProtocol} over rows already read (live and archived; archived ones are skipped). */
export function protocolInForce(rows: readonly ProtocolRow[], episode: { id: string; programmeId: string | null }): ResolvedProtocol {
  const live = rows.filter((r) => !r.archivedAt).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const episodeRow = live.find((r) => r.episodeId === episode.id);
  const programmeRow = episode.programmeId ? live.find((r) => !r.episodeId && r.programmeId === episode.programmeId) : undefined;
  const orgRow = live.find((r) => !r.episodeId && !r.programmeId);
  const row = episodeRow ?? programmeRow ?? orgRow;
  return row ? fromRow(row) : builtInProtocol;
}

/** The organisation's and programmes' protocols (episode overrides are read through their episode). */
export async function listProtocols(db: Queryable, orgId: string, filter: { programmeId?: string; includeArchived: boolean }) {
  return db
    .select()
    .from(protocols)
    .where(
      and(
        eq(protocols.orgId, orgId),
        isNull(protocols.episodeId),
        filter.programmeId ? eq(protocols.programmeId, filter.programmeId) : undefined,
        filter.includeArchived ? undefined : isNull(protocols.archivedAt),
      ),
    )
    .orderBy(desc(protocols.createdAt), desc(protocols.id));
}

export async function getProtocol(db: Queryable, orgId: string, protocolId: string): Promise<ProtocolRow | null> {
  const [row] = await db.select().from(protocols).where(and(eq(protocols.orgId, orgId), eq(protocols.id, protocolId))).limit(1);
  return row ?? null;
}

/** The live protocol of one scope (organisation default: programme null; an episode's own), if any. */
export async function liveProtocolOfScope(db: Queryable, orgId: string, scope: { programmeId: string | null; episodeId: string | null }) {
  const [row] = await db
    .select()
    .from(protocols)
    .where(
      and(
        eq(protocols.orgId, orgId),
        isNull(protocols.archivedAt),
        scope.episodeId ? eq(protocols.episodeId, scope.episodeId) : isNull(protocols.episodeId),
        scope.episodeId ? undefined : scope.programmeId ? eq(protocols.programmeId, scope.programmeId) : isNull(protocols.programmeId),
      ),
    )
    .for('update')
    .limit(1);
  return row ?? null;
}

export type ProtocolContent = { name: string; rules: ProtocolRule[]; reminderAfterDays: ProtocolDays; expiryDays: ProtocolDays };

export async function insertProtocol(
  db: Queryable,
  values: ProtocolContent & { orgId: string; programmeId: string | null; episodeId: string | null; createdBy: string; now: Date },
) {
  const [row] = await db
    .insert(protocols)
    .values({
      orgId: values.orgId,
      programmeId: values.programmeId,
      episodeId: values.episodeId,
      name: values.name,
      rules: values.rules,
      reminderAfterDays: daysToColumn(values.reminderAfterDays),
      expiryDays: daysToColumn(values.expiryDays),
      createdBy: values.createdBy,
      createdAt: values.now,
      updatedAt: values.now,
    })
    .returning();
  return row!;
}

/** Replaces a live protocol's content and bumps its version; null when it is missing or archived. */
export async function updateProtocol(db: Queryable, orgId: string, protocolId: string, values: ProtocolContent, now: Date) {
  const current = await getProtocol(db, orgId, protocolId);
  if (!current || current.archivedAt) return null;
  const [row] = await db
    .update(protocols)
    .set({
      name: values.name,
      rules: values.rules,
      reminderAfterDays: daysToColumn(values.reminderAfterDays),
      expiryDays: daysToColumn(values.expiryDays),
      version: current.version + 1,
      updatedAt: now,
    })
    .where(and(eq(protocols.orgId, orgId), eq(protocols.id, protocolId)))
    .returning();
  return row ?? null;
}

/** Archives a protocol (kept: assignments point at it). Archiving twice keeps the first date. */
export async function archiveProtocol(db: Queryable, orgId: string, protocolId: string, now: Date) {
  const current = await getProtocol(db, orgId, protocolId);
  if (!current) return null;
  if (current.archivedAt) return current;
  const [row] = await db.update(protocols).set({ archivedAt: now, updatedAt: now }).where(eq(protocols.id, protocolId)).returning();
  return row!;
}

export async function getEpisode(db: Queryable, orgId: string, clientId: string, episodeId: string) {
  const [row] = await db
    .select()
    .from(episodes)
    .where(and(eq(episodes.orgId, orgId), eq(episodes.clientId, clientId), eq(episodes.id, episodeId)))
    .limit(1);
  return row ?? null;
}

/**
 * Who answers each of these instruments, for those this organisation can use (built-in, or its own
 * custom instruments); unknown ids are absent from the map.
 */
export async function instrumentRespondents(db: Queryable, orgId: string, instrumentIds: readonly string[]): Promise<Map<string, 'client' | 'clinician'>> {
  const out = new Map<string, 'client' | 'clinician'>();
  const customIds: string[] = [];
  for (const id of new Set(instrumentIds)) {
    if (hasInstrument(id)) out.set(id, getInstrument(id).respondent);
    else customIds.push(id);
  }
  if (customIds.length > 0) {
    const rows = await db
      .select({ instrumentId: orgInstruments.instrumentId, document: orgInstruments.document })
      .from(orgInstruments)
      .where(
        and(
          eq(orgInstruments.orgId, orgId),
          eq(orgInstruments.kind, 'custom_instrument'),
          isNull(orgInstruments.retiredAt),
          inArray(orgInstruments.instrumentId, customIds),
        ),
      );
    for (const r of rows) out.set(r.instrumentId, r.document.respondent === 'clinician' ? 'clinician' : 'client');
  }
  return out;
}

/**
 * Checks a protocol's rules against the instruments this organisation can use: every id known,
 * each instrument answered by the rule's respondent, rule ids unique. Throws a 400 naming the field.
 */
export async function checkProtocolRules(db: Queryable, orgId: string, rules: readonly ProtocolRule[]): Promise<void> {
  const respondents = await instrumentRespondents(db, orgId, rules.flatMap((r) => r.instrumentIds));
  const seenRules = new Set<string>();
  rules.forEach((rule, i) => {
    if (seenRules.has(rule.id)) throw badRequest('Each rule needs its own id.', `rules.${i}.id`, 'duplicate_rule_id');
    seenRules.add(rule.id);
    const seen = new Set<string>();
    rule.instrumentIds.forEach((instrumentId, j) => {
      const field = `rules.${i}.instrumentIds.${j}`;
      if (seen.has(instrumentId)) throw badRequest(`${instrumentId} is listed twice in this rule.`, field, 'duplicate_instrument');
      seen.add(instrumentId);
      const respondent = respondents.get(instrumentId);
      if (!respondent) throw badRequest(`Unknown instrument: ${instrumentId}.`, field, 'unknown_instrument');
      if (respondent !== rule.respondent) {
        throw badRequest(`${instrumentId} is answered by the ${respondent}, not the ${rule.respondent}.`, field, 'respondent_mismatch');
      }
    });
  });
}
