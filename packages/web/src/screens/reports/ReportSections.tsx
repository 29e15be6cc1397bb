import type { ReactNode } from 'react';
import type { OutcomeReport, ReportRate } from '../../api/types';
import { useT, type MessageKey } from '../../i18n/i18n';
import type { ReportFormat } from './format';
import { ReportBars, type Bar } from './ReportBars';

type Props = { report: OutcomeReport; format: ReportFormat; instrumentName: (id: string) => string };

const RATES = ['recovery', 'reliableImprovement', 'reliableRecovery', 'reliableDeterioration', 'dropout'] as const;
const JT_ORDER = ['recovered', 'improved', 'unchanged', 'deteriorated'];

/** One figure: its name, the figure in words ("42 of 80 (52.5 %)") and what it counts. */
function Card({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="report-card">
      <dt>{label}</dt>
      <dd className="report-figure">{value}</dd>
      {hint && <dd className="hint">{hint}</dd>}
    </div>
  );
}

/** The chart's summary for screen readers (and everyone): an intro and every bar in words. */
function summarise(t: ReturnType<typeof useT>, intro: string, bars: Bar[]): string {
  return `${intro} ${bars.map((b) => t('reports.summaryItem', { label: b.label, text: b.text })).join('; ')}.`;
}

function RateTable({ caption, rows, format }: { caption: string; rows: { key: string; label: string; rate: ReportRate }[]; format: ReportFormat }) {
  const t = useT();
  return (
    <table className="data">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('reports.figure')}</th>
          <th scope="col">{t('reports.numerator')}</th>
          <th scope="col">{t('reports.denominator')}</th>
          <th scope="col">{t('reports.rate')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row">{r.label}</th>
            <td>{format.count(r.rate.numerator)}</td>
            <td>{format.count(r.rate.denominator)}</td>
            <td>{format.percent(r.rate.rate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="panel">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** Talking Therapies rates, change and Jacobson–Truax categories, questionnaires and follow-up. */
export function OutcomeSections({ report, format, instrumentName }: Props) {
  const t = useT();
  const tt = report.talkingTherapies;
  const rateRows = RATES.map((key) => ({ key, label: t(`reports.rate.${key}`), rate: tt[key] }));
  const rateBars: Bar[] = rateRows.map((r) => ({ key: r.key, label: r.label, share: r.rate.rate, text: format.ofCount(r.rate) }));

  const jtTotal = report.jacobsonTruax.categories.reduce((sum, c) => sum + c.count, 0);
  const jtRows = [...report.jacobsonTruax.categories]
    .sort((a, b) => rank(a.category) - rank(b.category))
    .map((c) => ({ key: c.category, label: jtLabel(t, c.category), rate: { numerator: c.count, denominator: jtTotal, rate: jtTotal ? c.count / jtTotal : null } }));
  const jtBars: Bar[] = jtRows.map((r) => ({ key: r.key, label: r.label, share: r.rate.rate, text: format.ofCount(r.rate) }));

  const a = report.adherence;
  const al = report.alertAcknowledgement;
  const acknowledged: ReportRate = { numerator: al.acknowledged, denominator: al.raised, rate: al.raised ? al.acknowledged / al.raised : null };
  const processRows = [
    { key: 'completion', label: t('reports.process.completion'), rate: a.completion },
    { key: 'sessionsRated', label: t('reports.process.sessionsRated'), rate: a.sessionsRated },
    { key: 'acknowledged', label: t('reports.process.acknowledged'), rate: acknowledged },
    { key: 'discussed', label: t('reports.process.discussed'), rate: report.discussedWithClient.share },
  ];
  const processBars: Bar[] = processRows.map((r) => ({ key: r.key, label: r.label, share: r.rate.rate, text: format.ofCount(r.rate) }));

  return (
    <>
      <Section id="reports-tt" title={t('reports.tt.title')}>
        {tt.endedEpisodes === 0 ? (
          <p className="state state-empty">{t('reports.tt.empty')}</p>
        ) : (
          <>
            <dl className="report-cards">
              <Card label={t('reports.tt.ended')} value={format.count(tt.endedEpisodes)} />
              <Card label={t('reports.tt.finished')} value={format.count(tt.finishedCourses)} hint={t('reports.tt.finishedHint')} />
              <Card label={t('reports.tt.paired')} value={format.count(tt.finishedWithPairedScores)} hint={t('reports.tt.pairedHint', { count: format.count(tt.finishedWithoutPairedScores) })} />
              <Card label={t('reports.tt.notAtCaseness')} value={format.count(tt.notAtCaseness)} />
            </dl>
            <dl className="report-cards">
              {rateRows.map((r) => (
                <Card key={r.key} label={r.label} value={format.ofCount(r.rate)} hint={t(`reports.rateHint.${r.key}` as MessageKey)} />
              ))}
            </dl>
            <ReportBars
              title={t('reports.tt.chart')}
              summary={summarise(t, t('reports.tt.summary', { count: format.count(tt.finishedWithPairedScores) }), rateBars)}
              bars={rateBars}
              table={<RateTable caption={t('reports.tt.chart')} rows={rateRows} format={format} />}
            />
          </>
        )}
      </Section>

      <Section id="reports-change" title={t('reports.change.title')}>
        {report.change.length === 0 ? (
          <p className="state state-empty">{t('reports.change.empty')}</p>
        ) : (
          <div className="table-scroll">
            <table className="data">
              <caption>{t('reports.change.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('reports.measure')}</th>
                  <th scope="col">{t('reports.courses')}</th>
                  <th scope="col">{t('reports.meanFirst')}</th>
                  <th scope="col">{t('reports.meanLast')}</th>
                  <th scope="col">{t('reports.meanChange')}</th>
                  <th scope="col">{t('reports.effectSize')}</th>
                </tr>
              </thead>
              <tbody>
                {report.change.map((c) => (
                  <tr key={c.instrumentId}>
                    <th scope="row">{instrumentName(c.instrumentId)}</th>
                    <td>{format.count(c.n)}</td>
                    <td>{format.one(c.meanFirst)}</td>
                    <td>{format.one(c.meanLast)}</td>
                    <td>{format.signedOne(c.meanChange)}</td>
                    <td>{format.signedTwo(c.effectSize)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="hint">{t('reports.change.hint')}</p>
        {report.jacobsonTruax.available ? (
          <ReportBars
            title={t('reports.jt.chart')}
            summary={summarise(t, t('reports.jt.summary', { count: format.count(jtTotal) }), jtBars)}
            bars={jtBars}
            table={<RateTable caption={t('reports.jt.chart')} rows={jtRows} format={format} />}
          />
        ) : (
          <p className="muted">{t('reports.jt.unavailable')}</p>
        )}
      </Section>

      <Section id="reports-process" title={t('reports.process.title')}>
        <dl className="report-cards">
          <Card label={t('reports.process.completion')} value={format.ofCount(a.completion)} hint={t('reports.process.completionHint')} />
          <Card label={t('reports.process.expired')} value={format.count(a.expired)} hint={t('reports.process.expiredHint')} />
          <Card label={t('reports.process.sessionsRated')} value={format.ofCount(a.sessionsRated)} hint={t('reports.process.sessionsRatedHint')} />
          <Card label={t('reports.process.acknowledged')} value={format.ofCount(acknowledged)} />
          <Card label={t('reports.process.timeToAcknowledge')} value={al.acknowledged === 0 ? t('reports.process.noneAcknowledged') : t('reports.process.medianP90', { median: format.hours(al.medianHours), p90: format.hours(al.p90Hours) })} />
          <Card label={t('reports.process.discussed')} value={format.ofCount(report.discussedWithClient.share)} hint={t('reports.process.discussedHint')} />
        </dl>
        <ReportBars
          title={t('reports.process.chart')}
          summary={summarise(t, t('reports.process.summary'), processBars)}
          bars={processBars}
          table={<RateTable caption={t('reports.process.chart')} rows={processRows} format={format} />}
        />
      </Section>
    </>
  );
}

function rank(category: string): number {
  const i = JT_ORDER.indexOf(category);
  return i < 0 ? JT_ORDER.length : i;
}

function jtLabel(t: ReturnType<typeof useT>, category: string): string {
  return JT_ORDER.includes(category) ? t(`reports.jt.${category}` as MessageKey) : category;
}
