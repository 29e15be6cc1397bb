import type { JobHandler } from '../../jobs/job-runner';
import { runRetention } from './retention';

/** The daily job that erases clients past their organisation's retention period. */
export const RETENTION_JOB = 'lifecycle.retention';
export const RETENTION_EVERY_MS = 24 * 60 * 60_000;

export function lifecycleJobHandlers(): Record<string, JobHandler> {
  return {
    [RETENTION_JOB]: async (_job, { db, now }) => {
      await runRetention(db, now);
    },
  };
}
