import { and, asc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/database';
import { auditEvents, auditSeals } from '../db/schema';
import { sha256Hex } from '../lib/crypto';

/** The chain of events with no organisation (sign-in attempts for unknown addresses). */
const NO_ORG_CHAIN = '';
const GENESIS = '0'.repeat(64);
/**
 * Events younger than this are left for the next run, so an event whose transaction commits a
 * little after a later-numbered one is still sealed in id order.
 */
export const SEAL_SETTLE_MS = 30_000;

type EventRow = typeof auditEvents.$inferSelect;

/** The exact bytes a seal covers: every column of the event, in a fixed order. */
export function canonicalEvent(e: EventRow): string {
  return JSON.stringify([
    e.id,
    e.orgId,
    e.actorKind,
    e.actorId,
    e.action,
    e.clientId,
    e.entityType,
    e.entityId,
    e.requestId,
    e.outcome,
    e.at.toISOString(),
  ]);
}

export function chainHash(prevHash: string, e: EventRow): string {
  return sha256Hex(prevHash + '\n' + canonicalEvent(e));
}

/**
 * Seals unsealed events into each organisation's hash chain, in id order. Runs as a background
 * job, so requests only ever insert events and never wait on a chain head. Returns how many
 * events it sealed.
 */
export async function sealAuditEvents(db: Db, now: Date, batchSize = 5000): Promise<number> {
  const settledBefore = new Date(now.getTime() - SEAL_SETTLE_MS);
  const chains = await db
    .selectDistinct({ orgId: auditEvents.orgId })
    .from(auditEvents)
    .leftJoin(auditSeals, eq(auditSeals.eventId, auditEvents.id))
    .where(and(isNull(auditSeals.eventId), lt(auditEvents.at, settledBefore)));
  let sealed = 0;
  for (const { orgId } of chains) {
    const chainKey = orgId ?? NO_ORG_CHAIN;
    sealed += await db.transaction(async (tx) => {
      // One sealer per chain at a time, across processes.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'audit:' + chainKey}))`);
      const [head] = await tx
        .select()
        .from(auditSeals)
        .where(eq(auditSeals.chainKey, chainKey))
        .orderBy(sql`${auditSeals.eventId} desc`)
        .limit(1);
      const pending = await tx
        .select()
        .from(auditEvents)
        .where(
          and(
            orgId ? eq(auditEvents.orgId, orgId) : isNull(auditEvents.orgId),
            head ? gt(auditEvents.id, head.eventId) : undefined,
            lt(auditEvents.at, settledBefore),
          ),
        )
        .orderBy(asc(auditEvents.id))
        .limit(batchSize);
      let prev = head?.hash ?? GENESIS;
      const rows = pending.map((e) => {
        const hash = chainHash(prev, e);
        const row = { eventId: e.id, chainKey, prevHash: prev, hash, sealedAt: now };
        prev = hash;
        return row;
      });
      for (let i = 0; i < rows.length; i += 500) await tx.insert(auditSeals).values(rows.slice(i, i + 500));
      return rows.length;
    });
  }
  return sealed;
}

export type ChainProblem = { eventId: number; chainKey: string; problem: string };
export type VerifyResult = { ok: boolean; sealed: number; unsealed: number; problems: ChainProblem[] };

/**
 * Recomputes every chain from its first seal. Finds a sealed event changed behind the
 * application's back, and a seal rewritten or removed.
 */
export async function verifyAuditChain(db: Db): Promise<VerifyResult> {
  const problems: ChainProblem[] = [];
  let sealed = 0;
  const chainKeys = await db.selectDistinct({ chainKey: auditSeals.chainKey }).from(auditSeals);
  for (const { chainKey } of chainKeys) {
    let prev = GENESIS;
    let lastId = 0;
    for (;;) {
      const page = await db
        .select({ seal: auditSeals, event: auditEvents })
        .from(auditSeals)
        .leftJoin(auditEvents, eq(auditEvents.id, auditSeals.eventId))
        .where(and(eq(auditSeals.chainKey, chainKey), gt(auditSeals.eventId, lastId)))
        .orderBy(asc(auditSeals.eventId))
        .limit(5000);
      if (page.length === 0) break;
      for (const { seal, event } of page) {
        sealed++;
        lastId = seal.eventId;
        if (!event) {
          problems.push({ eventId: seal.eventId, chainKey, problem: 'sealed event is missing' });
        } else if ((event.orgId ?? NO_ORG_CHAIN) !== chainKey) {
          problems.push({ eventId: seal.eventId, chainKey, problem: 'event moved to another organisation' });
        } else if (seal.prevHash !== prev) {
          problems.push({ eventId: seal.eventId, chainKey, problem: 'chain broken: previous hash does not match' });
        } else if (chainHash(prev, event) !== seal.hash) {
          problems.push({ eventId: seal.eventId, chainKey, problem: 'event changed after it was sealed' });
        }
        prev = seal.hash;
      }
    }
  }
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(auditEvents)
    .leftJoin(auditSeals, eq(auditSeals.eventId, auditEvents.id))
    .where(isNull(auditSeals.eventId));
  return { ok: problems.length === 0, sealed, unsealed: row?.n ?? 0, problems };
}
