import { lazy, Suspense, useId, useState } from 'react';
import { fieldError, formError } from '../api/client';
import { endpoints } from '../api/endpoints';
import type { Locale, MySettings } from '../api/types';
import { useMe, useSession } from '../app/session';
import { LOCALES, useI18n } from '../i18n/i18n';
import { Async, CheckboxField, FormMessage, Loading, PageTitle, SelectField, TextField, useAsync, useSubmit } from '../ui/ui';

const MfaEnrol = lazy(() => import('./MfaEnrol').then((m) => ({ default: m.MfaEnrol })));

/** The signed-in person's own settings: language, urgent alerts by text and two-step sign-in. */
export function Account() {
  const { t, locale, setLocale } = useI18n();
  const { me } = useMe();
  const { refresh } = useSession();
  const [enrolling, setEnrolling] = useState(false);
  const [saved, setSaved] = useState(false);
  const save = useSubmit(async (l: Locale) => {
    await endpoints.updateMySettings({ locale: l });
    setLocale(l);
    setSaved(true);
  });
  if (enrolling)
    return (
      <Suspense fallback={<Loading />}>
        <MfaEnrol
          required={false}
          onDone={() => {
            setEnrolling(false);
            void refresh();
          }}
        />
      </Suspense>
    );
  return (
    <section>
      <PageTitle title={t('account.title')}>{t('account.title')}</PageTitle>
      <p>
        {me.user.displayName} · {me.user.email}
      </p>
      <h2>{t('account.language')}</h2>
      <FormMessage error={save.error instanceof Error ? save.error.message : undefined} success={saved ? t('account.languageSaved') : undefined} />
      <SelectField label={t('account.language')} value={locale} onChange={(e) => void save.run(e.target.value as Locale)} options={LOCALES.map((l) => ({ value: l, label: l === 'fr' ? 'Français' : 'English' }))} />
      <UrgentTexts />
      <h2>{t('account.mfa')}</h2>
      {me.user.mfaEnabled ? (
        <p>{t('account.mfaOn')}</p>
      ) : (
        <>
          <p>{t('account.mfaOff')}</p>
          <button type="button" className="primary" onClick={() => setEnrolling(true)}>
            {t('account.mfaSetUp')}
          </button>
        </>
      )}
    </section>
  );
}

/**
 * Their own mobile number and consent for urgent-alert texts (issue 4 item 7). The server checks the
 * number (international format) and refuses consent without one; its messages show at the field.
 */
function UrgentTexts() {
  const { t } = useI18n();
  const state = useAsync(() => endpoints.mySettings(), []);
  return (
    <section aria-labelledby="account-sms-h">
      <h2 id="account-sms-h">{t('account.sms')}</h2>
      <p>{t('account.smsIntro')}</p>
      <Async state={state}>{(settings) => <UrgentTextsForm settings={settings} onSaved={state.setData} />}</Async>
    </section>
  );
}

function UrgentTextsForm({ settings, onSaved }: { settings: MySettings; onSaved: (s: MySettings) => void }) {
  const { t } = useI18n();
  const consentHintId = useId();
  const [mobile, setMobile] = useState(settings.alertMobile ?? '');
  const [consent, setConsent] = useState(settings.smsUrgentAlerts);
  const [saved, setSaved] = useState(false);
  const save = useSubmit(async () => {
    setSaved(false);
    const updated = await endpoints.updateMySettings({ alertMobile: mobile.trim() === '' ? null : mobile.trim(), smsUrgentAlerts: consent });
    onSaved(updated);
    setMobile(updated.alertMobile ?? '');
    setSaved(true);
  });
  return (
    <form
      noValidate
      aria-labelledby="account-sms-h"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      {!settings.smsAvailable && <p className="hint">{t('account.smsUnavailable')}</p>}
      <FormMessage error={formError(save.error, ['alertMobile'])} success={saved ? t('account.smsSaved') : undefined} />
      <TextField
        label={t('account.smsMobile')}
        hint={t('account.smsMobileHint')}
        type="tel"
        autoComplete="tel"
        value={mobile}
        onChange={(e) => setMobile(e.target.value)}
        error={fieldError(save.error, 'alertMobile')}
      />
      <CheckboxField label={t('account.smsConsent')} checked={consent} aria-describedby={consentHintId} onChange={(e) => setConsent(e.target.checked)} />
      <p className="hint" id={consentHintId}>
        {t('account.smsConsentHint')}
      </p>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.pending}>
          {t('account.smsSave')}
        </button>
      </div>
    </form>
  );
}
