import { useState } from 'react';
import { endpoints } from '../../api/endpoints';
import type { Alliance, AllianceMeasure, AllianceSession } from '../../api/types';
import { Link } from '../../app/router';
import { ChartFrame, LegendItem } from '../../charts/ChartFrame';
import { allianceSpec } from '../../charts/alliance';
import { useFormat, useT, type Translate } from '../../i18n/i18n';
import { Async, SelectField, useAsync } from '../../ui/ui';
import type { ClientPanelProps } from './panels';

const pct = (v: number | null | undefined) => (v == null ? '—' : `${Math.round(v)} %`);
const signed = (v: number | null | undefined) => (v == null ? '—' : `${v > 0 ? '+' : ''}${Math.round(v)}`);

/**
 * The alliance panel (issue 6 §4): both ratings per session, the gap, ruptures and repairs, and the
 * item-level comparison for a chosen session. Blind rating: where the API hides the client's score
 * (`clientHidden`), the panel shows "rate this session first" and nothing of the client's answer.
 */
export function AlliancePanel({ client }: ClientPanelProps) {
  const t = useT();
  const state = useAsync(async () => {
    const [alliance, pending] = await Promise.all([endpoints.alliance(client.id), endpoints.pendingRatings(client.id).catch(() => ({ items: [] }))]);
    return { alliance, pending: pending.items };
  }, [client.id]);
  return (
    <Async state={state} isEmpty={(d) => latestMeasure(d.alliance) === null} empty={t('alliance.empty')}>
      {({ alliance, pending }) => <AllianceMeasureView clientId={client.id} measure={latestMeasure(alliance)!} rateLinks={new Map(pending.filter((p) => p.appointmentId).map((p) => [p.appointmentId!, p.assignmentId]))} />}
    </Async>
  );
}

export function latestMeasure(a: Alliance): AllianceMeasure | null {
  for (const e of [...a.episodes].reverse()) {
    const m = e.measures.find((x) => x.sessions.length > 0);
    if (m) return m;
  }
  return null;
}

export function allianceSummary(m: AllianceMeasure, t: Translate): string {
  const visible = m.sessions.filter((s) => !s.clientHidden && s.client && s.therapist && s.gap);
  const hidden = m.sessions.filter((s) => s.clientHidden).length;
  const ruptures = m.sessions.filter((s) => s.rupture && s.rupture.rupture !== 'none').length;
  const repaired = m.sessions.filter((s) => s.rupture?.repair?.status === 'repaired').length;
  const last = visible[visible.length - 1];
  return [
    t('alliance.summary', { count: m.sessions.length, ruptures, repaired }),
    last ? t('alliance.summaryLast', { session: last.sessionNumber, client: pct(last.client!.percent), therapist: pct(last.therapist!.percent), gap: signed(last.gap!.therapistMinusClientPercent) }) : '',
    hidden ? t('alliance.summaryHidden', { count: hidden }) : '',
    t('alliance.trend', { label: t(`alliance.trend.${m.gapTrend.label}` as 'alliance.trend.stable') ?? m.gapTrend.label }),
  ]
    .filter(Boolean)
    .join(' ');
}

