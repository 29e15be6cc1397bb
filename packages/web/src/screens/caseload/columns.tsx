import type { ReactNode } from 'react';
import type { Alert, Appointment, ClientSummary } from '../../api/types';
import type { MessageKey, Translate } from '../../i18n/i18n';
import { AllianceCell, LastScoreCell } from './cells';

/** What the caseload knows about one client when it renders a row. */
export type CaseloadRow = {
  client: ClientSummary;
  nextAppointment: Appointment | null;
  alerts: Alert[];
};

export type CaseloadColumn = {
  id: string;
  header: MessageKey;
  cell: (row: CaseloadRow, helpers: { t: Translate; dateTime: (iso: string) => string }) => ReactNode;
};

/**
 * Extra caseload columns between the name and the next appointment.
 *
 * SLOTS FOR ISSUE 5 (alliance and alerts) — add a column object here and, if it needs data, a
 * field on {@link CaseloadRow} filled in `Caseload.tsx`'s `loadRows`:
 *  - `due`: questionnaires due or overdue (from `GET /clients/:id/assignments`, or a caseload endpoint);
 *  - `score`: the last symptom score with its band;
 *  - `alliance`: the alliance trend, or "rate today's session" while the blind rating is pending
 *    (never the client's score before the clinician has rated).
 * The `alerts` column below already reads the alerts list of issue 4; issue 5's lifecycle adds
 * acknowledge/resolve on the client page and the inbox.
 */
export const caseloadColumns: CaseloadColumn[] = [
  { id: 'score', header: 'caseload.col.score', cell: ({ client }) => <LastScoreCell clientId={client.id} /> },
  { id: 'alliance', header: 'caseload.col.alliance', cell: ({ client }) => <AllianceCell clientId={client.id} /> },
  {
    id: 'alerts',
    header: 'caseload.col.alerts',
    cell: ({ alerts }, { t }) => {
      if (alerts.length === 0) return <span className="muted">{t('caseload.noAlerts')}</span>;
      const urgent = alerts.filter((a) => a.urgent).length;
      return (
        <span className={urgent ? 'badge badge-urgent' : 'badge'}>
          {urgent ? t('caseload.alertsUrgent', { count: alerts.length, urgent }) : t('caseload.alertsCount', { count: alerts.length })}
        </span>
      );
    },
  },
];

/** Attention order (issue 6): urgent alerts, then other alerts, then the soonest next appointment, then name. */
export function byAttention(a: CaseloadRow, b: CaseloadRow): number {
  const urgent = (r: CaseloadRow) => r.alerts.filter((x) => x.urgent).length;
  if (urgent(a) !== urgent(b)) return urgent(b) - urgent(a);
  if (a.alerts.length !== b.alerts.length) return b.alerts.length - a.alerts.length;
  const next = (r: CaseloadRow) => (r.nextAppointment ? Date.parse(r.nextAppointment.startsAt) : Infinity);
  if (next(a) !== next(b)) return next(a) - next(b);
  return `${a.client.familyName} ${a.client.givenName}`.localeCompare(`${b.client.familyName} ${b.client.givenName}`);
}
