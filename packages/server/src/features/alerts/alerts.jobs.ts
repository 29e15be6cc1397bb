import type { JobHandler } from '../../jobs/job-runner';
import type { JobDeps } from '../../jobs/jobs';
import { careTeamRecipients, getAlert, NOTIFY_URGENT_JOB } from './alerts.queries';
import { urgentAlertEmail, urgentAlertSms } from './alerts.mail';
import { alertLifecycleHandlers, notifyStaff } from './alerts.lifecycle';

/**
 * Background work for alerts. `alert.notify_urgent` tells every active member of the client's care
 * team about one urgent alert (issue 4 item 7): by email, and by SMS to those who turned on
 * urgent-alert texts in their own settings and gave a number, when an SMS provider is configured.
 * Neither message names the client, the instrument or a score. Each goes at most once per alert,
 * person and channel: a `messages` row keyed `alert:<id>:urgent:<userId>` with channel `email` or
 * `sms` is written (`sending`) before the transport is called and marked `sent` after, so a rerun
 * skips what was already sent and retries only the rest (the job runner backs off). A failure on one
 * channel does not stop the other.
 */
export function alertJobHandlers(deps: JobDeps): Record<string, JobHandler> {
  return {
    ...alertLifecycleHandlers(deps),
    [NOTIFY_URGENT_JOB]: async (job, { db }) => {
      const alertId = typeof job.payload.alertId === 'string' ? job.payload.alertId : null;
      const alert = alertId ? await getAlert(db, alertId) : null;
      if (!alert || !alert.urgent || alert.status === 'resolved') return;
      const recipients = await careTeamRecipients(db, alert.orgId, alert.clientId);
      // Nobody on the care team: the alert still waits in the list; escalation (issue 5) covers it.
      if (recipients.length === 0) deps.logger.warn({ alertId: alert.id }, 'urgent alert has no active care-team member to notify');
      await notifyStaff(db, deps, {
        orgId: alert.orgId,
        keyPrefix: `alert:${alert.id}:urgent`,
        recipients,
        email: (address) => urgentAlertEmail(deps.config.publicUrl, address),
        sms: (mobile) => urgentAlertSms(deps.config.publicUrl, mobile),
      });
    },
  };
}
