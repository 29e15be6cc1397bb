import { useEffect, useState } from 'react';
import { endpoints } from '../../api/endpoints';
import type { CaseloadQuery, Programme, StaffUser } from '../../api/types';
import { Link } from '../../app/router';
import { useMe } from '../../app/session';
import { useFormat, useT } from '../../i18n/i18n';
import { Async, ErrorState, PageTitle, useAsync, useSubmit } from '../../ui/ui';
import { caseloadColumns } from './columns';
import { clientName } from '../client/names';

const PAGE = 50;
type Attention = NonNullable<CaseloadQuery['attention']>;
const ATTENTION: Attention[] = ['all', 'urgent', 'alerts', 'due'];

/**
 * The caseload (issue 6): the clinician's clients ordered by what needs attention (urgent alerts,
 * other alerts, questionnaires due or overdue, then the soonest appointment), one request per page
 * (`GET /api/v1/caseload`) with search and filters. Supervisors and admins may also open a
 * colleague's caseload or the whole clinic's.
 */
export function Caseload() {
  const t = useT();
  const fmt = useFormat();
  const { me, can } = useMe();
  const seesOthers = can('admin', 'supervisor');
  const [query, setQuery] = useState('');
  const [debounced, setDebounced] = useState('');
  const [status, setStatus] = useState<'active' | 'all'>('active');
  const [attention, setAttention] = useState<Attention>('all');
  const [programmeId, setProgrammeId] = useState('');
  const [whose, setWhose] = useState('mine');
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(query.trim()), 250);
    return () => clearTimeout(timer);
  }, [query]);

  const params: CaseloadQuery = {
    q: debounced || undefined,
    status,
    attention: attention === 'all' ? undefined : attention,
    programmeId: programmeId || undefined,
    therapistId: whose === 'mine' ? undefined : whose,
    limit: PAGE,
  };
  const state = useAsync(() => endpoints.caseload(params), [debounced, status, attention, programmeId, whose]);
  // The filters' own lists: one request each, and a failure only hides that filter.
  const programmes = useAsync(() => endpoints.programmes().then((r) => r.items.filter((p) => !p.archivedAt), () => [] as Programme[]), []);
  const staff = useAsync(
    () => (seesOthers ? endpoints.users('active').then((r) => r.items.filter((u) => u.id !== me.user.id), () => [] as StaffUser[]) : Promise.resolve([] as StaffUser[])),
    [seesOthers, me.user.id],
  );
  const more = useSubmit(async () => {
    const current = state.data;
    if (!current || current.nextOffset === null) return;
    const next = await endpoints.caseload({ ...params, offset: current.nextOffset });
    state.setData({ ...next, items: [...current.items, ...next.items] });
  });
  const filtered = !!debounced || attention !== 'all' || !!programmeId;

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
          <label htmlFor="caseload-attention">{t('caseload.attention')}</label>
          <select id="caseload-attention" value={attention} onChange={(e) => setAttention(e.target.value as Attention)}>
            {ATTENTION.map((a) => (
              <option key={a} value={a}>
                {t(`caseload.attention.${a}`)}
              </option>
            ))}
          </select>
        </div>
        {(programmes.data?.length ?? 0) > 0 && (
          <div className="field">
            <label htmlFor="caseload-programme">{t('caseload.programme')}</label>
            <select id="caseload-programme" value={programmeId} onChange={(e) => setProgrammeId(e.target.value)}>
              <option value="">{t('caseload.programme.all')}</option>
              {programmes.data!.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
        )}
        {seesOthers && (
          <div className="field">
            <label htmlFor="caseload-whose">{t('caseload.whose')}</label>
            <select id="caseload-whose" value={whose} onChange={(e) => setWhose(e.target.value)}>
              <option value="mine">{t('caseload.whose.mine')}</option>
              <option value="all">{t('caseload.whose.all')}</option>
              {(staff.data ?? []).map((u) => (
                <option key={u.id} value={u.id}>
                  {u.displayName}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="caseload-status">{t('caseload.show')}</label>
          <select id="caseload-status" value={status} onChange={(e) => setStatus(e.target.value as 'active' | 'all')}>
            <option value="active">{t('caseload.showActive')}</option>
            <option value="all">{t('caseload.showAll')}</option>
          </select>
        </div>
      </form>
      <Async state={state} isEmpty={(d) => d.items.length === 0} empty={filtered ? t(debounced ? 'caseload.noMatch' : 'caseload.noMatchFilters') : t(seesOthers && whose === 'mine' ? 'caseload.emptyMine' : 'caseload.empty')}>
        {(page) => (
          <>
            <div className="table-scroll">
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
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((item) => (
                    <tr key={item.client.id} className={`attention-${item.attention.tier}`}>
                      <th scope="row">
                        <Link to={`/clients/${item.client.id}`}>{clientName(item.client)}</Link>
                        {item.episode?.programme && <div className="muted">{item.episode.programme.name}</div>}
                      </th>
                      {caseloadColumns.map((c) => (
                        <td key={c.id}>{c.cell(item, { t, dateTime: fmt.dateTime })}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {page.total > page.items.length && <p className="muted">{t('caseload.shown', { shown: page.items.length, count: page.total })}</p>}
            {more.error !== undefined && <ErrorState error={more.error} onRetry={() => void more.run()} />}
            {page.nextOffset !== null && (
              <button type="button" onClick={() => void more.run()} disabled={more.pending}>
                {t('caseload.showMore')}
              </button>
            )}
          </>
        )}
      </Async>
    </section>
  );
}
