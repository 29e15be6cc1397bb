import { useState } from 'react';
import { endpoints } from '../../api/endpoints';
import type { AuditEvent } from '../../api/types';
import { Link } from '../../app/router';
import { useFormat, useT } from '../../i18n/i18n';
import { Async, FormMessage, PageTitle, useAsync, useSubmit } from '../../ui/ui';

/** Who read or changed this client's record, newest first (admins only). */
export function ClientAudit({ clientId }: { clientId: string }) {
  const t = useT();
  const fmt = useFormat();
  const client = useAsync(() => endpoints.client(clientId), [clientId]);
  const staff = useAsync(() => endpoints.users('all').then((r) => new Map(r.items.map((u) => [u.id, u.displayName]))), []);
  const first = useAsync(() => endpoints.audit(clientId), [clientId]);
  const [more, setMore] = useState<{ items: AuditEvent[]; nextBefore: number | null } | null>(null);
  const loadMore = useSubmit(async () => {
    const before = more?.nextBefore ?? first.data?.nextBefore;
    if (before === null || before === undefined) return;
    const page = await endpoints.audit(clientId, before);
    setMore({ items: [...(more?.items ?? []), ...page.items], nextBefore: page.nextBefore });
  });
  const name = client.data ? `${client.data.givenName} ${client.data.familyName}` : '';
  const actor = (e: AuditEvent) => (e.actorId ? (staff.data?.get(e.actorId) ?? e.actorId) : t(`audit.actor.${e.actorKind === 'client' ? 'client' : 'system'}`));
  return (
    <section>
      <PageTitle title={t('audit.title')}>{t('audit.titleFor', { name })}</PageTitle>
      <p>
        <Link to={`/clients/${clientId}`}>{t('audit.back')}</Link>
      </p>
      <Async state={first} isEmpty={(d) => d.items.length === 0} empty={t('audit.empty')}>
        {(page) => {
          const items = [...page.items, ...(more?.items ?? [])];
          const next = more ? more.nextBefore : page.nextBefore;
          return (
            <>
              <table className="data">
                <caption className="visually-hidden">{t('audit.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('audit.when')}</th>
                    <th scope="col">{t('audit.who')}</th>
                    <th scope="col">{t('audit.action')}</th>
                    <th scope="col">{t('audit.outcome')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((e) => (
                    <tr key={e.id}>
                      <td>{fmt.dateTime(e.at)}</td>
                      <td>{actor(e)}</td>
                      <td>
                        <code>{e.action}</code>
                      </td>
                      <td>{e.outcome}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <FormMessage error={loadMore.error instanceof Error ? loadMore.error.message : undefined} />
              {next !== null && (
                <button type="button" disabled={loadMore.pending} onClick={() => void loadMore.run()}>
                  {t('audit.more')}
                </button>
              )}
            </>
          );
        }}
      </Async>
    </section>
  );
}
