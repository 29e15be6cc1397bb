import { endpoints } from '../../api/endpoints';
import { ApiError } from '../../api/client';
import type { Trajectory } from '../../api/types';
import { ChartFrame, LegendItem } from '../../charts/ChartFrame';
import { symptomSpec } from '../../charts/symptom';
import { useFormat, useT, type Translate } from '../../i18n/i18n';
import { Async, useAsync } from '../../ui/ui';
import { instrumentName, loadInstrumentNames } from './names';
import type { ClientPanelProps } from './panels';

const DEFAULT_MEASURES = ['phq9', 'gad7'];

/** The client's symptom measures: every client questionnaire, minus the alliance ones. */
export async function loadTrajectories(clientId: string): Promise<Trajectory[]> {
  const [assignments, alliance] = await Promise.all([endpoints.assignments(clientId), endpoints.alliance(clientId).catch(() => null)]);
  const allianceIds = new Set(alliance?.episodes.flatMap((e) => e.measures.map((m) => m.clientInstrumentId)) ?? []);
  // No list of responses in the API: the measures the client's questionnaires ask for, plus the
  // two the built-in protocol uses; a measure with no scores answers 404 or no points and is left out.
  const ids = [...new Set([...DEFAULT_MEASURES, ...assignments.items.filter((a) => a.respondent === 'client').flatMap((a) => a.instrumentIds)])].filter((id) => !allianceIds.has(id) && !id.startsWith('rapport_alliance'));
  const results = await Promise.all(
    ids.map((id) =>
      endpoints.trajectory(clientId, id).catch((e: unknown) => {
        if (e instanceof ApiError && (e.status === 404 || e.status === 400)) return null;
        throw e;
      }),
    ),
  );
  if (typeof performance !== 'undefined') performance.mark('client-data:arrived');
  return results.filter((t): t is Trajectory => t !== null && t.points.length > 0);
}

export function SymptomPanel({ client }: ClientPanelProps) {
  const t = useT();
  const state = useAsync(async () => {
    const [list, names] = await Promise.all([loadTrajectories(client.id), loadInstrumentNames()]);
    return list.map((trajectory) => ({ trajectory, name: instrumentName(trajectory.instrumentId, names) }));
  }, [client.id]);
  return (
    <Async state={state} isEmpty={(d) => d.length === 0} empty={t('symptoms.empty')}>
      {(list) => (
        <div className="chart-list">
          {list.map(({ trajectory, name }) => (
            <SymptomChart key={trajectory.instrumentId} trajectory={trajectory} name={name} />
          ))}
        </div>
      )}
    </Async>
  );
}

/** The chart's text summary; `name` is the instrument's display name (its id in capitals without one). */
export function symptomSummary(tr: Trajectory, t: Translate, name = tr.instrumentId.toUpperCase()): string {
  const first = tr.points[0]!;
  const last = tr.points[tr.points.length - 1]!;
  const rc = last.reliableChange?.direction ?? 'unchanged';
  return t('symptoms.summary', {
    name,
    count: tr.points.length,
    first: first.score,
    last: last.score,
    band: last.band?.label ?? '—',
    change: t(`symptoms.rc.${rc}`),
    track: trackText(last.expected?.status, t),
  }).trim();
}

function trackText(status: string | undefined, t: Translate): string {
  return status === 'on_track' ? t('symptoms.onTrack') : status === 'not_on_track' ? t('symptoms.offTrack') : '';
}

export function SymptomChart({ trajectory: tr, name = tr.instrumentId.toUpperCase() }: { trajectory: Trajectory; name?: string }) {
  const t = useT();
  const fmt = useFormat();
  const spec = symptomSpec(tr, { session: t('chart.session'), score: t('chart.score'), expected: t('symptoms.expected'), expectedUpper: t('symptoms.expectedUpper') });
  const source = tr.points.find((p) => p.expected)?.expected?.source;
  return (
    <ChartFrame
      title={name}
      summary={symptomSummary(tr, t, name)}
      spec={spec}
      legend={
        <ul className="legend">
          <LegendItem swatch="sw-score">{t('chart.score')}</LegendItem>
          <LegendItem swatch="sw-expected">{t('symptoms.expectedBand', { source: source ? t(source === 'organisation' ? 'symptoms.source.organisation' : 'symptoms.source.default') : '' })}</LegendItem>
          {tr.caseness && <LegendItem swatch="sw-caseness">{t('symptoms.caseness', { value: tr.caseness.value })}</LegendItem>}
          <LegendItem swatch="sw-bands">{t('symptoms.bands', { bands: tr.bands.map((b) => `${b.label} ${b.min}–${b.max}`).join(', ') })}</LegendItem>
          <LegendItem swatch="sw-rc">{t('symptoms.rcLegend')}</LegendItem>
        </ul>
      }
      table={
        <table className="data">
          <caption>{t('symptoms.tableCaption', { name })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('chart.session')}</th>
              <th scope="col">{t('chart.date')}</th>
              <th scope="col">{t('chart.score')}</th>
              <th scope="col">{t('symptoms.band')}</th>
              <th scope="col">{t('symptoms.reliableChange')}</th>
              <th scope="col">{t('symptoms.expected')}</th>
            </tr>
          </thead>
          <tbody>
            {tr.points.map((p) => (
              <tr key={p.responseId}>
                <th scope="row">{p.sessionNumber}</th>
                <td>{fmt.date(p.date)}</td>
                <td>{p.score}</td>
                <td>{p.band?.label ?? '—'}</td>
                <td>{p.reliableChange ? `${t(`symptoms.rc.${p.reliableChange.direction}`)} (${p.reliableChange.change > 0 ? '+' : ''}${p.reliableChange.change})` : t('symptoms.firstScore')}</td>
                <td>{p.expected ? `${Math.round(p.expected.expected * 10) / 10}${p.expected.upperBound != null ? ` (≤ ${Math.round(p.expected.upperBound * 10) / 10})` : ''} · ${trackText(p.expected.status, t)}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
