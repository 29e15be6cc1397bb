import type { ReactNode } from 'react';
import type { Client, Episode } from '../../api/types';
import type { MessageKey } from '../../i18n/i18n';
import { ActionsPanel } from './ActionsPanel';
import { DropoutPanel } from './DropoutPanel';
import { AlertsPanel } from './AlertsPanel';
import { AlliancePanel } from './AlliancePanel';
import { ResponsesPanel } from './ResponsesPanel';
import { SymptomPanel } from './SymptomPanel';

export type ClientPanelProps = { client: Client; openEpisode: Episode | null };
export type ClientPanel = { id: string; title: MessageKey; render: (props: ClientPanelProps) => ReactNode };

/**
 * Panels of the client page, in this order at the top of the page (what needs attention first: alerts,
 * then the measures, then what to do), before the appointments and the client's records.
 *
 * Each is one entry here (lazy-load anything heavy such as uPlot):
 *  - `symptoms`: a chart per symptom measure with bands, caseness line, reliable-change markers and
 *    the expected-trajectory band, each with a table view and a text summary;
 *  - `alliance`: client and therapist ratings per session, the gap shaded, ruptures and repairs,
 *    item-level comparison — respecting the blind rating;
 *  - `responses`: item-level answers (risk items highlighted);
 *  - `alerts`: the client's alerts with acknowledge / resolve;
 *  - `actions`: send a questionnaire now, schedule, in-session mode, rate the session.
 */
export const clientPanels: ClientPanel[] = [
  { id: 'alerts', title: 'panel.alerts', render: (p) => <AlertsPanel {...p} /> },
  { id: 'symptoms', title: 'panel.symptoms', render: (p) => <SymptomPanel {...p} /> },
  { id: 'alliance', title: 'panel.alliance', render: (p) => <AlliancePanel {...p} /> },
  { id: 'responses', title: 'panel.responses', render: (p) => <ResponsesPanel {...p} /> },
  { id: 'actions', title: 'panel.actions', render: (p) => <ActionsPanel {...p} /> },
  { id: 'dropout', title: 'panel.dropout', render: (p) => <DropoutPanel {...p} /> },
];
