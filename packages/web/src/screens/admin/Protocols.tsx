import { useState } from 'react';
import { endpoints, type PreviewItem, type Protocol, type ProtocolRule } from '../../api/endpoints';
import { fieldError, formError } from '../../api/client';
import { useFormat, useT } from '../../i18n/i18n';
import { Async, FormMessage, PageTitle, SelectField, TextField, useAsync, useSubmit } from '../../ui/ui';
import { instrumentName, loadInstrumentNames } from '../client/names';

const TRIGGERS = ['intake', 'before_each', 'after_each_attended', 'every_nth', 'discharge'] as const;

/**
 * The sample schedule of the preview: six weekly sessions from next week at 10:00 UTC, and the
 * episode closing a week after the last one (so discharge rules show too).
 */
function sampleSchedule(): { appointments: { startsAt: string }[]; discharge: string } {
  const start = new Date();
  start.setUTCDate(start.getUTCDate() + 7);
  start.setUTCHours(10, 0, 0, 0);
  const at = (weeks: number) => new Date(start.getTime() + weeks * 7 * 86_400_000).toISOString();
  return { appointments: Array.from({ length: 6 }, (_, i) => ({ startsAt: at(i) })), discharge: at(6) };
}

/**
 * Protocol editor (issue 6 §8): the organisation's and each programme's measurement protocol, rule
 * by rule, with a preview of what a client would receive and when over six weekly sessions.
 */
export function Protocols() {
  const t = useT();
  const state = useAsync(() => endpoints.protocols().then((r) => r.items.filter((p) => !p.archivedAt)), []);
  const [chosen, setChosen] = useState('');
  return (
    <article>
      <PageTitle title={t('protocols.title')}>{t('protocols.title')}</PageTitle>
      <Async state={state} isEmpty={(d) => d.length === 0} empty={t('protocols.empty')}>
        {(list) => {
          const current = list.find((p) => p.id === chosen) ?? list[0]!;
          return (
            <>
              <SelectField label={t('protocols.choose')} value={current.id ?? ''} onChange={(e) => setChosen(e.target.value)} options={list.map((p) => ({ value: p.id ?? '', label: p.name }))} />
              <ProtocolEditor key={current.id} protocol={current} onSaved={(p) => state.setData(list.map((x) => (x.id === p.id ? p : x)))} />
            </>
          );
        }}
      </Async>
    </article>
  );
}

