import { and, eq } from 'drizzle-orm';
import type { JobHandler } from '../../jobs/job-runner';
import type { JobDeps } from '../../jobs/jobs';
import { messages } from '../../db/schema';
import { careTeamRecipients, getAlert, NOTIFY_URGENT_JOB } from './alerts.queries';
import { urgentAlertEmail } from './alerts.mail';
import { alertLifecycleHandlers } from './alerts.lifecycle';

/**
 * Background work for alerts. `alert.notify_urgent` emails every active member of the client's
 * care team about one urgent alert, at most once per alert and person: a `messages` row keyed
 * `alert:<id>:urgent:<userId>` is written (`sending`) before the SMTP call and marked `sent` after,
 * so a rerun skips whoever was already told and retries only the rest (the job runner backs off).
 * Email only: staff have no mobile number on record, so there is no SMS channel for them yet.
 */
export function alertJobHandlers(deps: JobDeps): Record<string, JobHandler> {
  return {
    ...alertLifecycleHandlers(deps),
    [NOTIFY_URGENT_JOB]: async (job, { db }) => {
      const alertId = typeof job.payload.alertId === 'string' ? job.payload.alertId : null;
      const alert = alertId ? await getAlert(db, alertId) : null;
      if (!alert || !alert.urgent || alert.status === 'resolved') return;
      let failed: unknown = null;
      const recipients = await careTeamRecipients(db, alert.orgId, alert.clientId);
      // Nobody on the care team: the alert still waits in the list; escalation (issue 5) covers it.
      if (recipients.length === 0) deps.logger.warn({ alertId: alert.id }, 'urgent alert has no active care-team member to notify');
      for (const recipient of recipients) {
        const key = `alert:${alert.id}:urgent:${recipient.userId}`;
        await db
          .insert(messages)
          .values({ orgId: alert.orgId, key, channel: 'email', userId: recipient.userId, status: 'sending', createdAt: deps.clock.now() })
          .onConflictDoNothing({ target: [messages.key, messages.channel] });
        const [record] = await db.select({ status: messages.status }).from(messages).where(and(eq(messages.key, key), eq(messages.channel, 'email')));
        if (record?.status !== 'sending') continue;
        try {
          await deps.mailer.send(urgentAlertEmail(deps.config.publicUrl, recipient.email));
        } catch (error) {
          failed ??= error;
          continue;
        }
        await db.update(messages).set({ status: 'sent', sentAt: deps.clock.now() }).where(and(eq(messages.key, key), eq(messages.channel, 'email')));
      }
      if (failed) throw failed;
    },
  };
}
