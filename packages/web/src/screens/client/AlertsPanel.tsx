import { endpoints } from '../../api/endpoints';
import { useT } from '../../i18n/i18n';
import { Async, useAsync } from '../../ui/ui';
import { AlertCard } from '../alerts/AlertCard';
import type { ClientPanelProps } from './panels';

/** The client's alerts, active first, each with acknowledge and resolve. */
export function AlertsPanel({ client }: ClientPanelProps) {
  const t = useT();
  const state = useAsync(() => endpoints.clientAlerts(client.id).then((r) => r.items), [client.id]);
  return (
    <Async state={state} isEmpty={(d) => d.length === 0} empty={t('alerts.emptyClient')}>
      {(items) => (
        <ul className="alert-list">
          {[...items]
            .sort((a, b) => Number(a.status === 'resolved') - Number(b.status === 'resolved') || Number(b.urgent) - Number(a.urgent))
            .map((a) => (
              <AlertCard key={a.id} alert={a} onChange={(updated) => state.setData(items.map((x) => (x.id === updated.id ? { ...x, ...updated } : x)))} />
            ))}
        </ul>
      )}
    </Async>
  );
}
