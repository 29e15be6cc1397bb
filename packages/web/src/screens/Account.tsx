import { lazy, Suspense, useState } from 'react';
import { endpoints } from '../api/endpoints';
import type { Locale } from '../api/types';
import { useMe, useSession } from '../app/session';
import { LOCALES, useI18n } from '../i18n/i18n';
import { FormMessage, Loading, PageTitle, SelectField, useSubmit } from '../ui/ui';

const MfaEnrol = lazy(() => import('./MfaEnrol').then((m) => ({ default: m.MfaEnrol })));

/** The signed-in person's own settings: language and two-step sign-in. */
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
