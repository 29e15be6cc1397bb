import { useState } from 'react';
import { ApiError } from '../api/client';
import { endpoints } from '../api/endpoints';
import type { Calibration, CalibrationStats } from '../api/types';
import { Link } from '../app/router';
import { useT, type MessageKey, type Translate } from '../i18n/i18n';
import { Async, CheckboxField, FormMessage, Loading, PageTitle, useAsync, useSubmit } from '../ui/ui';

const one = (v: number | null) => (v == null ? '—' : `${v > 0 ? '+' : ''}${v.toFixed(1)}`);

/** Whose report it is: the reader's own ("you"), or a therapist a supervisor is looking at. */
export type CalibrationSubject = { kind: 'self' } | { kind: 'therapist'; name: string };

/**
 * My calibration (issue 5 §4, issue 6 §7): private to the therapist unless they share it with the
 * clinic's supervisors (`calibrationConsent`, switched here). The gap is therapist − client in
 * percent of the scale's range. What the research says (facts.md B4): clients usually rate the
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
      <SharingSwitch />
      <Async state={state} isEmpty={(d) => d.report.overall.n === 0} empty={t('calibration.empty')}>
        {(d) => <CalibrationReportView data={d} subject={{ kind: 'self' }} />}
      </Async>
    </article>
  );
}

/** The therapist's own choice to share the report with this clinic's supervisors and admins. */
function SharingSwitch() {
  const t = useT();
  const state = useAsync(() => endpoints.mySettings(), []);
  const save = useSubmit(async (share: boolean) => {
    state.setData(await endpoints.updateMySettings({ calibrationConsent: share }));
  });
  return (
    <section aria-labelledby="cal-share-h" className="panel">
      <h2 id="cal-share-h">{t('calibration.sharing')}</h2>
      <Async state={state}>
        {(s) => (
          <>
            <CheckboxField
              label={t('calibration.shareLabel')}
              checked={s.calibrationConsent}
              disabled={save.pending}
              aria-describedby="cal-share-status"
              onChange={(e) => void save.run(e.target.checked)}
            />
            <p id="cal-share-status" className="hint" role="status">
              {s.calibrationConsent ? t('calibration.shareOn') : t('calibration.shareOff')} {t('calibration.shareHint')}
            </p>
            <FormMessage error={save.error instanceof Error ? save.error.message : undefined} />
          </>
        )}
      </Async>
    </section>
  );
}

/**
 * A therapist's report as their supervisor (or an admin) sees it, only when the therapist shares it:
 * the server answers 404 otherwise, shown as "not shared by this therapist" (it reveals nothing more).
 */
export function TherapistCalibrationScreen({ userId }: { userId: string }) {
  const t = useT();
  const people = useAsync(() => endpoints.users('all').then((r) => r.items), []);
  const report = useAsync(
    () =>
      endpoints.therapistCalibration(userId).then(
        (data) => ({ shared: true as const, data }),
        (error: unknown) => {
          if (error instanceof ApiError && error.status === 404) return { shared: false as const };
          throw error;
        },
      ),
    [userId],
  );
  const name = people.data?.find((u) => u.id === userId)?.displayName ?? t('calibration.therapistUnknown');
  const title = t('calibration.therapistTitle', { name });
  return (
    <article>
      <PageTitle title={title}>{title}</PageTitle>
      <p>
        <Link to="/admin/users">{t('calibration.backToStaff')}</Link>
      </p>
      {people.data === undefined && !people.error ? (
        <Loading />
      ) : (
        <Async state={report}>
          {(r) =>
            r.shared ? (
              <>
                <p className="hint">{t('calibration.sharedNote', { name })}</p>
                {r.data.report.overall.n === 0 ? <p className="state state-empty">{t('calibration.other.empty')}</p> : <CalibrationReportView data={r.data} subject={{ kind: 'therapist', name }} />}
              </>
            ) : (
              <p className="state state-empty">{t('calibration.notShared')}</p>
            )
          }
        </Async>
      )}
    </article>
  );
}

/** The report itself, for the therapist or for a supervisor: the same figures, worded for the reader. */
export function CalibrationReportView({ data: d, subject }: { data: Calibration; subject: CalibrationSubject }) {
  const t = useT();
  const o = d.report.overall;
  const self = subject.kind === 'self';
  return (
    <>
      <section aria-labelledby="cal-you-h" className="panel">
        <h2 id="cal-you-h">{self ? t('calibration.yours') : t('calibration.theirs')}</h2>
        <p className="lead">{explain(o, d.report.thresholdPercent, subject, t)}</p>
        <StatsTable gapLabel={self ? 'calibration.meanGap' : 'calibration.other.meanGap'} rows={[{ label: t('calibration.overall'), s: o }, ...d.report.byMonth.map((m) => ({ label: m.month, s: m }))]} />
      </section>
      <section aria-labelledby="cal-org-h" className="panel">
        <h2 id="cal-org-h">{t('calibration.organisation')}</h2>
        {d.organisation ? (
          <StatsTable gapLabel={self ? 'calibration.meanGap' : 'calibration.other.meanGap'} rows={[{ label: t('calibration.orgTherapists', { count: d.organisation.therapists }), s: d.organisation.overall }]} />
        ) : (
          <p className="muted">{t('calibration.orgHidden', { count: d.minTherapists })}</p>
        )}
      </section>
      <section aria-labelledby="cal-research-h" className="panel">
        <h2 id="cal-research-h">{t('calibration.researchTitle')}</h2>
        <ul>
          <li>{t('calibration.research1')}</li>
          <li>{self ? t('calibration.research2') : t('calibration.other.research2')}</li>
          <li>{t('calibration.research3')}</li>
          <li>{t('calibration.research4')}</li>
        </ul>
      </section>
    </>
  );
}

function explain(o: CalibrationStats, threshold: number, subject: CalibrationSubject, t: Translate): string {
  if (o.meanGap == null) return subject.kind === 'self' ? t('calibration.empty') : t('calibration.other.empty');
  const ci = o.confidenceInterval;
  const direction = ci && ci.lower > 0 ? 'above' : ci && ci.upper < 0 ? 'below' : 'close';
  const gap = Math.abs(o.meanGap).toFixed(1);
  if (subject.kind === 'self') {
    return [t(`calibration.explain.${direction}`, { gap, n: o.n }), t('calibration.aboveShare', { count: o.therapistAboveCount, n: o.n, threshold })].join(' ');
  }
  const name = subject.name;
  return [t(`calibration.other.explain.${direction}`, { gap, n: o.n, name }), t('calibration.other.aboveShare', { count: o.therapistAboveCount, n: o.n, threshold, name })].join(' ');
}

function StatsTable({ rows, gapLabel }: { rows: { label: string; s: CalibrationStats }[]; gapLabel: MessageKey }) {
  const t = useT();
  return (
    <table className="data">
      <thead>
        <tr>
          <th scope="col">{t('calibration.period')}</th>
          <th scope="col">{t('calibration.sessions')}</th>
          <th scope="col">{t(gapLabel)}</th>
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
