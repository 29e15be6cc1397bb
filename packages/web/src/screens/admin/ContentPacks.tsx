import { useState } from 'react';
import { endpoints } from '../../api/endpoints';
import { formError } from '../../api/client';
import { useFormat, useT } from '../../i18n/i18n';
import { Async, FormMessage, PageTitle, useAsync, useSubmit } from '../../ui/ui';

type Pack = { id: string; instrumentId: string; version: number; current: boolean; uploadedAt: string; uploadedByName: string | null; languages: string[]; licence: { holder: string; reference: string }; unlocks: { instrumentId: string; shortName: string; suppliesWording: boolean } };

/** Licensed content packs (issue 6 §8): upload a pack (JSON) and see which instruments each unlocks. */
export function ContentPacks() {
  const t = useT();
  const fmt = useFormat();
  const state = useAsync(() => endpoints.contentPacks().then((r) => r.items as unknown as Pack[]), []);
  const [done, setDone] = useState<string | undefined>();
  const upload = useSubmit(async (file: File) => {
    setDone(undefined);
    let body: unknown;
    try {
      body = JSON.parse(await file.text());
    } catch {
      throw new Error(t('packs.notJson'));
    }
    const pack = (await endpoints.uploadContentPack(body)) as unknown as Pack;
    setDone(t('packs.uploaded', { name: pack.unlocks?.shortName ?? pack.instrumentId }));
    state.reload();
  });
  return (
    <article>
      <PageTitle title={t('packs.title')}>{t('packs.title')}</PageTitle>
      <p className="hint">{t('packs.intro')}</p>
      <div className="field">
        <label htmlFor="pack-file">{t('packs.upload')}</label>
        <input id="pack-file" type="file" accept="application/json,.json" onChange={(e) => e.target.files?.[0] && void upload.run(e.target.files[0])} />
      </div>
      <FormMessage error={formError(upload.error, [])} success={done} />
      <Async state={state} isEmpty={(d) => d.length === 0} empty={t('packs.empty')}>
        {(packs) => (
          <table className="data">
            <thead>
              <tr>
                <th scope="col">{t('packs.unlocks')}</th>
                <th scope="col">{t('packs.version')}</th>
                <th scope="col">{t('packs.languages')}</th>
                <th scope="col">{t('packs.licence')}</th>
                <th scope="col">{t('packs.uploadedCol')}</th>
              </tr>
            </thead>
            <tbody>
              {packs.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    {p.unlocks.shortName} {p.unlocks.suppliesWording ? `(${t('packs.wording')})` : `(${t('packs.languagesOnly')})`}
                  </th>
                  <td>
                    {p.version} {p.current ? `· ${t('packs.current')}` : ''}
                  </td>
                  <td>{p.languages.join(', ')}</td>
                  <td>
                    {p.licence.holder} · {p.licence.reference}
                  </td>
                  <td>{`${fmt.dateTime(p.uploadedAt)}${p.uploadedByName ? ` · ${p.uploadedByName}` : ''}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Async>
    </article>
  );
}
