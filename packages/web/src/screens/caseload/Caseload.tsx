import { useEffect, useState } from 'react';
import { endpoints } from '../../api/endpoints';
import type { Alert, Appointment, ClientSummary } from '../../api/types';
import { Link } from '../../app/router';
import { useFormat, useT } from '../../i18n/i18n';
import { Async, PageTitle, useAsync } from '../../ui/ui';
import { byAttention, caseloadColumns, type CaseloadRow } from './columns';
import { clientName } from '../client/names';

const PAGE = 50;

/** Runs `work` over `items` with at most `limit` at a time. */
async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}

function nextOf(appointments: Appointment[], now: number): Appointment | null {
  return appointments.filter((a) => a.status === 'scheduled' && Date.parse(a.startsAt) >= now).sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))[0] ?? null;
}

async function loadRows(q: string, status: 'active' | 'all'): Promise<{ rows: CaseloadRow[]; more: boolean }> {
  const [page, alerts] = await Promise.all([
    endpoints.clients({ q: q || undefined, status, limit: PAGE }),
    // Alerts are a nicety here: a failure must not hide the caseload.
    endpoints.alerts({ status: 'active', limit: 200 }).then((r) => r.items, () => [] as Alert[]),
  ]);
  const now = Date.now();
  const rows = await mapLimit(page.items, 6, async (client: ClientSummary) => {
    const appointments = await endpoints.appointments(client.id).then((r) => r.items, () => [] as Appointment[]);
    return { client, nextAppointment: nextOf(appointments, now), alerts: alerts.filter((a) => a.clientId === client.id) };
  });
  return { rows: rows.sort(byAttention), more: page.nextCursor !== null };
}

/** The clinician's clients (everyone's for supervisors and admins), ordered by what needs attention. */
export function Caseload() {
  const t = useT();
  const fmt = useFormat();
  const [query, setQuery] = useState('');
  const [debounced, setDebounced] = useState('');
  const [status, setStatus] = useState<'active' | 'all'>('active');
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(query.trim()), 250);
    return () => clearTimeout(timer);
  }, [query]);
  const state = useAsync(() => loadRows(debounced, status), [debounced, status]);

  return (
    <section>
      <div className="page-head">
        <PageTitle title={t('caseload.title')}>{t('caseload.title')}</PageTitle>
        <Link to="/clients/new" className="button primary">
          {t('caseload.addClient')}
        </Link>
      </div>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="caseload-search">{t('caseload.search')}</label>
          <input id="caseload-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="caseload-status">{t('caseload.show')}</label>
          <select id="caseload-status" value={status} onChange={(e) => setStatus(e.target.value as 'active' | 'all')}>
            <option value="active">{t('caseload.showActive')}</option>
            <option value="all">{t('caseload.showAll')}</option>
          </select>
        </div>
      </form>
      <Async state={state} isEmpty={(d) => d.rows.length === 0} empty={debounced ? t('caseload.noMatch') : t('caseload.empty')}>
        {({ rows, more }) => (
          <>
            <table className="data">
              <caption className="visually-hidden">{t('caseload.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('caseload.col.client')}</th>
                  {caseloadColumns.map((c) => (
                    <th scope="col" key={c.id}>
                      {t(c.header)}
                    </th>
                  ))}
                  <th scope="col">{t('caseload.col.next')}</th>
                  <th scope="col">{t('caseload.col.status')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.client.id}>
                    <th scope="row">
                      <Link to={`/clients/${row.client.id}`}>{clientName(row.client)}</Link>
                    </th>
                    {caseloadColumns.map((c) => (
                      <td key={c.id}>{c.cell(row, { t, dateTime: fmt.dateTime })}</td>
                    ))}
                    <td>{row.nextAppointment ? fmt.dateTime(row.nextAppointment.startsAt) : <span className="muted">{t('caseload.noNext')}</span>}</td>
                    <td>{row.client.status === 'active' ? t('status.active') : t('status.inactive')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {more && <p className="muted">{t('caseload.more', { count: PAGE })}</p>}
          </>
        )}
      </Async>
    </section>
  );
}
