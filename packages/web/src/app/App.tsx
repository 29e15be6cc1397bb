import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { endpoints } from '../api/endpoints';
import type { Locale } from '../api/types';
import { asLocale, I18nProvider, useI18n, type MessageKey } from '../i18n/i18n';
import { ErrorState, Loading, PageTitle } from '../ui/ui';
import { Link, matchPath, navigate, Redirect, useLocation } from './router';
import { applyBrand, SessionProvider, useMe, useSession } from './session';
import { appRoutes } from './routes';
import { MfaVerify, SignIn } from '../screens/SignIn';
import { AcceptInvitation, ForgotPassword, ResetPassword } from '../screens/PasswordScreens';

const MfaEnrol = lazy(() => import('../screens/MfaEnrol').then((m) => ({ default: m.MfaEnrol })));

/** Screens anyone can open, signed in or not (links from emails). */
export const publicRoutes: Record<string, () => React.ReactNode> = {
  '/forgot-password': () => <ForgotPassword />,
  '/reset-password': () => <ResetPassword />,
  '/accept-invitation': () => <AcceptInvitation />,
};

function initialLocale(): Locale {
  return asLocale(typeof navigator !== 'undefined' && navigator.language?.startsWith('fr') ? 'fr' : 'en');
}

export function App() {
  return (
    <SessionProvider>
      <LocalisedApp />
    </SessionProvider>
  );
}

function LocalisedApp() {
  const { session } = useSession();
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const userLocale = session.status === 'signed-in' ? session.me.user.locale : undefined;
  useEffect(() => {
    if (userLocale) setLocaleState(asLocale(userLocale));
  }, [userLocale]);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const org = session.status === 'signed-in' ? session.organisation : null;
  useEffect(() => applyBrand(org?.settings.colour), [org?.settings.colour]);
  const setLocale = useCallback((l: Locale) => setLocaleState(l), []);
  return (
    <I18nProvider locale={locale} setLocale={setLocale} timeZone={org?.settings.timeZone}>
      <Screens />
    </I18nProvider>
  );
}

function Screens() {
  const { session, refresh } = useSession();
  const { pathname } = useLocation();
  const publicScreen = publicRoutes[pathname.replace(/\/+$/, '') || '/'];
  if (publicScreen) return <Frame>{publicScreen()}</Frame>;
  if (session.status === 'loading')
    return (
      <Frame>
        <Loading />
      </Frame>
    );
  if (session.status === 'error')
    return (
      <Frame>
        <ErrorState error={session.error} onRetry={() => void refresh()} />
      </Frame>
    );
  if (session.status === 'anonymous') {
    if (pathname !== '/sign-in') return <Redirect to={`/sign-in${pathname !== '/' ? `?next=${encodeURIComponent(pathname)}` : ''}`} />;
    return (
      <Frame>
        <SignIn />
      </Frame>
    );
  }
  if (session.me.stage === 'mfa')
    return (
      <Frame>
        <MfaVerify />
      </Frame>
    );
  if (session.me.stage === 'enrol')
    return (
      <Frame>
        <Suspense fallback={<Loading />}>
          <MfaEnrol required onDone={() => void refresh()} />
        </Suspense>
      </Frame>
    );
  return <Shell />;
}

/** Page frame for screens before sign-in: skip link, language switch, main landmark. */
function Frame({ children }: { children: React.ReactNode }) {
  return (
    <>
      <a href="#main" className="skip-link">
        <SkipText />
      </a>
      <header className="app-header">
        <span className="brand">Rapport</span>
        <LanguageSwitch />
      </header>
      <main id="main" tabIndex={-1} className="auth-main">
        {children}
      </main>
    </>
  );
}

function SkipText() {
  const { t } = useI18n();
  return <>{t('nav.skip')}</>;
}

function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  const { session } = useSession();
  const other: Locale = locale === 'en' ? 'fr' : 'en';
  return (
    <button
      type="button"
      className="link on-brand"
      lang={other}
      onClick={() => {
        setLocale(other);
        if (session.status === 'signed-in' && session.me.stage === 'full') void endpoints.updateMySettings({ locale: other }).catch(() => undefined);
      }}
    >
      {t('nav.otherLanguage')}
    </button>
  );
}

function Shell() {
  const { t } = useI18n();
  const { me, organisation, can } = useMe();
  const { signOut } = useSession();
  const { pathname, search } = useLocation();
  if (pathname === '/sign-in') return <Redirect to={search.get('next')?.startsWith('/') ? search.get('next')! : '/'} />;
  const allowed = appRoutes.filter((r) => !r.roles || can(...r.roles));
  const found = allowed.map((r) => ({ r, params: matchPath(r.path, pathname) })).find((x) => x.params);
  const forbidden = !found && appRoutes.some((r) => matchPath(r.path, pathname));
  const nav = allowed.filter((r) => r.nav);
  return (
    <>
      <a href="#main" className="skip-link">
        {t('nav.skip')}
      </a>
      <header className="app-header">
        <span className="brand">{organisation?.name ?? me.organisation.name}</span>
        <nav aria-label={t('nav.main')}>
          <ul>
            {nav.map((r) => (
              <li key={r.path}>
                <Link to={r.path} aria-current={matchPath(r.path, pathname) ? 'page' : undefined}>
                  {t(r.nav as MessageKey)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="header-end">
          <LanguageSwitch />
          <Link to="/account" aria-current={pathname === '/account' ? 'page' : undefined}>
            {me.user.displayName}
          </Link>
          <button
            type="button"
            className="link on-brand"
            onClick={() => {
              void signOut().then(() => navigate('/sign-in'));
            }}
          >
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>{found ? found.r.render(found.params!) : <NotFound forbidden={forbidden} />}</Suspense>
      </main>
    </>
  );
}

function NotFound({ forbidden }: { forbidden: boolean }) {
  const { t } = useI18n();
  const title = forbidden ? t('notFound.forbidden') : t('notFound.title');
  return (
    <section>
      <PageTitle title={title}>{title}</PageTitle>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </section>
  );
}
