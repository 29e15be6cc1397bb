import { and, eq } from 'drizzle-orm';
import type { JobHandler } from '../../jobs/job-runner';
import type { JobDeps } from '../../jobs/jobs';
import { messages } from '../../db/schema';
import { careTeamEmails } from './questionnaire.queries';

/**
 * Background work of the client's side of delivery: telling the care team that a client stopped
 * check-ins. One `messages` row per job and clinician makes each email go at most once; a failed
 * send leaves it `sending` and the job's retry sends it again.
 */
export function questionnaireJobHandlers(deps: JobDeps): Record<string, JobHandler> {
  return {
    'questionnaire.notify_opt_out': async (job, { db, now }) => {
      const clientId = String(job.payload.clientId ?? '');
      if (!job.orgId || !clientId) return;
      for (const member of await careTeamEmails(db, job.orgId, clientId)) {
        const key = `${job.key}:${member.userId}`;
        await db.insert(messages).values({ orgId: job.orgId, key, channel: 'email', clientId, userId: member.userId, status: 'sending', createdAt: now }).onConflictDoNothing();
        const [row] = await db.select({ status: messages.status }).from(messages).where(and(eq(messages.key, key), eq(messages.channel, 'email')));
        if (row?.status === 'sent') continue;
        await deps.mailer.send(optOutEmail(deps.config.publicUrl, member.email));
        await db.update(messages).set({ status: 'sent', sentAt: now }).where(and(eq(messages.key, key), eq(messages.channel, 'email')));
      }
    },
  };
}

/** No name, no instrument, no score: only that something is waiting in Rapport. */
export function optOutEmail(publicUrl: string, to: string) {
  return {
    to,
    subject: 'A client stopped questionnaire check-ins',
    text: `One of the clients on your care team has stopped questionnaire check-ins from their link. They will not receive any more questionnaires by email or text message.\n\nSign in to Rapport to see who: ${publicUrl}\n`,
  };
}
