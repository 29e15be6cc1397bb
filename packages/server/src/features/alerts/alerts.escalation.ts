import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { organisations, type OrganisationSettings } from '../../db/schema';
import { enqueueJob } from '../../jobs/job-runner';
import { localParts } from '../assignments/quiet-hours';
import { defaultOrganisationSettings } from '../organisations/organisations.schema';
import type { AlertRow } from './alerts.queries';

/** The durable job that escalates one urgent alert (see `alerts.lifecycle.ts`). */
export const ESCALATE_JOB = 'alert.escalate';
const HOUR_MS = 3_600_000;

/** The organisation's settings with defaults for fields stored before they existed. */
export async function organisationSettings(db: Queryable, orgId: string): Promise<OrganisationSettings> {
  const [row] = await db.select({ settings: organisations.settings }).from(organisations).where(eq(organisations.id, orgId)).limit(1);
  return { ...defaultOrganisationSettings, ...row?.settings };
}

/** Whether `at` falls in the organisation's working hours (its days, start inclusive, end exclusive, in its time zone). */
export function isWithinWorkingHours(at: Date, settings: Pick<OrganisationSettings, 'timeZone' | 'workingHours'>): boolean {
  const local = localParts(at, settings.timeZone);
  const weekday = ((new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay() + 6) % 7) + 1;
  if (!settings.workingHours.days.includes(weekday)) return false;
  const minutes = local.hour * 60 + local.minute;
  const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  return minutes >= toMinutes(settings.workingHours.start) && minutes < toMinutes(settings.workingHours.end);
}

/** When and to whom an urgent alert raised at `raisedAt` escalates. */
export function escalationPlan(raisedAt: Date, settings: OrganisationSettings): { runAt: Date; to: 'on_call' | 'supervisors' } {
  if (settings.onCallSupervisorUserId && !isWithinWorkingHours(raisedAt, settings)) return { runAt: raisedAt, to: 'on_call' };
  return { runAt: new Date(raisedAt.getTime() + settings.urgentEscalationHours * HOUR_MS), to: 'supervisors' };
}

/** Queues the escalation of an urgent alert; call in the transaction that raises it. */
export async function queueEscalation(db: Queryable, alert: Pick<AlertRow, 'id' | 'orgId' | 'createdAt'>): Promise<void> {
  const plan = escalationPlan(alert.createdAt, await organisationSettings(db, alert.orgId));
  await enqueueJob(db, { kind: ESCALATE_JOB, key: `alert:${alert.id}:escalate`, runAt: plan.runAt, orgId: alert.orgId, payload: { alertId: alert.id, to: plan.to } });
}
