import { endpoints } from '../../api/endpoints';
import { ApiError } from '../../api/client';
import { Link } from '../../app/router';
import { useT } from '../../i18n/i18n';
import { useAsync } from '../../ui/ui';
import { latestMeasure } from '../client/AlliancePanel';

/** The last symptom score and its band (PHQ-9, else GAD-7); loads after the row is shown. */
export function LastScoreCell({ clientId }: { clientId: string }) {
  const t = useT();
  const state = useAsync(async () => {
    for (const id of ['phq9', 'gad7']) {
      try {
        const tr = await endpoints.trajectory(clientId, id);
        const last = tr.points[tr.points.length - 1];
        if (last) return { name: id.toUpperCase(), score: last.score, band: last.band?.label ?? '' };
      } catch (e) {
        if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 400)) throw e;
      }
    }
    return null;
  }, [clientId]);
  if (state.loading) return <span className="muted">…</span>;
  if (state.error || !state.data) return <span className="muted">{t('caseload.noScore')}</span>;
  return (
    <span>
      {state.data.name} {state.data.score} <span className="muted">({state.data.band})</span>
    </span>
  );
}

/**
 * The alliance trend, respecting the blind rating: while the clinician owes a rating, the cell is a
 * "rate today's session" link straight to the form, never the client's score.
 */
export function AllianceCell({ clientId }: { clientId: string }) {
  const t = useT();
  const state = useAsync(async () => {
    const [alliance, pending] = await Promise.all([endpoints.alliance(clientId), endpoints.pendingRatings(clientId).then((r) => r.items)]);
    return { measure: latestMeasure(alliance), pending };
  }, [clientId]);
  if (state.loading) return <span className="muted">…</span>;
  if (state.error || !state.data) return <span className="muted">—</span>;
  const { measure, pending } = state.data;
  if (pending[0])
    return (
      <Link to={`/clients/${clientId}/rate/${pending[0].assignmentId}`}>
        {t('caseload.rateToday')}
      </Link>
    );
  const visible = measure?.sessions.filter((s) => !s.clientHidden && s.client) ?? [];
  const last = visible[visible.length - 1];
  if (!measure || !last) return <span className="muted">—</span>;
  return (
    <span>
      {Math.round(last.client!.percent)} % · {t(`alliance.trend.${measure.gapTrend.label}` as 'alliance.trend.stable')}
    </span>
  );
}
