import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Db } from '../db/database';
import type { Clock } from '../lib/clock';
import type { Mailer } from '../mail/mailer';
import { sealAuditEvents } from '../audit/audit-chain';
import { JobRunner, type JobHandler } from './job-runner';
import type { SmsTransport } from '../notifications/sms';
import { assignmentJobHandlers } from '../features/assignments/assignments.jobs';
import { alertJobHandlers } from '../features/alerts/alerts.jobs';
import { questionnaireJobHandlers } from '../features/questionnaire/questionnaire.jobs';
import { allianceJobHandlers, RATINGS_SWEEP_JOB } from '../features/alliance/alliance.jobs';
import { DIGEST_JOB, MISSED_QUESTIONNAIRES_JOB } from '../features/alerts/alerts.lifecycle';
import { lifecycleJobHandlers, RETENTION_EVERY_MS, RETENTION_JOB } from '../features/lifecycle/lifecycle.jobs';

export type JobDeps = { db: Db; clock: Clock; logger: Logger; mailer: Mailer; sms: SmsTransport | null; config: Config; secretKey: string };

/** Every kind of background job, in one table of handlers. Features add theirs here. */
export function jobHandlers(deps: JobDeps): Record<string, JobHandler> {
  return {
    ...assignmentJobHandlers(deps),
    ...alertJobHandlers(deps),
    ...questionnaireJobHandlers(deps),
    ...allianceJobHandlers(deps),
    ...lifecycleJobHandlers(),
    'audit.seal': async (_job, { db, now }) => {
      await sealAuditEvents(db, now);
    },
  };
}

/** The runner with every handler and the recurring jobs (audit sealing and the protocol sweep each minute; issue 5's sweeps). */
export function createJobRunner(deps: JobDeps, options: { pollMs?: number } = {}): JobRunner {
  return new JobRunner({
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    handlers: jobHandlers(deps),
    recurring: [
      { kind: 'audit.seal', everyMs: 60_000 },
      { kind: 'protocol.sweep', everyMs: 60_000 },
      // Issue 5: session-rating nudges and time-outs, the daily digest (sent once per local day), missed questionnaires.
      { kind: RATINGS_SWEEP_JOB, everyMs: 15 * 60_000 },
      { kind: DIGEST_JOB, everyMs: 60 * 60_000 },
      { kind: MISSED_QUESTIONNAIRES_JOB, everyMs: 60 * 60_000 },
      // Issue 7 item 8: erase clients past their organisation's retention period, daily.
      { kind: RETENTION_JOB, everyMs: RETENTION_EVERY_MS },
    ],
    ...options,
  });
}
