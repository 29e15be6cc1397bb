import type { OutcomeReport, PoolNote } from './reports.report';

/** RFC 4180 field: quoted when it holds a comma, quote or line break; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it. */
function field(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const HEADER = ['section', 'metric', 'group', 'numerator', 'denominator', 'value'] as const;

/** The outcome report as CSV: one line per figure, numerators and denominators as their own columns. */
export function outcomeReportCsv(report: OutcomeReport): string {
  const lines: (string | number | null)[][] = [];
  const tt = report.talkingTherapies;
  const add = (section: string, metric: string, group: string | null, numerator: number | null, denominator: number | null, value: number | null) =>
    lines.push([section, metric, group, numerator, denominator, value]);
  /** Withheld therapists, so a reader of the CSV sees why a section has no (pooled) row: the reason code and how many. */
  const notShown = (section: string, pool: PoolNote) => {
    if (!pool.shown && pool.reasonCode) add(section, 'not_shown', pool.reasonCode, null, null, pool.pooledTherapists);
  };
  add('talking_therapies', 'ended_episodes', null, null, null, tt.endedEpisodes);
  add('talking_therapies', 'finished_courses', null, null, null, tt.finishedCourses);
  add('talking_therapies', 'finished_with_paired_scores', null, null, null, tt.finishedWithPairedScores);
  add('talking_therapies', 'not_at_caseness', null, null, null, tt.notAtCaseness);
  for (const key of ['recovery', 'reliableImprovement', 'reliableRecovery', 'reliableDeterioration', 'dropout'] as const) {
    add('talking_therapies', key, null, tt[key].numerator, tt[key].denominator, tt[key].rate);
  }
  for (const c of report.jacobsonTruax.categories) add('jacobson_truax', c.category, null, null, null, c.count);
  for (const c of report.change) {
    add('change', 'mean_first', c.instrumentId, null, c.n, c.meanFirst);
    add('change', 'mean_last', c.instrumentId, null, c.n, c.meanLast);
    add('change', 'mean_change', c.instrumentId, null, c.n, c.meanChange);
    add('change', 'effect_size_d_pre_sd', c.instrumentId, null, c.n, c.effectSize);
  }
  for (const c of report.changeByTherapist) {
    const group = c.pooled ? `pooled (${c.therapists} therapists)` : (c.name ?? '');
    add('change_by_therapist', 'phq9_mean_change', group, null, c.n, c.meanChange);
  }
  notShown('change_by_therapist', report.changeByTherapistPool);
  const a = report.adherence;
  add('adherence', 'questionnaires_completed', null, a.completion.numerator, a.completion.denominator, a.completion.rate);
  add('adherence', 'questionnaires_expired', null, null, null, a.expired);
  add('adherence', 'sessions_rated_by_therapist', null, a.sessionsRated.numerator, a.sessionsRated.denominator, a.sessionsRated.rate);
  const al = report.alertAcknowledgement;
  add('alerts', 'acknowledged', null, al.acknowledged, al.raised, al.raised ? al.acknowledged / al.raised : null);
  add('alerts', 'hours_to_acknowledge_median', null, null, null, al.medianHours);
  add('alerts', 'hours_to_acknowledge_p90', null, null, null, al.p90Hours);
  const d = report.discussedWithClient.share;
  add('results', 'discussed_with_client', null, d.numerator, d.denominator, d.rate);
  for (const r of report.allianceByTherapist) {
    const group = `${r.pooled ? `pooled (${r.therapists} therapists)` : (r.name ?? '')} / ${r.clientForm}`;
    add('alliance', 'mean_client_alliance', group, null, r.sessions, r.meanClientAlliance);
    add('alliance', 'mean_therapist_minus_client', group, null, r.pairedSessions, r.meanGap);
  }
  notShown('alliance', report.alliancePool);
  return [HEADER as readonly (string | number | null)[], ...lines].map((l) => l.map(field).join(',')).join('\r\n') + '\r\n';
}
