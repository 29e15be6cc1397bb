import { useState } from 'react';
import { endpoints } from '../../api/endpoints';
import { fieldError, formError } from '../../api/client';
import type { Programme } from '../../api/types';
import { useFormat, useT } from '../../i18n/i18n';
import { Async, CheckboxField, FormMessage, PageTitle, TextField, useAsync, useSubmit } from '../../ui/ui';

/**
 * Programmes: create, rename, archive. SLOT FOR ISSUE 6: the protocol editor with its preview
 * (`GET/PUT /api/v1/programmes/:id/protocol`, `…/protocol/preview`) goes under each programme.
 */
export function Programmes() {
  const t = useT();
  const [archived, setArchived] = useState(false);
  const state = useAsync(() => endpoints.programmes(archived).then((r) => r.items), [archived]);
  return (
    <section>
      <PageTitle title={t('programmes.title')}>{t('programmes.title')}</PageTitle>
      <ProgrammeForm onSaved={state.reload} />
      <CheckboxField label={t('programmes.showArchived')} checked={archived} onChange={(e) => setArchived(e.target.checked)} />
      <Async state={state} isEmpty={(d) => d.length === 0} empty={t('programmes.empty')}>
        {(items) => (
          <ul className="card-list">
            {items.map((p) => (
              <ProgrammeItem key={p.id} programme={p} onChanged={state.reload} />
            ))}
          </ul>
        )}
      </Async>
    </section>
  );
}

function ProgrammeItem({ programme: p, onChanged }: { programme: Programme; onChanged: () => void }) {
  const t = useT();
  const fmt = useFormat();
  const [editing, setEditing] = useState(false);
  const archive = useSubmit(async () => {
    await endpoints.archiveProgramme(p.id);
    onChanged();
  });
  return (
    <li className="card">
      {editing ? (
        <ProgrammeForm
          programme={p}
          onSaved={() => {
            setEditing(false);
            onChanged();
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <>
          <h2>{p.name}</h2>
          {p.description && <p>{p.description}</p>}
          <p className="muted">{p.archivedAt ? t('programmes.archivedOn', { date: fmt.date(p.archivedAt) }) : t('programmes.createdOn', { date: fmt.date(p.createdAt) })}</p>
          <FormMessage error={formError(archive.error, [])} />
          {!p.archivedAt && (
            <div className="button-row">
              <button type="button" className="small" onClick={() => setEditing(true)}>
                {t('action.edit')}
                <span className="visually-hidden"> {p.name}</span>
              </button>
              <button type="button" className="small" disabled={archive.pending} onClick={() => void archive.run()}>
                {t('programmes.archive')}
                <span className="visually-hidden"> {p.name}</span>
              </button>
            </div>
          )}
        </>
      )}
    </li>
  );
}

function ProgrammeForm({ programme, onSaved, onCancel }: { programme?: Programme; onSaved: () => void; onCancel?: () => void }) {
  const t = useT();
  const [name, setName] = useState(programme?.name ?? '');
  const [description, setDescription] = useState(programme?.description ?? '');
  const submit = useSubmit(async () => {
    const body = { name: name.trim(), description: description.trim() || null };
    if (programme) await endpoints.updateProgramme(programme.id, body);
    else await endpoints.createProgramme(body);
    if (!programme) {
      setName('');
      setDescription('');
    }
    onSaved();
  });
  return (
    <form
      className="subform"
      onSubmit={(e) => {
        e.preventDefault();
        void submit.run();
      }}
      noValidate
      aria-label={programme ? t('programmes.editNamed', { name: programme.name }) : t('programmes.add')}
    >
      {!programme && <h2>{t('programmes.add')}</h2>}
      <FormMessage error={formError(submit.error, ['name', 'description'])} />
      <TextField label={t('programmes.name')} required value={name} onChange={(e) => setName(e.target.value)} error={fieldError(submit.error, 'name')} />
      <TextField label={t('programmes.description')} value={description} onChange={(e) => setDescription(e.target.value)} error={fieldError(submit.error, 'description')} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={submit.pending}>
          {programme ? t('action.save') : t('programmes.create')}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            {t('action.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
