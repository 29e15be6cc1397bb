import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { alerts, careTeamMembers, clients, memberships, users, type AlertKind } from '../../db/schema';
import { enqueueJob } from '../../jobs/job-runner';
import type { NewAlert } from './alert-rules';
import { queueEscalation } from './alerts.escalation';

export type AlertRow = typeof alerts.$inferSelect;

/** The job that emails the care team about one urgent alert. */
export const NOTIFY_URGENT_JOB = 'alert.notify_urgent';

/**
 * Inserts alerts (a repeat of the same evidence is ignored) and, for each urgent one, queues the
 * care-team notification job `alert:<id>:urgent` and its escalation `alert:<id>:escalate`. Call it inside the transaction that writes the
 * evidence, so the alert, its notification and the response commit together.
 */
export async function raiseAlerts(db: Queryable, rows: readonly NewAlert[], now: Date): Promise<AlertRow[]> {
  if (rows.length === 0) return [];
  const inserted = await db
    .insert(alerts)
    .values(rows.map((r) => ({ ...r, createdAt: now })))
    .onConflictDoNothing({ target: [alerts.orgId, alerts.clientId, alerts.kind, alerts.evidenceKey] })
    .returning();
  for (const alert of inserted) {
    if (!alert.urgent) continue;
    await enqueueJob(db, { kind: NOTIFY_URGENT_JOB, key: `alert:${alert.id}:urgent`, runAt: now, orgId: alert.orgId, payload: { alertId: alert.id } });
    await queueEscalation(db, alert);
  }
  return inserted;
}

type Cursor = { t: string; id: string };
export const encodeAlertCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
export function decodeAlertCursor(raw: string): Cursor | null {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    return typeof c.t === 'string' && typeof c.id === 'string' && !Number.isNaN(Date.parse(c.t)) ? c : null;
  } catch {
    return null;
  }
}

export type AlertFilter = {
  orgId: string;
  /** Limit to clients on this clinician's care teams. */
  careTeamOf?: string;
  clientId?: string;
  status?: AlertRow['status'][];
  kind?: AlertKind;
  urgent?: boolean;
  /** Blind rating: client responses the caller may not see yet; non-urgent alerts they raised are left out (`allianceVisibility`). */
  hiddenResponseIds?: ReadonlySet<string>;
  limit: number;
  after?: Cursor | null;
};

/** One page of alerts, newest first (keyset pagination on created_at, id), with the client's name. */
export async function listAlerts(db: Queryable, f: AlertFilter) {
  const rows = await db
    .select({
      alert: alerts,
      client: { givenName: clients.givenName, familyName: clients.familyName, preferredName: clients.preferredName },
    })
    .from(alerts)
    .innerJoin(clients, eq(clients.id, alerts.clientId))
    .where(
      and(
        eq(alerts.orgId, f.orgId),
        f.clientId ? eq(alerts.clientId, f.clientId) : undefined,
        f.careTeamOf
          ? sql`exists (select 1 from ${careTeamMembers} where ${careTeamMembers.clientId} = ${alerts.clientId} and ${careTeamMembers.userId} = ${f.careTeamOf})`
          : undefined,
        f.status && f.status.length > 0 ? inArray(alerts.status, f.status) : undefined,
        f.kind ? eq(alerts.kind, f.kind) : undefined,
        f.urgent === undefined ? undefined : eq(alerts.urgent, f.urgent),
        f.hiddenResponseIds && f.hiddenResponseIds.size > 0
          ? sql`not (${alerts.urgent} = false and ${alerts.kind} <> 'risk_item' and ${alerts.responseId} is not null and ${inArray(alerts.responseId, [...f.hiddenResponseIds])})`
          : undefined,
        f.after
          ? or(lt(alerts.createdAt, new Date(f.after.t)), and(eq(alerts.createdAt, new Date(f.after.t)), lt(alerts.id, f.after.id)))
          : undefined,
      ),
    )
    .orderBy(desc(alerts.createdAt), desc(alerts.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > f.limit && last ? encodeAlertCursor({ t: last.alert.createdAt.toISOString(), id: last.alert.id }) : null;
  return { items: page, nextCursor };
}

/**
 * Acknowledges an open alert (who and when). Idempotent: an acknowledged alert is returned as it
 * is, keeping the first acknowledgement. `resolved` comes back unchanged for the caller to refuse.
 * Null when the client has no such alert. Locks the row, so two clicks cannot both write.
 */
export async function acknowledgeAlert(db: Queryable, input: { orgId: string; clientId: string; alertId: string; userId: string; now: Date }) {
  const [current] = await db
    .select()
    .from(alerts)
    .where(and(eq(alerts.orgId, input.orgId), eq(alerts.clientId, input.clientId), eq(alerts.id, input.alertId)))
    .for('update');
  if (!current) return null;
  if (current.status !== 'open') return current;
  const [updated] = await db
    .update(alerts)
    .set({ status: 'acknowledged', acknowledgedBy: input.userId, acknowledgedAt: input.now })
    .where(eq(alerts.id, current.id))
    .returning();
  return updated!;
}

export const resolutionActions = ['discussed_with_client', 'safety_plan', 'referral', 'changed_approach', 'other'] as const;
export type ResolutionAction = (typeof resolutionActions)[number];

/**
 * Resolves an alert with the action taken and a note (issue 5 item 3). An alert still `open` is
 * acknowledged by the same person at the same moment (`acknowledged` is true then). A resolved alert
 * comes back unchanged for the caller to refuse. Null when the client has no such alert. Locks the row.
 */
export async function resolveAlert(
  db: Queryable,
  input: { orgId: string; clientId: string; alertId: string; userId: string; action: ResolutionAction; note: string; now: Date },
): Promise<{ alert: AlertRow; acknowledged: boolean; resolved: boolean } | null> {
  const [current] = await db
    .select()
    .from(alerts)
    .where(and(eq(alerts.orgId, input.orgId), eq(alerts.clientId, input.clientId), eq(alerts.id, input.alertId)))
    .for('update');
  if (!current) return null;
  if (current.status === 'resolved') return { alert: current, acknowledged: false, resolved: false };
  const acknowledged = current.status === 'open';
  const [updated] = await db
    .update(alerts)
    .set({
      status: 'resolved',
      ...(acknowledged ? { acknowledgedBy: input.userId, acknowledgedAt: input.now } : {}),
      resolvedBy: input.userId,
      resolvedAt: input.now,
      resolutionAction: input.action,
      resolutionNote: input.note,
    })
    .where(eq(alerts.id, current.id))
    .returning();
  return { alert: updated!, acknowledged, resolved: true };
}

export async function getAlert(db: Queryable, alertId: string): Promise<AlertRow | null> {
  const [row] = await db.select().from(alerts).where(eq(alerts.id, alertId)).limit(1);
  return row ?? null;
}

/** Who to tell about a client's alert: the active members of the client's care team, with their email. */
export async function careTeamRecipients(db: Queryable, orgId: string, clientId: string) {
  return db
    .select({ userId: users.id, email: users.email })
    .from(careTeamMembers)
    .innerJoin(users, eq(users.id, careTeamMembers.userId))
    .innerJoin(memberships, and(eq(memberships.userId, careTeamMembers.userId), eq(memberships.orgId, careTeamMembers.orgId)))
    .where(and(eq(careTeamMembers.orgId, orgId), eq(careTeamMembers.clientId, clientId), eq(memberships.status, 'active')))
    .orderBy(users.id);
}
