import type { JobHandler } from '../../jobs/job-runner';
import type { JobDeps } from '../../jobs/jobs';
import { handleExpire, handleRemind, handleSend } from './assignments.delivery';
import { sweepProtocols } from './assignments.sweep';

/**
 * Background work for assignments: the protocol sweep (recurring, every minute), first messages,
 * reminders and expiry. Every handler is idempotent: a job that runs twice, or after a crash,
 * changes nothing the first run did and sends nothing twice.
 */
export function assignmentJobHandlers(deps: JobDeps): Record<string, JobHandler> {
  const delivery = { db: deps.db, mailer: deps.mailer, sms: deps.sms, config: deps.config };
  return {
    'protocol.sweep': async (_job, { db, now }) => {
      await sweepProtocols(db, now, deps.logger);
    },
    'assignment.send': (job, { now }) => handleSend(delivery, job, now),
    'assignment.remind': (job, { now }) => handleRemind(delivery, job, now),
    'assignment.expire': (job, { now }) => handleExpire(delivery, job, now),
  };
}
