import { useEffect, useRef } from 'react';
import { endpoints } from '../../api/endpoints';
import type { OutcomeReport, OutcomeReportScope, Programme, StaffUser } from '../../api/types';
import { navigate, useLocation } from '../../app/router';
import { useMe } from '../../app/session';
import { useFormat, useI18n, useT } from '../../i18n/i18n';
import { Async, ErrorState, Loading, PageTitle, useAsync } from '../../ui/ui';
import { ByTherapist } from './ByTherapist';
import { useReportFormat } from './format';
import { isIsoDate, presetPeriod, todayIn } from './period';
import { ReportFilters } from './ReportFilters';
import { OutcomeSections } from './ReportSections';
import './reports.css';

/** The section the supervisor's screen links to (issue 6: outcomes by therapist). */
export const BY_THERAPIST_HASH = '#by-therapist';
export const REPORTS_PATH = '/reports';

/** The scope in the address (so a report can be bookmarked and shared); the last 12 months by default. */
export function scopeFromSearch(search: URLSearchParams, today: string, seesWholeOrganisation: boolean): OutcomeReportScope {
  const from = search.get('from');
  const to = search.get('to');
  const period = isIsoDate(from) && isIsoDate(to) && from <= to ? { from, to } : presetPeriod('last365', today);
  const uuid = (v: string | null) => (v && /^[0-9a-f-]{36}$/i.test(v) ? v : undefined);
  return { ...period, programmeId: uuid(search.get('programmeId')), clinicianId: seesWholeOrganisation ? uuid(search.get('clinicianId')) : undefined };
}

function searchOf(scope: OutcomeReportScope): string {
  const params = new URLSearchParams({ from: scope.from, to: scope.to });
  if (scope.programmeId) params.set('programmeId', scope.programmeId);
  if (scope.clinicianId) params.set('clinicianId', scope.clinicianId);
  return `?${params.toString()}`;
}

type Options = { programmes: Programme[]; therapists: StaffUser[] | null; instrumentNames: Map<string, string> };

/**
 * The therapist filter offers only therapists who agreed to be named (the consent the API's
 * by-therapist figures use) and the viewer: a report filtered to one therapist names them.
 */
async function loadOptions(seesWholeOrganisation: boolean, viewerId: string): Promise<Options> {
  const [programmes, users, instruments] = await Promise.all([
    endpoints.programmes(true),
    seesWholeOrganisation ? endpoints.users('all') : Promise.resolve(null),
    endpoints.instruments(),
  ]);
  const therapists = users ? users.items.filter((u) => u.status !== 'invited' && (u.calibrationConsent || u.id === viewerId)).sort((a, b) => a.displayName.localeCompare(b.displayName)) : null;
  return { programmes: programmes.items, therapists, instrumentNames: new Map(instruments.items.map((i) => [i.id, i.shortName])) };
}

/** Nothing happened in the period at all: no ended episode, questionnaire, rating, alert or alliance rating. */
export function isEmptyReport(r: OutcomeReport): boolean {
  return (
    r.talkingTherapies.endedEpisodes === 0 &&
    r.adherence.sent === 0 &&
    r.adherence.sessionsRated.denominator === 0 &&
    r.alertAcknowledgement.raised === 0 &&
    r.discussedWithClient.share.denominator === 0 &&
    r.allianceByTherapist.length === 0
  );
}

/**
 * Outcome reports (issue 7 item 1) as a screen: filters, the figures as cards with their numerator
 * and denominator, bar charts with table views, outcomes and alliance by therapist, and the same
 * report as CSV. Admins and supervisors choose any programme and therapist of the clinic; a
 * clinician sees their own caseload (the API's rule: another therapist's id is a 403).
 */
export function Reports() {
  const t = useT();
  const { timeZone } = useI18n();
  const { can, me } = useMe();
  const seesAll = can('admin', 'supervisor');
  const { search, hash } = useLocation();
  const today = todayIn(timeZone);
  const scope = scopeFromSearch(search, today, seesAll);
  const key = searchOf(scope);
  const options = useAsync(() => loadOptions(seesAll, me.user.id), [seesAll, me.user.id]);
  const report = useAsync(() => endpoints.outcomeReport(scope), [key]);
  const format = useReportFormat();
  const instrumentName = (id: string) => options.data?.instrumentNames.get(id) ?? id.toUpperCase();

  // Arriving from the supervisor's screen: bring the by-therapist section into view once it is there.
  const byTherapist = useRef<HTMLHeadingElement>(null);
  const hasReport = report.data !== undefined;
  useEffect(() => {
    if (hash !== BY_THERAPIST_HASH || !hasReport || !byTherapist.current) return;
    byTherapist.current.focus();
    byTherapist.current.scrollIntoView?.({ block: 'start' });
  }, [hash, hasReport]);

  return (
    <article className="reports">
      <PageTitle title={t('reports.title')}>{t('reports.title')}</PageTitle>
      <p className="hint">{seesAll ? t('reports.intro') : t('reports.introOwn')}</p>
      {options.error ? (
        <ErrorState error={options.error} onRetry={options.reload} />
      ) : !options.data ? (
        <Loading />
      ) : (
        <ReportFilters key={key} scope={scope} today={today} programmes={options.data.programmes} therapists={options.data.therapists} onApply={(s) => navigate(`${REPORTS_PATH}${searchOf(s)}`)} />
      )}
      <div aria-busy={report.loading}>
        {report.loading && report.data !== undefined && <Loading label={t('reports.updating')} />}
        <Async state={report} isEmpty={isEmptyReport} empty={t('reports.empty')}>
          {(r) => (
            <>
              <ScopeLine report={r} options={options.data} />
              <p>
                <a className="button" href={endpoints.outcomeReportCsvUrl(scope)} download>
                  {t('reports.downloadCsv')}
                </a>
              </p>
              <OutcomeSections report={r} format={format} instrumentName={instrumentName} />
              <section aria-labelledby="by-therapist" className="panel">
                <h2 id="by-therapist" ref={byTherapist} tabIndex={-1}>
                  {t('reports.byTherapist.title')}
                </h2>
                <ByTherapist report={r} format={format} instrumentName={instrumentName} />
              </section>
            </>
          )}
        </Async>
      </div>
    </article>
  );
}

/** "Episodes that ended from … to … · programme · therapist", in words. */
function ScopeLine({ report, options }: { report: OutcomeReport; options: Options | undefined }) {
  const t = useT();
  const format = useFormat();
  const s = report.scope;
  const programme = s.programmeId ? (options?.programmes.find((p) => p.id === s.programmeId)?.name ?? t('reports.filter.oneProgramme')) : t('reports.filter.allProgrammes');
  const therapist = s.clinicianId
    ? (options?.therapists?.find((u) => u.id === s.clinicianId)?.displayName ?? t('reports.filter.ownCaseload'))
    : t('reports.filter.allTherapists');
  return <p className="lead">{t('reports.scope', { from: format.date(s.from), to: format.date(s.to), programme, therapist })}</p>;
}
