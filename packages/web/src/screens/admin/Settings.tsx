import { useId, useMemo, useState, type ReactNode } from 'react';
import { endpoints } from '../../api/endpoints';
import { fieldError, formError } from '../../api/client';
import type { Organisation, OrganisationSettings, StaffUser } from '../../api/types';
import { applyBrand, useSession } from '../../app/session';
import { useI18n, useT } from '../../i18n/i18n';
import { Async, CheckboxField, FormMessage, PageTitle, SelectField, TextArea, TextField, useAsync, useSubmit } from '../../ui/ui';

/** The languages the app and the questionnaires come in, each named in itself. */
const LANGUAGES = [
  { value: 'en', label: 'English' },
  { value: 'fr', label: 'Français' },
] as const;
/** ISO weekdays, 1 = Monday … 7 = Sunday, as the server stores them. */
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

/**
 * Clinic settings (issue 6): every field of `PATCH /api/v1/organisation`: name, colour, time zone,
 * languages; links, reminders, quiet hours and crisis resources; working hours, escalation delay and
 * the on-call supervisor; two-step sign-in policy and the retention period. A server error that
 * names a field (`settings.<field>…`) is shown next to that field.
 */
export function Settings() {
  const t = useT();
  const state = useAsync(() => Promise.all([endpoints.organisation(), endpoints.users('active').then((r) => r.items)]), []);
  return (
    <section>
      <PageTitle title={t('settings.title')}>{t('settings.title')}</PageTitle>
      <Async state={state}>{([org, staff]) => <SettingsForm org={org} staff={staff} onSaved={(o) => state.setData([o, staff])} />}</Async>
    </section>
  );
}

type Values = {
  name: string;
  colour: string;
  timeZone: string;
  languages: string[];
  crisisResources: string;
  linkExpiryDays: string;
  reminderAfterDays: string;
  quietStart: string;
  quietEnd: string;
  workingDays: number[];
  workingStart: string;
  workingEnd: string;
  urgentEscalationHours: string;
  onCallSupervisorUserId: string;
  mfaRequired: boolean;
  retentionYears: string;
};

const FIELDS = ['colour', 'timeZone', 'languages', 'crisisResources', 'linkExpiryDays', 'reminderAfterDays', 'quietHours', 'workingHours', 'urgentEscalationHours', 'onCallSupervisorUserId', 'mfaRequired', 'retentionYears'] as const;

function initialValues(org: Organisation): Values {
  const s = org.settings;
  const text = (n: number | null | undefined) => (n == null ? '' : String(n));
  return {
    name: org.name,
    colour: s.colour,
    timeZone: s.timeZone,
    languages: [...s.languages],
    crisisResources: s.crisisResources ?? '',
    linkExpiryDays: text(s.linkExpiryDays),
    reminderAfterDays: text(s.reminderAfterDays),
    quietStart: s.quietHours.start,
    quietEnd: s.quietHours.end,
    workingDays: [...s.workingHours.days],
    workingStart: s.workingHours.start,
    workingEnd: s.workingHours.end,
    urgentEscalationHours: text(s.urgentEscalationHours),
    onCallSupervisorUserId: s.onCallSupervisorUserId ?? '',
    mfaRequired: s.mfaRequired,
    retentionYears: text(s.retentionYears),
  };
}

/** What the form sends: the server validates every value and names the field it refuses. */
function toSettings(v: Values): Partial<OrganisationSettings> {
  const number = (x: string) => (x.trim() === '' ? null : Number(x));
  return {
    colour: v.colour.trim(),
    timeZone: v.timeZone.trim(),
    languages: v.languages,
    crisisResources: v.crisisResources.trim() || null,
    linkExpiryDays: number(v.linkExpiryDays),
    reminderAfterDays: number(v.reminderAfterDays),
    quietHours: { start: v.quietStart, end: v.quietEnd },
    workingHours: { days: [...v.workingDays].sort((a, b) => a - b), start: v.workingStart, end: v.workingEnd },
    // Required numbers: an empty box is sent as null, so the server's refusal lands on this field.
    urgentEscalationHours: number(v.urgentEscalationHours) as number,
    onCallSupervisorUserId: v.onCallSupervisorUserId || null,
    mfaRequired: v.mfaRequired,
    retentionYears: number(v.retentionYears) as number,
  };
}

