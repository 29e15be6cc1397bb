import { and, eq, isNull, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, AppDeps } from '../../app';
import type { Config } from '../../config';
import type { Queryable } from '../../db/database';
import { assignments, kioskDevices, linkSessions, orgInstruments, organisations, type OrganisationSettings } from '../../db/schema';
import type { OrgInstrumentHeader } from '../instruments/org-instruments';
import { hashToken, randomToken } from '../../lib/crypto';
import { preparedOn } from './prepared';
import { episodeHistoryColumn } from '../alerts/alert-engine';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A link route whose handler decides the alert rules (`POST /q/submit`): the link session's statement also reads the episode's history. */
    linkHistory?: true;
  }
}

/** The link-session cookie: a random 256-bit token, only its SHA-256 stored. */
export const LINK_COOKIE = 'rapport_q';
/** The kiosk device cookie: a long random device token, only its SHA-256 stored. */
export const KIOSK_COOKIE = 'rapport_kiosk';

/** Decision 0001: a link session lives 2 hours after its last use. */
export const LINK_SESSION_IDLE_MS = 2 * 3_600_000;

export type LinkVia = 'link' | 'kiosk' | 'in_session';

/**
 * Starts a link session for an assignment and ends every earlier one of the same assignment, so
 * only the newest browser (phone, kiosk, clinician's device) can go on answering. Returns the
 * cookie token.
 */
export async function startLinkSession(db: Queryable, input: { orgId: string; assignmentId: string; via: LinkVia; now: Date }): Promise<{ token: string; id: string }> {
  const { orgId, assignmentId, via, now } = input;
  await db
    .update(linkSessions)
    .set({ endedAt: now })
    .where(and(eq(linkSessions.orgId, orgId), eq(linkSessions.assignmentId, assignmentId), isNull(linkSessions.endedAt)));
  const token = randomToken(32);
  const [row] = await db
    .insert(linkSessions)
    .values({ orgId, assignmentId, tokenHash: hashToken(token), via, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + LINK_SESSION_IDLE_MS) })
    .returning({ id: linkSessions.id });
  return { token, id: row!.id };
}

export async function endLinkSession(db: Queryable, linkSessionId: string, now: Date): Promise<void> {
  await db.update(linkSessions).set({ endedAt: now }).where(and(eq(linkSessions.id, linkSessionId), isNull(linkSessions.endedAt)));
}

/**
 * What the link session statement reads with the session: the assignment as it stood, the clinic's
 * settings and its current instrument rows (headers), and on routes marked `linkHistory` the
 * history of the assignment's episode for the alert rules (`episodeHistoryColumn`; null without an
 * episode). `POST /q/submit` scores and decides the alerts with them before it writes
 * (`submitAtOnce`, which rechecks the assignment and the history under a lock in the same statement).
 */
export type LinkContext = {
  assignment: Pick<
    typeof assignments.$inferSelect,
    'id' | 'orgId' | 'clientId' | 'episodeId' | 'appointmentId' | 'instrumentIds' | 'respondent' | 'respondentUserId' | 'channel' | 'status' | 'expiresAt'
  >;
  settings: OrganisationSettings;
  orgInstruments: OrgInstrumentHeader[];
  history?: string | null;
};

const linkContexts = new WeakMap<FastifyRequest, LinkContext>();

/** The context read with the request's link session (undefined when the request has none). */
export function linkContextOf(request: FastifyRequest): LinkContext | undefined {
  return linkContexts.get(request);
}

/** A session used again within a minute of its last touch is not touched again (as staff sessions): it spares a write per request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * The live session for a cookie token, with the assignment's client (null when ended, expired or
 * unknown), touched so it lives another 2 idle hours (at most once a minute): lookup and touch in
 * one statement (one round trip on every link request), prepared once (see `prepared.ts`).
 */
async function useLinkSession(db: Queryable, token: string, now: Date, withHistory: boolean) {
  const name = withHistory ? 'use_link_session_history' : 'use_link_session';
  const [row] = await preparedOn(db, name, (q) => prepareUseLinkSession(q, name, withHistory)).execute({
    tokenHash: hashToken(token),
    now,
    nowText: now.toISOString(),
    staleBefore: new Date(now.getTime() - TOUCH_EVERY_MS).toISOString(),
    expiresAt: new Date(now.getTime() + LINK_SESSION_IDLE_MS),
  });
  if (!row) return null;
  const { assignmentExpiresAt, stale: _touched, ...rest } = row;
  return { ...rest, expiresAt: assignmentExpiresAt };
}

