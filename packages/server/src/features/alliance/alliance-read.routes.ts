import { RULES_VERSION } from '@rapport/analysis';
import { getInstrument, hasInstrument } from '@rapport/instruments';
import type { App, AppDeps } from '../../app';
import { staffOf, withAudit } from '../../access/access';
import type { Tx } from '../../db/database';
import { badRequest, notFound } from '../../errors';
import { allianceVisibility } from './blind';
import { loadEpisodes, type EpisodeData, type ScoredResponse } from './episode-data';
import { allianceSeries, clientAllianceIds, dropoutRiskOf, trajectoryOf } from './alliance.analysis';
import { organisationScoresFor, organisationTrajectories } from './alliance-read.queries';
import { allianceView, clientParams, dropoutRiskView, episodeQuery, trajectoryQuery, trajectoryView } from './alliance-read.schema';

const tags = ['alliance'];
const access = { access: { kind: 'client' as const } };

/** The episode asked for, else the open one, else the latest; null when there is none. */
function pickEpisode(list: readonly EpisodeData[], episodeId: string | undefined): EpisodeData | null {
  if (episodeId) return list.find((e) => e.id === episodeId) ?? null;
  return list.find((e) => !e.endedOn) ?? list[list.length - 1] ?? null;
}

const maxSessions = (list: readonly EpisodeData[]) => Math.max(1, ...list.map((e) => e.responses.length));

/**
 * The per-client read side of issue 5 (item 7): the alliance series from both perspectives, a symptom
 * trajectory against its expected band, and the dropout-risk score with its factors. Every route is
 * `client` access (clinicians only their care teams; anything else a 404), audited, and applies blind
 * rating: the client's alliance response of a session the caller still has to rate is left out of
 * everything shown or computed (`allianceVisibility`, features/alliance/blind.ts).
 */
export function registerAllianceReadRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  async function blindFor(tx: Tx, p: { orgId: string; userId: string }, clientId: string) {
    const visibility = await allianceVisibility(tx, { orgId: p.orgId, clinicianUserId: p.userId, clientId, now: clock.now() });
    const isHidden = (r: ScoredResponse) => visibility.isResponseHidden({ id: r.id, appointmentId: r.appointmentId, respondent: r.respondent, instrumentId: r.instrumentId });
    return { visibility, isHidden };
  }

  app.get(
    '/api/v1/clients/:clientId/alliance',
    { config: access, schema: { tags, params: clientParams, response: { 200: allianceView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      return withAudit(request, db, clock, { action: 'alliance.read', clientId, entityType: 'client', entityId: clientId }, async (tx) => {
        const { visibility, isHidden } = await blindFor(tx, p, clientId);
        const list = await loadEpisodes(tx, { orgId: p.orgId, clientId });
        const organisationScores = await organisationScoresFor(tx, p.orgId, clientAllianceIds(list), maxSessions(list));
        return {
          clientId,
          ratingsOwed: visibility.pending.filter((r) => r.clientId === clientId).map((r) => ({ appointmentId: r.appointmentId, blindUntil: r.blindUntil.toISOString() })),
          episodes: list.map((episode) => ({
            episodeId: episode.id,
            startedOn: episode.startedOn,
            endedOn: episode.endedOn,
            measures: allianceSeries(episode, { isHidden, organisationScores }),
          })),
          rulesVersion: RULES_VERSION,
        };
      });
    },
  );

  app.get(
    '/api/v1/clients/:clientId/trajectories',
    { config: access, schema: { tags, params: clientParams, querystring: trajectoryQuery, response: { 200: trajectoryView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const { instrumentId, episodeId } = request.query;
      if (!hasInstrument(instrumentId) || getInstrument(instrumentId).respondent !== 'client' || getInstrument(instrumentId).parallelForm) {
        throw badRequest('Choose a symptom measure the client answers, such as phq9.', 'instrumentId', 'unknown_instrument');
      }
      return withAudit(request, db, clock, { action: 'trajectory.read', clientId, entityType: 'client', entityId: clientId }, async (tx) => {
        const episode = pickEpisode(await loadEpisodes(tx, { orgId: p.orgId, clientId }), episodeId);
        if (!episode) throw notFound('episode');
        const organisation = await organisationTrajectories(tx, p.orgId, instrumentId);
        return { clientId, episodeId: episode.id, ...trajectoryOf(episode, instrumentId, organisation), rulesVersion: RULES_VERSION };
      });
    },
  );

  app.get(
    '/api/v1/clients/:clientId/dropout-risk',
    { config: access, schema: { tags, params: clientParams, querystring: episodeQuery, response: { 200: dropoutRiskView } } },
    async (request) => {
      const p = staffOf(request);
      const { clientId } = request.params;
      const { episodeId } = request.query;
      return withAudit(request, db, clock, { action: 'dropout_risk.read', clientId, entityType: 'client', entityId: clientId }, async (tx) => {
        const list = await loadEpisodes(tx, { orgId: p.orgId, clientId });
        const episode = pickEpisode(list, episodeId);
        if (!episode) throw notFound('episode');
        const { isHidden } = await blindFor(tx, p, clientId);
        const organisationScores = await organisationScoresFor(tx, p.orgId, clientAllianceIds([episode]), 3);
        const organisationTrajectoriesById = new Map([
          ['phq9', await organisationTrajectories(tx, p.orgId, 'phq9')],
          ['gad7', await organisationTrajectories(tx, p.orgId, 'gad7')],
        ]);
        const { result, factors } = dropoutRiskOf(episode, { isHidden, organisationScores, organisationTrajectories: organisationTrajectoriesById, now: clock.now() });
        return {
          clientId,
          episodeId: episode.id,
          score: result.score,
          level: result.level,
          cutPoints: result.cutPoints,
          contributions: [...result.contributions],
          factors: factors as Record<string, unknown>,
          points: result.points,
          note: 'A transparent points score derived from the direction of effects in the literature (facts.md B5), not a validated instrument; see the score-validity report for how it has done here.',
          rulesVersion: RULES_VERSION,
        };
      });
    },
  );
}
