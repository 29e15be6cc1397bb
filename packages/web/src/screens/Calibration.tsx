import { endpoints } from '../api/endpoints';
import type { CalibrationStats } from '../api/types';
import { useT } from '../i18n/i18n';
import { Async, PageTitle, useAsync } from '../ui/ui';

const one = (v: number | null) => (v == null ? '—' : `${v > 0 ? '+' : ''}${v.toFixed(1)}`);

/**
 * My calibration (issue 5 §4, issue 6 §7): private to the therapist. The gap is therapist − client
 * in percent of the scale's range. What the research says (facts.md B4): clients usually rate the
 * alliance higher than their therapists; a therapist rating above the client is the signal worth
 * acting on; the evidence that feedback on the gap improves outcomes is mixed; the advice is to ask
 * the client and talk about the relationship.
 */
export function CalibrationScreen() {
  const t = useT();
  const state = useAsync(() => endpoints.calibration(), []);
  return (
    <article>
      <PageTitle title={t('calibration.title')}>{t('calibration.title')}</PageTitle>
      <p className="hint">{t('calibration.private')}</p>
      <Async state={state} isEmpty={(d) => d.report.overall.n === 0} empty={t('calibration.empty')}>
        {(d) => {
          const o = d.report.overall;
          return (
            <>
              <section aria-labelledby="cal-you-h" className="panel">
                <h2 id="cal-you-h">{t('calibration.yours')}</h2>
                <p className="lead">{explain(o, d.report.thresholdPercent, t)}</p>
                <StatsTable rows={[{ label: t('calibration.overall'), s: o }, ...d.report.byMonth.map((m) => ({ label: m.month, s: m }))]} />
              </section>
              <section aria-labelledby="cal-org-h" className="panel">
                <h2 id="cal-org-h">{t('calibration.organisation')}</h2>
                {d.organisation ? <StatsTable rows={[{ label: t('calibration.orgTherapists', { count: d.organisation.therapists }), s: d.organisation.overall }]} /> : <p className="muted">{t('calibration.orgHidden', { count: d.minTherapists })}</p>}
              </section>
              <section aria-labelledby="cal-research-h" className="panel">
                <h2 id="cal-research-h">{t('calibration.researchTitle')}</h2>
                <ul>
                  <li>{t('calibration.research1')}</li>
                  <li>{t('calibration.research2')}</li>
                  <li>{t('calibration.research3')}</li>
                  <li>{t('calibration.research4')}</li>
                </ul>
              </section>
            </>
          );
        }}
      </Async>
    </article>
  );
}

function explain(o: CalibrationStats, threshold: number, t: ReturnType<typeof useT>): string {
  if (o.meanGap == null) return t('calibration.empty');
  const ci = o.confidenceInterval;
  const direction = ci && ci.lower > 0 ? 'above' : ci && ci.upper < 0 ? 'below' : 'close';
  return [
    t(`calibration.explain.${direction}`, { gap: Math.abs(o.meanGap).toFixed(1), n: o.n }),
    t('calibration.aboveShare', { count: o.therapistAboveCount, n: o.n, threshold }),
  ].join(' ');
}

function StatsTable({ rows }: { rows: { label: string; s: CalibrationStats }[] }) {
  const t = useT();
  return (
    <table className="data">
      <thead>
        <tr>
          <th scope="col">{t('calibration.period')}</th>
          <th scope="col">{t('calibration.sessions')}</th>
          <th scope="col">{t('calibration.meanGap')}</th>
          <th scope="col">{t('calibration.ci')}</th>
          <th scope="col">{t('calibration.aboveCol')}</th>
          <th scope="col">{t('calibration.correlation')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ label, s }) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td>{s.n}</td>
            <td>{one(s.meanGap)}</td>
            <td>{s.confidenceInterval ? `${one(s.confidenceInterval.lower)} – ${one(s.confidenceInterval.upper)}` : '—'}</td>
            <td>{s.therapistAboveShare == null ? '—' : `${s.therapistAboveCount} (${Math.round(s.therapistAboveShare * 100)} %)`}</td>
            <td>{s.correlation == null ? '—' : s.correlation.toFixed(2)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
