import { useId, useState, type FormEvent } from 'react';
import { endpoints } from '../../api/endpoints';
import { formError } from '../../api/client';
import type { ImportKind, ImportMode, ImportReport } from '../../api/types';
import type { ImportProgress } from '../../api/upload';
import { dictionaries, useI18n } from '../../i18n/i18n';
import type { MessageKey, Translate } from '../../i18n/i18n';
import { CheckboxField, FormMessage, PageTitle, SelectField } from '../../ui/ui';

/** The columns of each kind, as the server checks them (`features/imports/imports.schema.ts`). */
const columns: Record<ImportKind, { name: string; need: 'required' | 'oneOf' | 'optional' }[]> = {
  clients: [
    { name: 'given_name', need: 'required' },
    { name: 'family_name', need: 'required' },
    { name: 'preferred_name', need: 'optional' },
    { name: 'email', need: 'optional' },
    { name: 'mobile', need: 'optional' },
    { name: 'language', need: 'optional' },
    { name: 'time_zone', need: 'optional' },
    { name: 'date_of_birth', need: 'optional' },
    { name: 'external_id', need: 'optional' },
    { name: 'clinician_email', need: 'optional' },
  ],
  appointments: [
    { name: 'client_external_id', need: 'oneOf' },
    { name: 'client_email', need: 'oneOf' },
    { name: 'clinician_email', need: 'required' },
    { name: 'starts_at', need: 'required' },
    { name: 'duration_minutes', need: 'optional' },
    { name: 'kind', need: 'optional' },
    { name: 'status', need: 'optional' },
  ],
  scores: [
    { name: 'client_external_id', need: 'oneOf' },
    { name: 'client_email', need: 'oneOf' },
    { name: 'instrument_id', need: 'required' },
    { name: 'date', need: 'required' },
    { name: 'total', need: 'optional' },
    { name: 'answers', need: 'optional' },
  ],
};

/** A one-row example of each kind, to download and fill in. */
const templates: Record<ImportKind, string> = {
  clients:
    'given_name,family_name,preferred_name,email,mobile,language,time_zone,date_of_birth,external_id,clinician_email\r\n' +
    'Alex,Example,,alex@example.org,+447700900123,en,Europe/London,1990-12-10,MRN-0001,clinician@yourclinic.example\r\n',
  appointments: 'client_external_id,client_email,clinician_email,starts_at,duration_minutes,kind,status\r\nMRN-0001,,clinician@yourclinic.example,2026-03-02T10:00:00+00:00,50,treatment,scheduled\r\n',
  scores:
    'client_external_id,client_email,instrument_id,date,total,answers\r\n' +
    'MRN-0001,,phq9,2025-07-01,,phq9_1=2; phq9_2=1; phq9_3=1; phq9_4=2; phq9_5=0; phq9_6=1; phq9_7=1; phq9_8=0; phq9_9=0\r\n' +
    'MRN-0001,,gad7,2025-07-01,12,\r\n',
};

const kinds: ImportKind[] = ['clients', 'appointments', 'scores'];

/**
 * Importing clients, appointments (CSV or iCal) and historical scores (issue 7 item 7), for admins.
 * A dry run first by default; upload progress (XMLHttpRequest), then rows processed as the server
 * reports them; the report as a table of problems by row and column. Nothing is written when any
 * row is invalid unless the admin chooses the valid rows only.
 */