export function AllianceMeasureView({ clientId, measure: m, rateLinks }: { clientId: string; measure: AllianceMeasure; rateLinks: Map<string, string> }) {
  const t = useT();
  const fmt = useFormat();
  const [chosen, setChosen] = useState(() => String(m.sessions[m.sessions.length - 1]?.sessionNumber ?? ''));
  const spec = allianceSpec(m, { session: t('chart.session'), percent: t('alliance.percent'), client: t('alliance.client'), therapist: t('alliance.therapist') });
  const session = m.sessions.find((s) => String(s.sessionNumber) === chosen);
  const ruptureText = (s: AllianceSession) =>
    s.rupture && s.rupture.rupture !== 'none' ? `${t(`alliance.rupture.${s.rupture.rupture}`)}${s.rupture.repair ? ` · ${t(`alliance.repair.${s.rupture.repair.status}`)}` : ''}` : '—';
  return (
    <>
      <ChartFrame
        title={t('alliance.chartTitle')}
        summary={allianceSummary(m, t)}
        spec={spec}
        legend={
          <ul className="legend">
            <LegendItem swatch="sw-client">{t('alliance.client')}</LegendItem>
            <LegendItem swatch="sw-therapist">{t('alliance.therapist')}</LegendItem>
            <LegendItem swatch="sw-gap-above">{t('alliance.gapAbove')}</LegendItem>
            <LegendItem swatch="sw-gap-below">{t('alliance.gapBelow')}</LegendItem>
            <LegendItem swatch="sw-rupture">{t('alliance.ruptureLegend')}</LegendItem>
            <LegendItem swatch="sw-repair">{t('alliance.repairLegend')}</LegendItem>
          </ul>
        }
        table={
          <table className="data">
            <caption>{t('alliance.tableCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('chart.session')}</th>
                <th scope="col">{t('chart.date')}</th>
                <th scope="col">{t('alliance.client')}</th>
                <th scope="col">{t('alliance.therapist')}</th>
                <th scope="col">{t('alliance.gap')}</th>
                <th scope="col">{t('alliance.ruptureCol')}</th>
              </tr>
            </thead>
            <tbody>
              {m.sessions.map((s) => (
                <tr key={s.sessionNumber}>
                  <th scope="row">{s.sessionNumber}</th>
                  <td>{fmt.date(s.date)}</td>
                  <td>{s.clientHidden ? <RateFirst clientId={clientId} session={s} rateLinks={rateLinks} /> : pct(s.client?.percent)}</td>
                  <td>{pct(s.therapist?.percent)}</td>
                  <td>{s.gap && !s.clientHidden ? `${signed(s.gap.therapistMinusClientPercent)}${s.gap.therapistAboveAlert ? ` · ${t('alliance.aboveAlert')}` : ''}` : '—'}</td>
                  <td>{ruptureText(s)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        }
      />
      <div className="subform">
        <h3>{t('alliance.itemsTitle')}</h3>
        <SelectField label={t('alliance.chooseSession')} value={chosen} onChange={(e) => setChosen(e.target.value)} options={m.sessions.map((s) => ({ value: String(s.sessionNumber), label: t('alliance.sessionOption', { n: s.sessionNumber, date: fmt.date(s.date) }) }))} />
        {session && <ItemComparison clientId={clientId} session={session} rateLinks={rateLinks} />}
      </div>
    </>
  );
}

function RateFirst({ clientId, session, rateLinks }: { clientId: string; session: AllianceSession; rateLinks: Map<string, string> }) {
  const t = useT();
  const assignmentId = session.appointmentId ? rateLinks.get(session.appointmentId) : undefined;
  return assignmentId ? <Link to={`/clients/${clientId}/rate/${assignmentId}`}>{t('alliance.rateFirst')}</Link> : <span className="muted">{t('alliance.rateFirst')}</span>;
}

function ItemComparison({ clientId, session: s, rateLinks }: { clientId: string; session: AllianceSession; rateLinks: Map<string, string> }) {
  const t = useT();
  if (s.clientHidden)
    return (
      <p className="notice">
        {t('alliance.hiddenNotice')} <RateFirst clientId={clientId} session={s} rateLinks={rateLinks} />
      </p>
    );
  if (!s.gap || s.gap.items.length === 0) return <p className="muted">{t('alliance.noItems')}</p>;
  return (
    <table className="data">
      <caption>{t('alliance.itemsCaption', { n: s.sessionNumber })}</caption>
      <thead>
        <tr>
          <th scope="col">{t('alliance.item')}</th>
          <th scope="col">{t('alliance.client')}</th>
          <th scope="col">{t('alliance.therapist')}</th>
          <th scope="col">{t('alliance.gap')}</th>
        </tr>
      </thead>
      <tbody>
        {s.gap.items.map((i) => (
          <tr key={i.clientItemId} className={i.direction === 'therapist_above' && (i.gapPercent ?? 0) > s.gap!.thresholdPercent ? 'row-flag' : undefined}>
            <th scope="row">{itemLabel(i.clientItemId, t)}</th>
            <td>{pct(i.clientPercent)}</td>
            <td>{pct(i.therapistPercent)}</td>
            <td>{signed(i.gapPercent)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function itemLabel(id: string, t: Translate): string {
  const tail = id.split('_').pop();
  return tail === 'goals' || tail === 'tasks' || tail === 'bond' || tail === 'overall' ? t(`alliance.item.${tail}`) : id;
}
