import type { JobHandler } from '../../jobs/job-runner';
import type { JobDeps } from '../../jobs/jobs';

/** Background work for alerts (urgent notifications). Placeholder until it lands. */
export function alertJobHandlers(_deps: JobDeps): Record<string, JobHandler> {
  return {};
}
