import type { OutcomeReport, ReportPool, ReportTherapistGroup } from '../../api/types';
import { useT } from '../../i18n/i18n';
import type { ReportFormat } from './format';

/** The server's MIN_POOL (features/reports/reports.compute.ts): the smallest pool of unnamed therapists it shows. */
const MIN_POOL = 5;

type Props = { report: OutcomeReport; format: ReportFormat; instrumentName: (id: string) => string };

/**
 * Outcomes and alliance by therapist (issue 7 item 1, issue 6's supervisor view). The API names only
 * therapists who consented (or the viewer themselves); the others come as one pooled, unnamed row,
 * and only when at least five are in the pool — the note below each table says what was left out.
 */
export function ByTherapist({ report, format, instrumentName }: Props) {
  const t = useT();
  const groupName = (g: ReportTherapistGroup) => (g.pooled ? t('reports.pooled', { count: g.therapists }) : (g.name ?? t('reports.unnamed')));
  const outcomes = report.changeByTherapist;
  const alliance = report.allianceByTherapist;
  return (
    <>
      <h3 id="reports-outcomes-by-therapist">{t('reports.byTherapist.outcomes')}</h3>
      {outcomes.length === 0 ? (
        <p className="state state-empty">{t('reports.byTherapist.noOutcomes')}</p>
      ) : (
        <div className="table-scroll">
          <table className="data">
            <caption className="visually-hidden">{t('reports.byTherapist.outcomesCaption', { measure: instrumentName('phq9') })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('reports.therapist')}</th>
                <th scope="col">{t('reports.courses')}</th>
                <th scope="col">{t('reports.meanFirst')}</th>
                <th scope="col">{t('reports.meanLast')}</th>
                <th scope="col">{t('reports.meanChange')}</th>
                <th scope="col">{t('reports.effectSize')}</th>
              </tr>
            </thead>
            <tbody>
              {outcomes.map((g) => (
                <tr key={g.therapistId ?? 'pooled'}>
                  <th scope="row">{groupName(g)}</th>
                  <td>{format.count(g.n)}</td>
                  <td>{format.one(g.meanFirst)}</td>
                  <td>{format.one(g.meanLast)}</td>
                  <td>{format.signedOne(g.meanChange)}</td>
                  <td>{format.signedTwo(g.effectSize)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PoolNote pool={report.changeByTherapistPool} />

      <h3 id="reports-alliance-by-therapist">{t('reports.byTherapist.alliance')}</h3>
      <p className="hint">{t('reports.byTherapist.allianceHint')}</p>
      {alliance.length === 0 ? (
        <p className="state state-empty">{t('reports.byTherapist.noAlliance')}</p>
      ) : (
        <div className="table-scroll">
          <table className="data">
            <caption className="visually-hidden">{t('reports.byTherapist.allianceCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('reports.therapist')}</th>
                <th scope="col">{t('actions.questionnaire')}</th>
                <th scope="col">{t('reports.clientRatings')}</th>
                <th scope="col">{t('reports.meanClientAlliance')}</th>
                <th scope="col">{t('reports.pairedSessions')}</th>
                <th scope="col">{t('reports.meanGap')}</th>
              </tr>
            </thead>
            <tbody>
              {alliance.map((g) => (
                <tr key={`${g.therapistId ?? 'pooled'}-${g.clientForm}`}>
                  <th scope="row">{groupName(g)}</th>
                  <td>{instrumentName(g.clientForm)}</td>
                  <td>{format.count(g.sessions)}</td>
                  <td>{format.one(g.meanClientAlliance)}</td>
                  <td>{format.count(g.pairedSessions)}</td>
                  <td>{format.signedOne(g.meanGap)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PoolNote pool={report.alliancePool} />
    </>
  );
}

/** What happened to the therapists who did not consent to be named (the API's `reasonCode` when left out). */
function PoolNote({ pool }: { pool: ReportPool }) {
  const t = useT();
  if (pool.pooledTherapists === 0) return null;
  if (pool.reasonCode === 'therapist_not_consented') return <p className="muted">{t('reports.pool.notConsented')}</p>;
  const one = pool.pooledTherapists === 1;
  const text = pool.shown
    ? t(one ? 'reports.pool.shownOne' : 'reports.pool.shown', { count: pool.pooledTherapists })
    : t(one ? 'reports.pool.hiddenOne' : 'reports.pool.hidden', { count: pool.pooledTherapists, min: MIN_POOL });
  return <p className="muted">{text}</p>;
}