function ProtocolEditor({ protocol, onSaved }: { protocol: Protocol; onSaved: (p: Protocol) => void }) {
  const t = useT();
  const fmt = useFormat();
  const [name, setName] = useState(protocol.name);
  const [rules, setRules] = useState<ProtocolRule[]>(protocol.rules);
  const [preview, setPreview] = useState<{ items: PreviewItem[]; names: Map<string, string> } | null>(null);
  const [saved, setSaved] = useState<string | undefined>();
  const schedule = useState(sampleSchedule)[0];
  const save = useSubmit(async () => {
    setSaved(undefined);
    onSaved(await endpoints.updateProtocol(protocol.id!, { name, rules, reminderAfterDays: protocol.reminderAfterDays, expiryDays: protocol.expiryDays }));
    setSaved(t('protocols.saved'));
  });
  // The protocol's own reminder and expiry days, so the preview shows what this protocol would do;
  // instruments by their catalogue names (the clinic's own included).
  const previewRun = useSubmit(async () => {
    const [result, names] = await Promise.all([
      endpoints.previewProtocol({ rules, ...schedule, reminderAfterDays: protocol.reminderAfterDays, expiryDays: protocol.expiryDays }),
      loadInstrumentNames(),
    ]);
    setPreview({ items: result.items, names });
  });
  const update = (i: number, patch: Partial<ProtocolRule>) => setRules(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const setTrigger = (i: number, kind: string) =>
    update(i, { trigger: kind === 'before_each' ? { kind, hoursBefore: 48 } : kind === 'every_nth' ? { kind, n: 4 } : { kind } });
  return (
    <form
      className="subform"
      aria-label={t('protocols.editor')}
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
      noValidate
    >
      <FormMessage error={formError(save.error, ['name', 'rules'])} success={saved} />
      <TextField label={t('protocols.name')} value={name} onChange={(e) => setName(e.target.value)} error={fieldError(save.error, 'name')} />
      {rules.map((r, i) => (
        <fieldset key={i} className="scale">
          <legend>{t('protocols.rule', { n: i + 1 })}</legend>
          <div className="form-grid">
            <TextField label={t('protocols.ruleId')} value={r.id} onChange={(e) => update(i, { id: e.target.value })} error={fieldError(save.error, `rules.${i}.id`)} />
            <TextField label={t('protocols.instruments')} hint={t('protocols.instrumentsHint')} value={r.instrumentIds.join(', ')} onChange={(e) => update(i, { instrumentIds: e.target.value.split(',').map((s) => s.trim()).filter(Boolean) })} error={fieldError(save.error, `rules.${i}.instrumentIds`)} />
            <SelectField label={t('protocols.respondent')} value={r.respondent} onChange={(e) => update(i, { respondent: e.target.value as ProtocolRule['respondent'] })} options={(['client', 'clinician'] as const).map((v) => ({ value: v, label: t(`protocols.respondent.${v}`) }))} />
            <SelectField label={t('protocols.trigger')} value={r.trigger.kind} onChange={(e) => setTrigger(i, e.target.value)} options={TRIGGERS.map((k) => ({ value: k, label: t(`protocols.trigger.${k}`) }))} />
            {r.trigger.kind === 'before_each' && (
              <TextField label={t('protocols.hoursBefore')} type="number" min={1} max={168} value={String(r.trigger.hoursBefore ?? '')} onChange={(e) => update(i, { trigger: { kind: 'before_each', hoursBefore: Number(e.target.value) } })} error={fieldError(save.error, `rules.${i}.trigger`)} />
            )}
            {r.trigger.kind === 'every_nth' && (
              <TextField label={t('protocols.everyN')} type="number" min={2} max={52} value={String(r.trigger.n ?? '')} onChange={(e) => update(i, { trigger: { kind: 'every_nth', n: Number(e.target.value) } })} error={fieldError(save.error, `rules.${i}.trigger`)} />
            )}
          </div>
          <button type="button" className="small" disabled={rules.length <= 1} onClick={() => setRules(rules.filter((_, j) => j !== i))}>
            {t('protocols.removeRule', { n: i + 1 })}
          </button>
        </fieldset>
      ))}
      <div className="button-row">
        <button type="button" onClick={() => setRules([...rules, { id: `rule-${rules.length + 1}`, instrumentIds: ['phq9'], respondent: 'client', trigger: { kind: 'before_each', hoursBefore: 48 } }])}>
          {t('protocols.addRule')}
        </button>
        <button type="button" disabled={previewRun.pending} onClick={() => void previewRun.run()}>
          {t('protocols.preview')}
        </button>
        <button type="submit" className="primary" disabled={save.pending || !protocol.id}>
          {t('action.save')}
        </button>
      </div>
      <FormMessage error={formError(previewRun.error, [])} />
      {preview && (
        <table className="data">
          <caption>{t('protocols.previewCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('protocols.when')}</th>
              <th scope="col">{t('protocols.instruments')}</th>
              <th scope="col">{t('protocols.respondent')}</th>
              <th scope="col">{t('protocols.forSession')}</th>
              <th scope="col">{t('protocols.reminderExpiry')}</th>
            </tr>
          </thead>
          <tbody>
            {preview.items.map((p, i) => (
              <tr key={i}>
                <th scope="row">
                  {p.sendAt === null
                    ? t('protocols.inSessionDue', { when: fmt.dateTime(p.dueAt) })
                    : p.sendAt !== p.dueAt
                      ? t('protocols.movedQuiet', { when: fmt.dateTime(p.sendAt), due: fmt.dateTime(p.dueAt) })
                      : fmt.dateTime(p.sendAt)}
                </th>
                <td>{p.instrumentIds.map((id) => instrumentName(id, preview.names)).join(', ')}</td>
                <td>{t(`protocols.respondent.${p.respondent as 'client'}`)}</td>
                <td>{p.appointmentIndex == null ? t(`protocols.trigger.${p.trigger as 'intake'}`) : t('protocols.sessionN', { n: p.appointmentIndex + 1 })}</td>
                <td>{[p.reminderAt && t('protocols.reminderAt', { when: fmt.dateTime(p.reminderAt) }), p.expiresAt && t('protocols.expiresAt', { when: fmt.dateTime(p.expiresAt) })].filter(Boolean).join(' · ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </form>
  );
}
