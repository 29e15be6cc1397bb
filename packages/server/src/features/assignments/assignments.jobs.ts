import type { JobHandler } from '../../jobs/job-runner';
import type { JobDeps } from '../../jobs/jobs';

/** Background work for assignments (protocol sweep, sends, reminders, expiry). Placeholder until it lands. */
export function assignmentJobHandlers(_deps: JobDeps): Record<string, JobHandler> {
  return {};
}
