import { useState } from 'react';
import { endpoints } from '../../api/endpoints';
import { fieldError, formError } from '../../api/client';
import type { Organisation, OrganisationSettings } from '../../api/types';
import { applyBrand, useSession } from '../../app/session';
import { useT } from '../../i18n/i18n';
import { Async, CheckboxField, FormMessage, PageTitle, TextArea, TextField, useAsync, useSubmit } from '../../ui/ui';

/** Clinic settings: name, colour, crisis resources, links and reminders, quiet hours, MFA policy. */
export function Settings() {
  const t = useT();
  const state = useAsync(() => endpoints.organisation(), []);
  return (
    <section>
      <PageTitle title={t('settings.title')}>{t('settings.title')}</PageTitle>
      <Async state={state}>{(org) => <SettingsForm org={org} onSaved={state.setData} />}</Async>
    </section>
  );
}

type Values = {
  name: string;
  colour: string;
  crisisResources: string;
  linkExpiryDays: string;
  reminderAfterDays: string;
  quietStart: string;
  quietEnd: string;
  mfaRequired: boolean;
  timeZone: string;
};

function SettingsForm({ org, onSaved }: { org: Organisation; onSaved: (o: Organisation) => void }) {
  const t = useT();
  const { setOrganisation } = useSession();
  const s = org.settings;
  const [v, setV] = useState<Values>({
    name: org.name,
    colour: s.colour,
    crisisResources: s.crisisResources ?? '',
    linkExpiryDays: s.linkExpiryDays === null ? '' : String(s.linkExpiryDays),
    reminderAfterDays: s.reminderAfterDays === null ? '' : String(s.reminderAfterDays),
    quietStart: s.quietHours.start,
    quietEnd: s.quietHours.end,
    mfaRequired: s.mfaRequired,
    timeZone: s.timeZone,
  });
  const [saved, setSaved] = useState(false);
  const set = <K extends keyof Values>(k: K, value: Values[K]) => {
    setSaved(false);
    setV((x) => ({ ...x, [k]: value }));
  };
  const submit = useSubmit(async () => {
    const days = (x: string) => (x.trim() === '' ? null : Number(x));
    const settings: Partial<OrganisationSettings> = {
      colour: v.colour,
      crisisResources: v.crisisResources.trim() || null,
      linkExpiryDays: days(v.linkExpiryDays),
      reminderAfterDays: days(v.reminderAfterDays),
      quietHours: { start: v.quietStart, end: v.quietEnd },
      mfaRequired: v.mfaRequired,
      timeZone: v.timeZone.trim(),
    };
    const updated = await endpoints.updateOrganisation({ name: v.name.trim(), settings });
    onSaved(updated);
    setOrganisation(updated);
    applyBrand(updated.settings.colour);
    setSaved(true);
  });
  const fe = (f: string) => fieldError(submit.error, f, 'settings');
  const fields = ['colour', 'crisisResources', 'linkExpiryDays', 'reminderAfterDays', 'quietHours', 'mfaRequired', 'timeZone'];
  const topError = fieldError(submit.error, 'name') ? undefined : formError(submit.error, fields, 'settings');
  return (
    <form
      className="form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        void submit.run();
      }}
      noValidate
    >
      <FormMessage error={topError} success={saved ? t('settings.saved') : undefined} />
      <TextField label={t('settings.name')} required value={v.name} onChange={(e) => set('name', e.target.value)} error={fieldError(submit.error, 'name')} />
      <div className="field">
        <TextField label={t('settings.colour')} hint={t('settings.colourHint')} value={v.colour} onChange={(e) => set('colour', e.target.value)} error={fe('colour')} pattern="#[0-9a-fA-F]{6}" />
        <input type="color" aria-label={t('settings.colourPicker')} value={/^#[0-9a-f]{6}$/i.test(v.colour) ? v.colour : '#2f6f8f'} onChange={(e) => set('colour', e.target.value)} />
      </div>
      <TextField label={t('settings.timeZone')} hint={t('client.timeZoneHint')} value={v.timeZone} onChange={(e) => set('timeZone', e.target.value)} error={fe('timeZone')} />
      <TextArea label={t('settings.crisis')} hint={t('settings.crisisHint')} rows={4} maxLength={2000} value={v.crisisResources} onChange={(e) => set('crisisResources', e.target.value)} error={fe('crisisResources')} />
      <TextField label={t('settings.linkExpiry')} hint={t('settings.daysHint')} type="number" min={1} max={30} value={v.linkExpiryDays} onChange={(e) => set('linkExpiryDays', e.target.value)} error={fe('linkExpiryDays')} />
      <TextField label={t('settings.reminder')} hint={t('settings.daysHint')} type="number" min={1} max={30} value={v.reminderAfterDays} onChange={(e) => set('reminderAfterDays', e.target.value)} error={fe('reminderAfterDays')} />
      <fieldset className="field">
        <legend>{t('settings.quietHours')}</legend>
        <p className="hint">{t('settings.quietHint')}</p>
        <div className="inline-fields">
          <TextField label={t('settings.quietStart')} type="time" value={v.quietStart} onChange={(e) => set('quietStart', e.target.value)} />
          <TextField label={t('settings.quietEnd')} type="time" value={v.quietEnd} onChange={(e) => set('quietEnd', e.target.value)} />
        </div>
        {fe('quietHours') && <p className="field-error">{fe('quietHours')}</p>}
      </fieldset>
      <CheckboxField label={t('settings.mfaRequired')} checked={v.mfaRequired} onChange={(e) => set('mfaRequired', e.target.checked)} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={submit.pending}>
          {t('action.save')}
        </button>
      </div>
    </form>
  );
}
