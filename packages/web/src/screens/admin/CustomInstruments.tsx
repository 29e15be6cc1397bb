import { useState } from 'react';
import { ApiError } from '../../api/client';
import { endpoints } from '../../api/endpoints';
import type { CustomInstrument } from '../../api/types';
import { useFormat, useI18n } from '../../i18n/i18n';
import { Async, PageTitle, TextArea, useAsync, useSubmit } from '../../ui/ui';

/**
 * A clinic's own instruments (issue 6 §8): upload a definition (a JSON file, or pasted), which the
 * server checks with the instruments library before storing it as a new version; list every version
 * and what the one in use unlocks (its id in protocols and questionnaires, items, respondent).
 */
export function CustomInstruments() {
  const { t } = useI18n();
  const state = useAsync(() => endpoints.customInstruments().then((r) => r.items), []);
  return (
    <article>
      <PageTitle title={t('custom.title')}>{t('custom.title')}</PageTitle>
      <p className="hint">{t('custom.intro')}</p>
      <UploadForm onUploaded={state.reload} />
      <section aria-labelledby="custom-list-h">
        <h2 id="custom-list-h">{t('custom.listTitle')}</h2>
        <Async state={state} isEmpty={(d) => d.length === 0} empty={t('custom.empty')}>
          {(items) => <VersionsTable items={items} />}
        </Async>
      </section>
    </article>
  );
}

/** A problem found before anything is sent (no file, not JSON): shown like the server's. */
class LocalProblem extends Error {}

function UploadForm({ onUploaded }: { onUploaded: () => void }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [done, setDone] = useState<string | undefined>();
  const upload = useSubmit(async () => {
    setDone(undefined);
    if (!text.trim()) throw new LocalProblem(t('custom.nothing'));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new LocalProblem(t('custom.notJson'));
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new LocalProblem(t('custom.notObject'));
    const stored = await endpoints.uploadCustomInstrument(body);
    setDone(t('custom.uploaded', { name: stored.shortName, version: stored.version }));
    setText('');
    onUploaded();
  });
  const readFile = async (file: File) => {
    upload.setError(undefined);
    setDone(undefined);
    setText(await file.text());
  };
  return (
    <form
      className="subform"
      aria-labelledby="custom-upload-h"
      onSubmit={(e) => {
        e.preventDefault();
        void upload.run();
      }}
      noValidate
    >
      <h2 id="custom-upload-h">{t('custom.uploadTitle')}</h2>
      <div className="field">
        <label htmlFor="custom-file">{t('custom.file')}</label>
        <input id="custom-file" type="file" accept="application/json,.json" onChange={(e) => e.target.files?.[0] && void readFile(e.target.files[0])} />
      </div>
      <TextArea label={t('custom.paste')} hint={t('custom.pasteHint')} rows={10} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
      <UploadProblem error={upload.error} />
      {done && (
        <p className="form-success" role="status">
          {done}
        </p>
      )}
      <button type="submit" className="primary" disabled={upload.pending}>
        {t('custom.upload')}
      </button>
    </form>
  );
}

/**
 * What went wrong, announced: the message (in the user's language), where in the definition the
 * server found it (`items.<itemId>` or a field), and, when the message was translated, the server's
 * own English details, which name the exact rule the library applied.
 */
function UploadProblem({ error }: { error: unknown }) {
  const { t, locale } = useI18n();
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="form-error" role="alert">
      <p>{api && api.status >= 500 ? t('state.error') : message}</p>
      {api?.field && <p>{t('custom.where', { field: api.field })}</p>}
      {api && locale !== 'en' && api.serverMessage !== api.message && (
        <p>
          {t('custom.serverDetail')} <span lang="en">{api.serverMessage}</span>
        </p>
      )}
    </div>
  );
}

function VersionsTable({ items }: { items: CustomInstrument[] }) {
  const { t } = useI18n();
  const fmt = useFormat();
  return (
    <table className="data">
      <caption className="visually-hidden">{t('custom.listTitle')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('custom.instrument')}</th>
          <th scope="col">{t('custom.version')}</th>
          <th scope="col">{t('custom.unlocks')}</th>
          <th scope="col">{t('custom.uploadedCol')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((i) => (
          <tr key={i.id}>
            <th scope="row">
              {i.shortName}
              <div className="muted">{i.name}</div>
            </th>
            <td>
              {i.version} · {i.current ? t('custom.current') : t('custom.earlier')}
              <div className="muted">{t('custom.definitionVersion', { version: i.definitionVersion })}</div>
            </td>
            <td>{i.current ? t('custom.unlocksText', { id: i.instrumentId, count: i.itemCount, respondent: t(`custom.respondent.${i.respondent}`) }) : '—'}</td>
            <td>{`${fmt.dateTime(i.uploadedAt)}${i.uploadedByName ? ` · ${i.uploadedByName}` : ''}`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
