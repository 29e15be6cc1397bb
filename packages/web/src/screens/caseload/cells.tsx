import type { CaseloadItem } from '../../api/types';
import { Link } from '../../app/router';
import { useT } from '../../i18n/i18n';

/**
 * The attention tier as words in a badge (never colour alone): urgent alert, open alert,
 * questionnaire due, routine. The server decides the tier (`GET /api/v1/caseload`).
 */
export function AttentionCell({ item }: { item: CaseloadItem }) {
  const t = useT();
  const { tier } = item.attention;
  if (tier === 'routine') return <span className="muted">{t('caseload.tier.routine')}</span>;
  return (
    <span className={tier === 'urgent' ? 'badge badge-urgent' : 'badge'}>
      {tier === 'urgent' && <span aria-hidden="true">! </span>}
      {t(`caseload.tier.${tier}`)}
    </span>
  );
}

export function AlertsCell({ item }: { item: CaseloadItem }) {
  const t = useT();
  const { urgent, other } = item.alerts;
  const count = urgent + other;
  if (count === 0) return <span className="muted">{t('caseload.noAlerts')}</span>;
  return <span>{urgent ? t('caseload.alertsUrgent', { count, urgent }) : t('caseload.alertsCount', { count })}</span>;
}

export function QuestionnairesCell({ item }: { item: CaseloadItem }) {
  const t = useT();
  const { due, overdue } = item.questionnaires;
  if (due === 0) return <span className="muted">{t('caseload.noQuestionnaires')}</span>;
  return <span>{overdue ? t('caseload.dueOverdue', { count: due, overdue }) : t('caseload.due', { count: due })}</span>;
}

/** The latest score on each primary measure with its band, e.g. "PHQ-9 9 (Mild)". */
export function LastScoreCell({ item }: { item: CaseloadItem }) {
  const t = useT();
  if (item.lastScores.length === 0) return <span className="muted">{t('caseload.noScore')}</span>;
  return (
    <>
      {item.lastScores.map((s, i) => (
        <span key={s.instrumentId}>
          {i > 0 && <br />}
          {s.name} {s.score}
          {s.band && <span className="muted"> ({s.band.label})</span>}
        </span>
      ))}
    </>
  );
}

/**
 * The alliance trend, respecting the blind rating: while the clinician owes a rating, the cell is a
 * "rate today's session" link straight to the form, never the client's score (the server has
 * already left the hidden score out).
 */
export function AllianceCell({ item }: { item: CaseloadItem }) {
  const t = useT();
  if (item.ratingOwed)
    return (
      <span>
        <Link to={`/clients/${item.client.id}/rate/${item.ratingOwed.assignmentId}`}>{t('caseload.rateToday')}</Link>
        {item.alliance?.points.some((p) => p.clientHidden) && <span className="muted"> · {t('caseload.allianceHidden')}</span>}
      </span>
    );
  const visible = item.alliance?.points.filter((p) => p.client) ?? [];
  const last = visible[visible.length - 1];
  if (!item.alliance || !last) return <span className="muted">{t('caseload.noAlliance')}</span>;
  return (
    <span>
      {t('caseload.allianceValue', { percent: Math.round(last.client!.percent) })} · {t('alliance.trend', { label: t(`alliance.trend.${item.alliance.gapTrend}` as 'alliance.trend.stable') })}
    </span>
  );
}

/** Whether today's session (clinic time zone) has been rated. */
export function TodayCell({ item }: { item: CaseloadItem }) {
  const t = useT();
  const today = item.todaySession;
  if (!today) return <span className="muted">{t('caseload.today.none')}</span>;
  // Owed by the caller: the alliance cell carries the link to the form.
  if (today.rating === 'owed') return <span>{t('caseload.today.not_rated')}</span>;
  return <span className={today.rating === 'rated' ? undefined : 'muted'}>{t(`caseload.today.${today.rating}`)}</span>;
}