function prepareUseLinkSession(db: Queryable, name: string, withHistory: boolean) {
  const p = sql.placeholder;
  const live = db.$with('live').as(
    db
      .select({
        id: linkSessions.id,
        orgId: linkSessions.orgId,
        assignmentId: linkSessions.assignmentId,
        via: linkSessions.via,
        clientId: assignments.clientId,
        episodeId: assignments.episodeId,
        appointmentId: assignments.appointmentId,
        instrumentIds: assignments.instrumentIds,
        respondent: assignments.respondent,
        respondentUserId: assignments.respondentUserId,
        channel: assignments.channel,
        status: assignments.status,
        assignmentExpiresAt: sql<Date | null>`${assignments.expiresAt}`.mapWith(assignments.expiresAt).as('assignment_expires_at'),
        settings: sql<OrganisationSettings>`(select ${organisations.settings} from ${organisations} where ${organisations.id} = ${assignments.orgId})`.as('settings'),
        orgInstruments: currentOrgInstrumentHeaders().as('org_instruments'),
        stale: sql<boolean>`${linkSessions.lastSeenAt} < ${p('staleBefore')}`.as('stale'),
        history: (withHistory ? episodeHistoryColumn({ orgId: assignments.orgId, clientId: assignments.clientId, episodeId: assignments.episodeId }) : sql<string | null>`null::text`).as('history'),
      })
      .from(linkSessions)
      .innerJoin(assignments, eq(assignments.id, linkSessions.assignmentId))
      .where(and(eq(linkSessions.tokenHash, p('tokenHash')), isNull(linkSessions.endedAt), sql`${linkSessions.expiresAt} > ${p('nowText')}`)),
  );
  // `set` encodes its placeholders by column (Dates); the comparisons pass theirs as is (text).
  const touched = { lastSeenAt: p('now'), expiresAt: p('expiresAt') } as unknown as { lastSeenAt: Date; expiresAt: Date };
  const touch = db
    .$with('touch', {})
    .as(db.update(linkSessions).set(touched).where(sql`${linkSessions.id} in (select id from live where stale)`).getSQL());
  return db.with(live, touch).select().from(live).prepare(name);
}

/** The assignment's current org instrument rows (headers), as JSON: for a statement over `assignments`. */
export function currentOrgInstrumentHeaders() {
  const current = sql`select distinct on (${orgInstruments.kind}, ${orgInstruments.instrumentId}) ${orgInstruments.id} as id, ${orgInstruments.kind} as kind, ${orgInstruments.instrumentId} as "instrumentId", ${orgInstruments.version} as version
    from ${orgInstruments}
    where ${orgInstruments.orgId} = ${assignments.orgId} and ${orgInstruments.retiredAt} is null
      and ${orgInstruments.instrumentId} in (select jsonb_array_elements_text(${assignments.instrumentIds}))
    order by ${orgInstruments.kind}, ${orgInstruments.instrumentId}, ${orgInstruments.version} desc`;
  return sql<OrgInstrumentHeader[]>`(select coalesce(json_agg(current), '[]'::json) from (${current}) current)`;
}

/** The registered device for a kiosk cookie token, if it is neither revoked nor locked. */
export async function findKioskDevice(db: Queryable, token: string) {
  const [row] = await db
    .select({ id: kioskDevices.id, orgId: kioskDevices.orgId, lockedAt: kioskDevices.lockedAt })
    .from(kioskDevices)
    .where(and(eq(kioskDevices.tokenHash, hashToken(token)), isNull(kioskDevices.revokedAt)))
    .limit(1);
  return row ?? null;
}

const isSecure = (config: Config) => config.publicUrl.startsWith('https://');

/**
 * HttpOnly, SameSite=Lax, limited to `/q`, and a browser-session cookie (no max-age): closing the
 * browser forgets it, and the server ends it after 2 idle hours anyway.
 */
export function setLinkCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(LINK_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: isSecure(config), path: '/q' });
}

export function clearLinkCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(LINK_COOKIE, { httpOnly: true, sameSite: 'lax', secure: isSecure(config), path: '/q' });
}

/** A year, limited to `/kiosk`; an admin revokes the device to end it. */
export function setKioskCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(KIOSK_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: isSecure(config), path: '/kiosk', maxAge: 365 * 86_400 });
}

/**
 * Resolves the `client_link` and `kiosk` principals from their cookies, only on routes whose
 * access rule asks for them (so API requests cost no extra query). Registered on the root
 * instance, so it runs for every route after the staff-session hook of `createApp`; on a link
 * route the link session wins over a staff session (the in-session hand-off runs in the
 * clinician's browser, locked to the client's questionnaire).
 */
export function registerDeliveryPrincipals(app: App, deps: Pick<AppDeps, 'db' | 'clock'>): void {
  const { db, clock } = deps;
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const kind = request.routeOptions.config?.access?.kind;
    if (kind === 'link') {
      const token = request.cookies[LINK_COOKIE];
      if (!token) return;
      const now = clock.now();
      const session = await useLinkSession(db, token, now, request.routeOptions.config.linkHistory === true);
      if (!session) return;
      request.principal = { kind: 'client_link', orgId: session.orgId, clientId: session.clientId, assignmentId: session.assignmentId, linkSessionId: session.id, via: session.via };
      const { settings, orgInstruments: headers, history, assignmentId, ...assignment } = session;
      linkContexts.set(request, { assignment: { ...assignment, id: assignmentId }, settings, orgInstruments: headers, history });
    } else if (kind === 'kiosk') {
      const token = request.cookies[KIOSK_COOKIE];
      if (!token) return;
      const device = await findKioskDevice(db, token);
      if (!device || device.lockedAt) return;
      request.principal = { kind: 'kiosk', orgId: device.orgId, deviceId: device.id };
    }
  });
}