function SettingsForm({ org, staff, onSaved }: { org: Organisation; staff: StaffUser[]; onSaved: (o: Organisation) => void }) {
  const t = useT();
  const { locale } = useI18n();
  const { setOrganisation } = useSession();
  const [v, setV] = useState<Values>(() => initialValues(org));
  const [saved, setSaved] = useState(false);
  const set = <K extends keyof Values>(k: K, value: Values[K]) => {
    setSaved(false);
    setV((x) => ({ ...x, [k]: value }));
  };
  const toggle = <K extends 'languages' | 'workingDays'>(k: K, item: Values[K][number], on: boolean) =>
    set(k, (on ? [...v[k], item] : v[k].filter((x) => x !== item)) as Values[K]);
  const submit = useSubmit(async () => {
    const updated = await endpoints.updateOrganisation({ name: v.name.trim(), settings: toSettings(v) });
    onSaved(updated);
    setOrganisation(updated);
    applyBrand(updated.settings.colour);
    setSaved(true);
  });
  const fe = (f: string) => fieldError(submit.error, f, 'settings');
  /** An error about a whole group (`settings.workingHours`), not one of its inputs. */
  const groupError = (f: string, inner: string[]) => (inner.some((i) => fe(`${f}.${i}`)) ? undefined : fe(f));
  const topError = fieldError(submit.error, 'name') ? undefined : formError(submit.error, FIELDS, 'settings');
  const supervisors = staff.filter((u) => u.status === 'active' && (u.role === 'supervisor' || u.role === 'admin'));
  const onCallGone = v.onCallSupervisorUserId !== '' && !supervisors.some((u) => u.id === v.onCallSupervisorUserId);
  const weekday = useMemo(() => new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { weekday: 'long', timeZone: 'UTC' }), [locale]);
  // 2024-01-01 was a Monday: ISO weekday d is 2024-01-0d.
  const dayName = (d: number) => weekday.format(new Date(Date.UTC(2024, 0, d)));
  const timeZones = useMemo(() => (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []), []);
  const zonesId = useId();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void submit.run();
      }}
      noValidate
    >
      <FormMessage error={topError} success={saved ? t('settings.saved') : undefined} />

      <Section id="settings-clinic-h" title={t('settings.sectionClinic')}>
        <TextField label={t('settings.name')} required value={v.name} onChange={(e) => set('name', e.target.value)} error={fieldError(submit.error, 'name')} />
        <div className="field">
          <TextField label={t('settings.colour')} hint={t('settings.colourHint')} value={v.colour} onChange={(e) => set('colour', e.target.value)} error={fe('colour')} pattern="#[0-9a-fA-F]{6}" />
          <input type="color" aria-label={t('settings.colourPicker')} value={/^#[0-9a-f]{6}$/i.test(v.colour) ? v.colour : '#2f6f8f'} onChange={(e) => set('colour', e.target.value)} />
        </div>
        <TextField label={t('settings.timeZone')} hint={t('settings.timeZoneHint')} list={zonesId} autoComplete="off" value={v.timeZone} onChange={(e) => set('timeZone', e.target.value)} error={fe('timeZone')} />
        <datalist id={zonesId}>
          {timeZones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <FieldGroup legend={t('settings.languages')} hint={t('settings.languagesHint')} error={fe('languages')}>
          <div className="inline-fields">
            {LANGUAGES.map((l) => (
              <CheckboxField key={l.value} label={l.label} lang={l.value} checked={v.languages.includes(l.value)} onChange={(e) => toggle('languages', l.value, e.target.checked)} />
            ))}
          </div>
        </FieldGroup>
      </Section>

      <Section id="settings-messages-h" title={t('settings.sectionMessages')}>
        <TextField label={t('settings.linkExpiry')} hint={t('settings.daysHint')} type="number" min={1} max={30} value={v.linkExpiryDays} onChange={(e) => set('linkExpiryDays', e.target.value)} error={fe('linkExpiryDays')} />
        <TextField label={t('settings.reminder')} hint={t('settings.daysHint')} type="number" min={1} max={30} value={v.reminderAfterDays} onChange={(e) => set('reminderAfterDays', e.target.value)} error={fe('reminderAfterDays')} />
        <FieldGroup legend={t('settings.quietHours')} hint={t('settings.quietHint')} error={groupError('quietHours', ['start', 'end'])}>
          <div className="inline-fields">
            <TextField label={t('settings.quietStart')} type="time" value={v.quietStart} onChange={(e) => set('quietStart', e.target.value)} error={fe('quietHours.start')} />
            <TextField label={t('settings.quietEnd')} type="time" value={v.quietEnd} onChange={(e) => set('quietEnd', e.target.value)} error={fe('quietHours.end')} />
          </div>
        </FieldGroup>
        <TextArea label={t('settings.crisis')} hint={t('settings.crisisHint')} rows={4} maxLength={2000} value={v.crisisResources} onChange={(e) => set('crisisResources', e.target.value)} error={fe('crisisResources')} />
      </Section>

      <Section id="settings-alerts-h" title={t('settings.sectionAlerts')}>
        <FieldGroup legend={t('settings.workingHours')} hint={t('settings.workingHint')} error={groupError('workingHours', ['start', 'end'])}>
          <fieldset className="field">
            <legend>{t('settings.workingDays')}</legend>
            <div className="inline-fields">
              {WEEKDAYS.map((d) => (
                <CheckboxField key={d} label={dayName(d)} checked={v.workingDays.includes(d)} onChange={(e) => toggle('workingDays', d, e.target.checked)} />
              ))}
            </div>
          </fieldset>
          <div className="inline-fields">
            <TextField label={t('settings.workingStart')} type="time" value={v.workingStart} onChange={(e) => set('workingStart', e.target.value)} error={fe('workingHours.start')} />
            <TextField label={t('settings.workingEnd')} type="time" value={v.workingEnd} onChange={(e) => set('workingEnd', e.target.value)} error={fe('workingHours.end')} />
          </div>
        </FieldGroup>
        <TextField label={t('settings.escalation')} hint={t('settings.escalationHint')} type="number" min={1} max={72} value={v.urgentEscalationHours} onChange={(e) => set('urgentEscalationHours', e.target.value)} error={fe('urgentEscalationHours')} />
        <SelectField
          label={t('settings.onCall')}
          hint={t('settings.onCallHint')}
          value={v.onCallSupervisorUserId}
          onChange={(e) => set('onCallSupervisorUserId', e.target.value)}
          error={fe('onCallSupervisorUserId')}
          options={[
            { value: '', label: t('settings.onCallNone') },
            ...(onCallGone ? [{ value: v.onCallSupervisorUserId, label: t('settings.onCallInactive') }] : []),
            ...supervisors.map((u) => ({ value: u.id, label: `${u.displayName} (${t(`role.${u.role}`)})` })),
          ]}
        />
      </Section>

      <Section id="settings-security-h" title={t('settings.sectionSecurity')}>
        <CheckboxField label={t('settings.mfaRequired')} checked={v.mfaRequired} onChange={(e) => set('mfaRequired', e.target.checked)} />
        <TextField label={t('settings.retention')} hint={t('settings.retentionHint')} type="number" min={1} max={100} value={v.retentionYears} onChange={(e) => set('retentionYears', e.target.value)} error={fe('retentionYears')} />
      </Section>

      <div className="form-actions">
        <button type="submit" className="primary" disabled={submit.pending}>
          {t('action.save')}
        </button>
      </div>
    </form>
  );
}

/** One group of settings: a panel with its heading and a grid of fields. */
function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <div className="form-grid">{children}</div>
    </section>
  );
}

/** A fieldset with a hint and an error about the group as a whole, both tied to it for screen readers. */
function FieldGroup({ legend, hint, error, children }: { legend: string; hint: string; error: string | undefined; children: ReactNode }) {
  const id = useId();
  return (
    <fieldset className={`field${error ? ' field-invalid' : ''}`} aria-describedby={[`${id}-hint`, error ? `${id}-error` : null].filter(Boolean).join(' ')}>
      <legend>{legend}</legend>
      <p className="hint" id={`${id}-hint`}>
        {hint}
      </p>
      {children}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </fieldset>
  );
}
