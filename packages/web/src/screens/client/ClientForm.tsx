import { useState } from 'react';
import { fieldError, formError } from '../../api/client';
import type { Client, ClientInput, Locale } from '../../api/types';
import { useT } from '../../i18n/i18n';
import { FormMessage, SelectField, TextField, useSubmit } from '../../ui/ui';

const FIELDS = ['givenName', 'familyName', 'preferredName', 'email', 'mobile', 'language', 'timeZone', 'dateOfBirth', 'externalRef', 'status'] as const;
type Values = Record<(typeof FIELDS)[number], string>;

const fromClient = (c?: Client): Values => ({
  givenName: c?.givenName ?? '',
  familyName: c?.familyName ?? '',
  preferredName: c?.preferredName ?? '',
  email: c?.email ?? '',
  mobile: c?.mobile ?? '',
  language: c?.language ?? 'en',
  timeZone: c?.timeZone ?? '',
  dateOfBirth: c?.dateOfBirth ?? '',
  externalRef: c?.externalRef ?? '',
  status: c?.status ?? 'active',
});

/** Empty optional fields are sent as null (cleared), required ones as typed; status only when editing. */
function toInput(v: Values, editing: boolean): ClientInput {
  const opt = (s: string) => (s.trim() ? s.trim() : null);
  return {
    givenName: v.givenName.trim(),
    familyName: v.familyName.trim(),
    preferredName: opt(v.preferredName),
    email: opt(v.email),
    mobile: opt(v.mobile),
    language: v.language as Locale,
    timeZone: opt(v.timeZone),
    dateOfBirth: opt(v.dateOfBirth),
    externalRef: opt(v.externalRef),
    ...(editing ? { status: v.status === 'inactive' ? ('inactive' as const) : ('active' as const) } : {}),
  };
}

/** Add or edit a client's details; server errors appear next to the field they name. */
export function ClientForm({ client, onSave, onCancel, submitLabel }: { client?: Client; onSave: (input: ClientInput) => Promise<void>; onCancel?: () => void; submitLabel: string }) {
  const t = useT();
  const [values, setValues] = useState<Values>(() => fromClient(client));
  const submit = useSubmit(async () => onSave(toInput(values, client !== undefined)));
  const bind = (name: keyof Values) => ({
    name,
    value: values[name],
    onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [name]: e.target.value })),
    error: fieldError(submit.error, name),
  });
  return (
    <form
      className="form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        void submit.run();
      }}
      noValidate
    >
      <FormMessage error={formError(submit.error, FIELDS)} />
      <TextField label={t('client.givenName')} required autoComplete="off" {...bind('givenName')} />
      <TextField label={t('client.familyName')} required autoComplete="off" {...bind('familyName')} />
      <TextField label={t('client.preferredName')} autoComplete="off" {...bind('preferredName')} />
      <TextField label={t('field.email')} type="email" autoComplete="off" {...bind('email')} />
      <TextField label={t('client.mobile')} type="tel" hint={t('client.mobileHint')} autoComplete="off" {...bind('mobile')} />
      <SelectField
        label={t('client.language')}
        options={[
          { value: 'en', label: 'English' },
          { value: 'fr', label: 'Français' },
        ]}
        {...bind('language')}
      />
      <TextField label={t('client.timeZone')} hint={t('client.timeZoneHint')} autoComplete="off" {...bind('timeZone')} />
      <TextField label={t('client.dateOfBirth')} type="date" {...bind('dateOfBirth')} />
      <TextField label={t('client.externalRef')} autoComplete="off" {...bind('externalRef')} />
      {client && (
        <SelectField
          label={t('client.status')}
          options={[
            { value: 'active', label: t('status.active') },
            { value: 'inactive', label: t('status.inactive') },
          ]}
          {...bind('status')}
        />
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={submit.pending}>
          {submitLabel}
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
