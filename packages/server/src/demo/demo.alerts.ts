import { and, eq, isNull } from 'drizzle-orm';
import { RULES_VERSION } from '@rapport/analysis';
import type { Queryable } from '../db/database';
import { alerts, episodeOutcomes, episodes, type AlertKind } from '../db/schema';
import { loadEpisodes, type EpisodeData, type ScoredResponse } from '../features/alliance/episode-data';
import { allianceSeries, clientAllianceIds, dropoutRiskOf, trajectoryOf } from '../features/alliance/alliance.analysis';
import { organisationScoresFor, organisationTrajectories } from '../features/alliance/alliance-read.queries';
import { episodeOutcomeOf } from '../features/outcomes/outcomes.compute';

type AlertInsert = typeof alerts.$inferInsert;

/**
 * The demo's alerts for today's open episodes, computed in memory from the same `@rapport/analysis`
 * rules the alert engine (features/alerts/alert-engine.ts) applies on each submission, with the same
 * kinds and evidence keys, and inserted in bulk: replaying the engine response by response takes tens
 * of seconds, and the demo must seed in a few. As in the engine, a persisting condition (low
 * alliance, deterioration, not on track) alerts once per episode; each rupture carries its repair
 * decision. Also stores each open episode's provisional outcome.
 */
export async function raiseDemoAlerts(tx: Queryable, options: { orgId: string; now: Date }): Promise<{ alerts: number }> {
  const { orgId, now } = options;
  const openIds = (await tx.select({ id: episodes.id }).from(episodes).where(and(eq(episodes.orgId, orgId), isNull(episodes.endedOn)))).map((e) => e.id);
  const open = await loadEpisodes(tx, { orgId, episodeIds: openIds });
  const organisationScores = await organisationScoresFor(tx, orgId, clientAllianceIds(open), 20);
  const trajectories = new Map([
    ['phq9', await organisationTrajectories(tx, orgId, 'phq9')],
    ['gad7', await organisationTrajectories(tx, orgId, 'gad7')],
  ]);
  const rows: AlertInsert[] = [];
  for (const episode of open) {
    const byId = new Map(episode.responses.map((r) => [r.id, r]));
    const raise = (r: ScoredResponse, kind: AlertKind, evidenceKey: string, evidence: Record<string, unknown>, at: Date = r.submittedAt) =>
      rows.push({
        orgId,
        clientId: episode.clientId,
        episodeId: episode.id,
        responseId: r.id,
        kind,
        urgent: false,
        status: 'open',
        evidenceKey,
        evidence: { instrumentId: r.instrumentId, responseId: r.id, appointmentId: r.appointmentId, ...evidence },
        rulesVersion: RULES_VERSION,
        createdAt: at,
      });
    for (const measure of allianceSeries(episode, { isHidden: () => false, organisationScores })) {
      let lowRaised = false;
      for (const session of measure.sessions) {
        const client = session.client ? byId.get(session.client.responseId)! : null;
        if (!client) continue;
        if (session.rupture && session.rupture.rupture !== 'none') {
          const repair = session.rupture.repair;
          raise(client, 'alliance_rupture', `response:${client.id}`, {
            level: 'total',
            sessionNumber: session.sessionNumber,
            ...session.rupture,
            repair: repair ? { status: repair.status, threshold: repair.threshold, window: repair.window } : { status: 'pending' },
            source: 'facts.md B4 (derived from src:bmc-crisis-repair)',
          });
        }
        if (session.gap?.therapistAboveAlert && session.therapist) {
          const at = new Date(Math.max(client.submittedAt.getTime(), new Date(session.therapist.submittedAt).getTime()));
          raise(client, 'therapist_over_client', `appointment:${session.appointmentId}`, { therapistResponseId: session.therapist.responseId, clientScore: session.client!.score, therapistScore: session.therapist.score, ...session.gap }, at);
        }
        if (session.lowAlliance?.low && !lowRaised) {
          lowRaised = true;
          raise(client, 'low_alliance', `response:${client.id}`, { ...session.lowAlliance, score: client.total, sessionNumber: session.sessionNumber });
        }
      }
    }
    for (const instrumentId of ['phq9', 'gad7']) {
      const trajectory = trajectoryOf(episode, instrumentId, trajectories.get(instrumentId) ?? null);
      const worse = trajectory.points.find((p) => p.reliableChange?.direction === 'deteriorated');
      if (worse) raise(byId.get(worse.responseId)!, 'reliable_deterioration', `response:${worse.responseId}`, { first: trajectory.points[0]!.score, latest: worse.score, ...worse.reliableChange });
      const off = trajectory.points.find((p) => p.sessionNumber > 1 && p.expected?.status === 'not_on_track');
      if (off) raise(byId.get(off.responseId)!, 'not_on_track', `response:${off.responseId}`, { ...off.expected, score: off.score, intakeScore: trajectory.points[0]!.score, sessionNumber: off.sessionNumber });
    }
    const { result } = dropoutRiskOf(episode, { isHidden: () => false, organisationScores, organisationTrajectories: trajectories, now });
    const latest = [...episode.responses].reverse().find((r) => r.respondent === 'client');
    if (result.level === 'high' && latest) {
      raise(latest, 'dropout_risk', `episode:${episode.id}:${result.contributions.map((c) => c.factor).join('+')}`, { score: result.score, level: result.level, contributions: result.contributions, cutPoints: result.cutPoints });
    }
  }
  for (let i = 0; i < rows.length; i += 500) await tx.insert(alerts).values(rows.slice(i, i + 500)).onConflictDoNothing();
  const outcomes = open.map((episode: EpisodeData) => ({ orgId, clientId: episode.clientId, episodeId: episode.id, ...episodeOutcomeOf(episode), computedAt: now }));
  if (outcomes.length > 0) await tx.insert(episodeOutcomes).values(outcomes).onConflictDoNothing();
  return { alerts: rows.length };
}