export function Import() {
  const { t, locale } = useI18n();
  // English shows the server's own sentence (it names the expected format); another language the
  // text for the problem's code, as long as there is one.
  const problemText = (code: string, message: string) => {
    const key = `import.why.${code}` as MessageKey;
    return locale !== 'en' && key in dictionaries[locale] ? t(key) : message;
  };
  const [kind, setKind] = useState<ImportKind>('clients');
  const [mode, setMode] = useState<ImportMode>('all-or-nothing');
  const [dryRun, setDryRun] = useState(true);
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [running, setRunning] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const fileId = useId();
  const progressId = useId();

  async function start(asDryRun: boolean) {
    if (!file) {
      setError(new Error(t('import.chooseFile')));
      return;
    }
    setRunning(true);
    setError(undefined);
    setReport(null);
    setProgress({ phase: 'upload', loaded: 0, total: file.size });
    try {
      setReport(await endpoints.importFile(kind, file, { mode, dryRun: asDryRun }, setProgress));
    } catch (e) {
      setError(e);
    } finally {
      setRunning(false);
      setProgress(null);
    }
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void start(dryRun);
  };

  const percent = progress?.phase === 'upload' && progress.total > 0 ? Math.min(100, Math.round((progress.loaded / progress.total) * 100)) : null;
  const need = (n: 'required' | 'oneOf' | 'optional') => t(`import.need.${n}` as MessageKey);

  return (
    <article>
      <PageTitle title={t('import.title')}>{t('import.title')}</PageTitle>
      <p className="hint">{t('import.intro')}</p>
      <form onSubmit={onSubmit} noValidate>
        <SelectField
          label={t('import.kind')}
          value={kind}
          onChange={(e) => {
            setKind(e.target.value as ImportKind);
            setReport(null);
          }}
          options={kinds.map((k) => ({ value: k, label: t(`import.kind.${k}` as MessageKey) }))}
        />
        <div className="field">
          <label htmlFor={fileId}>{t(kind === 'appointments' ? 'import.fileOrCalendar' : 'import.file')}</label>
          <input
            id={fileId}
            type="file"
            accept={kind === 'appointments' ? '.csv,text/csv,.ics,text/calendar' : '.csv,text/csv'}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setReport(null);
            }}
          />
        </div>
        <SelectField
          label={t('import.mode')}
          value={mode}
          onChange={(e) => setMode(e.target.value as ImportMode)}
          options={[
            { value: 'all-or-nothing', label: t('import.mode.allOrNothing') },
            { value: 'valid-only', label: t('import.mode.validOnly') },
          ]}
        />
        <CheckboxField label={t('import.dryRun')} checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} />
        <button type="submit" className="primary" disabled={running}>
          {t(dryRun ? 'import.check' : 'import.run')}
        </button>
      </form>

      {progress && (
        <div className="field">
          <label htmlFor={progressId}>{progress.phase === 'upload' ? t('import.uploading', { percent: percent ?? 0 }) : t('import.processing', { rows: progress.rows })}</label>
          {progress.phase === 'upload' ? <progress id={progressId} max={100} value={percent ?? 0} /> : <progress id={progressId} />}
        </div>
      )}

      <FormMessage error={formError(error, [])} />

      {report && (
        <section aria-labelledby="import-report">
          <h2 id="import-report">{t('import.report')}</h2>
          <p role="status">{summaryOf(report, t)}</p>
          {report.dryRun && report.invalid === 0 && report.valid > 0 && (
            <button type="button" className="primary" disabled={running} onClick={() => void start(false)}>
              {t('import.runNow', { count: report.valid })}
            </button>
          )}
          {report.rows === 0 ? (
            <p className="empty">{t('import.noRows')}</p>
          ) : report.errors.length === 0 ? (
            <p>{t('import.noProblems')}</p>
          ) : (
            <table className="data">
              <caption>{t('import.problems')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t(report.format === 'ical' ? 'import.event' : 'import.row')}</th>
                  <th scope="col">{t('import.column')}</th>
                  <th scope="col">{t('import.problem')}</th>
                  <th scope="col">{t('import.code')}</th>
                </tr>
              </thead>
              <tbody>
                {report.errors.map((e, i) => (
                  <tr key={`${e.row}-${e.column ?? ''}-${i}`}>
                    <th scope="row">{e.row}</th>
                    <td>{e.column ?? '–'}</td>
                    <td>{problemText(e.code, e.message)}</td>
                    <td>
                      <code>{e.code}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {report.moreErrors > 0 && <p>{t('import.moreProblems', { count: report.moreErrors })}</p>}
        </section>
      )}

      <section aria-labelledby="import-columns">
        <h2 id="import-columns">{t('import.columns', { kind: t(`import.kind.${kind}` as MessageKey) })}</h2>
        <p>
          <a href={`data:text/csv;charset=utf-8,${encodeURIComponent(templates[kind])}`} download={`rapport-${kind}-template.csv`}>
            {t('import.template', { kind: t(`import.kind.${kind}` as MessageKey) })}
          </a>
        </p>
        <table className="data">
          <thead>
            <tr>
              <th scope="col">{t('import.column')}</th>
              <th scope="col">{t('import.needed')}</th>
              <th scope="col">{t('import.meaning')}</th>
            </tr>
          </thead>
          <tbody>
            {columns[kind].map((c) => (
              <tr key={c.name}>
                <th scope="row">
                  <code>{c.name}</code>
                </th>
                <td>{need(c.need)}</td>
                <td>{t(`import.col.${kind}.${c.name}` as MessageKey)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {kind === 'appointments' && <p className="hint">{t('import.ical')}</p>}
      </section>
    </article>
  );
}

function summaryOf(report: ImportReport, t: Translate): string {
  const counts = t('import.counts', { rows: report.rows, valid: report.valid, invalid: report.invalid, duplicates: report.duplicates });
  if (report.dryRun) return `${counts} ${t('import.dryRunDone', { count: report.valid })}`;
  if (report.imported === 0 && report.invalid > 0 && report.mode === 'all-or-nothing') return `${counts} ${t('import.rejected', { count: report.invalid })}`;
  return `${counts} ${t('import.imported', { count: report.imported })}`;
}
