import { and, count, eq, isNotNull } from 'drizzle-orm';
import type { App, AppDeps } from '../../app';
import { staffOf, withAudit } from '../../access/access';
import { episodes } from '../../db/schema';
import { notFound } from '../../errors';
import { getEpisode } from '../episodes/episodes.queries';
import { loadEpisodes } from '../alliance/episode-data';
import { clientAllianceIds } from '../alliance/alliance.analysis';
import { organisationScoresFor, organisationTrajectories } from '../alliance/alliance-read.queries';
import { getEpisodeOutcome, refreshEpisodeOutcome } from './outcomes.queries';
import { presentOutcome } from './outcomes.present';
import { outcomeParams, outcomeView, scoreValidityView } from './outcomes.schema';
import { MIN_CLOSED_EPISODES, scoreValidity } from './score-validity';

const tags = ['outcomes'];

/**
 * Episode outcomes (issue 5 item 5) and the organisation's score-validity report ("How good it must
 * be"). An open episode's outcome is recomputed on every read (provisional); a closed one's was
 * stored when it closed and is read as stored.
 */
export function registerOutcomeRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  app.get(
    '/api/v1/clients/:clientId/episodes/:episodeId/outcome',
    { config: { access: { kind: 'client' } }, schema: { tags, params: outcomeParams, response: { 200: outcomeView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId, episodeId } = request.params;
      const row = await withAudit(request, db, clock, { action: 'episode_outcome.read', clientId, entityType: 'episode', entityId: episodeId }, async (tx) => {
        const episode = await getEpisode(tx, p.orgId, clientId, episodeId);
        if (!episode) throw notFound('episode');
        const stored = await getEpisodeOutcome(tx, p.orgId, clientId, episodeId);
        if (stored && stored.episodeClosed && episode.endedOn) return stored;
        return (await refreshEpisodeOutcome(tx, p.orgId, episodeId, clock.now()))!;
      });
      return presentOutcome(row);
    },
  );

  app.get(
    '/api/v1/reports/score-validity',
    { config: { access: { kind: 'staff', roles: ['admin'] } }, schema: { tags: ['reports'], response: { 200: scoreValidityView } } },
    async (request) => {
      const p = staffOf(request);
      return withAudit(request, db, clock, { action: 'report.score_validity', entityType: 'organisation', entityId: p.orgId }, async (tx) => {
        const [closed] = await tx.select({ n: count() }).from(episodes).where(and(eq(episodes.orgId, p.orgId), isNotNull(episodes.endedOn)));
        const closedEpisodes = Number(closed?.n ?? 0);
        const note = 'How well the dropout score and the not-on-track alert predicted what happened in this organisation’s own closed episodes: its local evidence, computed once there are enough closed episodes.';
        if (closedEpisodes < MIN_CLOSED_EPISODES) {
          return { status: 'insufficient_data' as const, closedEpisodes, minimumClosedEpisodes: MIN_CLOSED_EPISODES, moreNeeded: MIN_CLOSED_EPISODES - closedEpisodes, report: null, note };
        }
        const list = await loadEpisodes(tx, { orgId: p.orgId, closedOnly: true });
        const organisationScores = await organisationScoresFor(tx, p.orgId, clientAllianceIds(list), 3);
        const organisationTrajectoriesById = new Map([
          ['phq9', await organisationTrajectories(tx, p.orgId, 'phq9')],
          ['gad7', await organisationTrajectories(tx, p.orgId, 'gad7')],
        ]);
        const report = scoreValidity(list, { organisationScores, organisationTrajectories: organisationTrajectoriesById });
        return { status: 'ready' as const, closedEpisodes, minimumClosedEpisodes: MIN_CLOSED_EPISODES, moreNeeded: 0, report: report as unknown as Record<string, unknown>, note };
      });
    },
  );
}
