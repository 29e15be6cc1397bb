import { useState } from 'react';
import { endpoints } from '../../api/endpoints';
import { Link } from '../../app/router';
import type { AlertFull } from '../../api/types';
import { useT } from '../../i18n/i18n';
import { Async, PageTitle, SelectField, useAsync } from '../../ui/ui';
import { AlertCard } from './AlertCard';

type Filter = 'active' | 'open' | 'acknowledged' | 'resolved' | 'all';

/** The clinician's alerts inbox: urgent first, then the oldest; filter by status. */
export function AlertsInbox() {
  const t = useT();
  const [status, setStatus] = useState<Filter>('active');
  const state = useAsync(() => endpoints.alertsFull({ status, limit: 200 }).then((r) => sortAlerts(r.items)), [status]);
  return (
    <article>
      <PageTitle title={t('alerts.title')}>{t('alerts.title')}</PageTitle>
      <SelectField label={t('alerts.filter')} value={status} onChange={(e) => setStatus(e.target.value as Filter)} options={(['active', 'open', 'acknowledged', 'resolved', 'all'] as const).map((s) => ({ value: s, label: t(`alerts.filter.${s}`) }))} />
      <AlertList state={state} empty={t('alerts.empty')} />
    </article>
  );
}

export function sortAlerts(items: AlertFull[]): AlertFull[] {
  return [...items].sort((a, b) => Number(b.urgent) - Number(a.urgent) || Date.parse(a.createdAt) - Date.parse(b.createdAt));
}

function AlertList({ state, empty }: { state: ReturnType<typeof useAsync<AlertFull[]>>; empty: string }) {
  return (
    <Async state={state} isEmpty={(d) => d.length === 0} empty={empty}>
      {(items) => (
        <ul className="alert-list">
          {items.map((a) => (
            <AlertCard key={a.id} alert={a} showClient level={2} onChange={(u) => state.setData(items.map((x) => (x.id === u.id ? { ...x, ...u } : x)))} />
          ))}
        </ul>
      )}
    </Async>
  );
}

/**
 * The supervisor's view: alerts nobody has acknowledged, and those escalated to supervisors,
 * across the organisation, plus open alerts counted by kind.
 */
export function SupervisionView() {
  const t = useT();
  const state = useAsync(() => endpoints.alertsFull({ status: 'active', limit: 200 }).then((r) => r.items), []);
  return (
    <article>
      <PageTitle title={t('supervision.title')}>{t('supervision.title')}</PageTitle>
      {/* Issue 6: outcomes by therapist live in the outcome report (screens/reports), its section #by-therapist. */}
      <p>
        <Link to="/reports#by-therapist">{t('supervision.outcomesLink')}</Link>
      </p>
      <Async state={state}>
        {(items) => {
          const escalated = sortAlerts(items.filter((a) => a.escalatedAt));
          const unacknowledged = sortAlerts(items.filter((a) => a.status === 'open' && !a.escalatedAt));
          const byKind = new Map<string, number>();
          for (const a of items) byKind.set(a.kind, (byKind.get(a.kind) ?? 0) + 1);
          return (
            <>
              <section aria-labelledby="sup-esc-h" className="panel">
                <h2 id="sup-esc-h">{t('supervision.escalated', { count: escalated.length })}</h2>
                <SubList items={escalated} empty={t('supervision.noneEscalated')} onChange={(u) => state.setData(items.map((x) => (x.id === u.id ? { ...x, ...u } : x)))} />
              </section>
              <section aria-labelledby="sup-open-h" className="panel">
                <h2 id="sup-open-h">{t('supervision.unacknowledged', { count: unacknowledged.length })}</h2>
                <SubList items={unacknowledged} empty={t('supervision.noneOpen')} onChange={(u) => state.setData(items.map((x) => (x.id === u.id ? { ...x, ...u } : x)))} />
              </section>
              <section aria-labelledby="sup-kind-h" className="panel">
                <h2 id="sup-kind-h">{t('supervision.byKind')}</h2>
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col">{t('supervision.kind')}</th>
                      <th scope="col">{t('supervision.active')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...byKind].map(([kind, n]) => (
                      <tr key={kind}>
                        <th scope="row">{t(`alerts.kind.${kind as 'risk_item'}`)}</th>
                        <td>{n}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            </>
          );
        }}
      </Async>
    </article>
  );
}

function SubList({ items, empty, onChange }: { items: AlertFull[]; empty: string; onChange: (a: AlertFull) => void }) {
  if (items.length === 0) return <p className="state state-empty">{empty}</p>;
  return (
    <ul className="alert-list">
      {items.map((a) => (
        <AlertCard key={a.id} alert={a} showClient onChange={onChange} />
      ))}
    </ul>
  );
}
