import type { ReactNode } from 'react';
import type { CaseloadItem } from '../../api/types';
import type { MessageKey, Translate } from '../../i18n/i18n';
import { AlertsCell, AllianceCell, AttentionCell, LastScoreCell, QuestionnairesCell, TodayCell } from './cells';

export type CaseloadColumn = {
  id: string;
  header: MessageKey;
  cell: (item: CaseloadItem, helpers: { t: Translate; dateTime: (iso: string) => string }) => ReactNode;
};

/**
 * The caseload's columns after the client's name, in reading order. Every value comes from the one
 * `GET /api/v1/caseload` response (no request per row); the rows arrive already in attention order.
 */
export const caseloadColumns: CaseloadColumn[] = [
  { id: 'attention', header: 'caseload.col.attention', cell: (item) => <AttentionCell item={item} /> },
  { id: 'alerts', header: 'caseload.col.alerts', cell: (item) => <AlertsCell item={item} /> },
  { id: 'questionnaires', header: 'caseload.col.questionnaires', cell: (item) => <QuestionnairesCell item={item} /> },
  { id: 'score', header: 'caseload.col.score', cell: (item) => <LastScoreCell item={item} /> },
  { id: 'alliance', header: 'caseload.col.alliance', cell: (item) => <AllianceCell item={item} /> },
  { id: 'today', header: 'caseload.col.today', cell: (item) => <TodayCell item={item} /> },
  {
    id: 'next',
    header: 'caseload.col.next',
    cell: (item, { t, dateTime }) => (item.nextAppointment ? dateTime(item.nextAppointment.startsAt) : <span className="muted">{t('caseload.noNext')}</span>),
  },
  { id: 'status', header: 'caseload.col.status', cell: (item, { t }) => (item.client.status === 'active' ? t('status.active') : t('status.inactive')) },
];
