import { createContext, useCallback, useContext, useLayoutEffect, useMemo, type ReactNode } from 'react';
import { en, type MessageKey } from './en';
import { fr } from './fr';
import type { Locale } from '../api/types';
import { setServerErrorLocale } from './server-errors';

/** Every language's dictionary: `fr` must have exactly the keys of `en` (the type says so, a test checks it). */
export const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, fr };
export const LOCALES: Locale[] = ['en', 'fr'];
export type { MessageKey };

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const text = dictionaries[locale][key] ?? en[key];
  return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : text;
}

export function asLocale(value: string | null | undefined): Locale {
  return value === 'fr' ? 'fr' : 'en';
}

type I18n = { locale: Locale; t: Translate; setLocale: (l: Locale) => void; timeZone: string | undefined };
const I18nContext = createContext<I18n>({ locale: 'en', t: (k, p) => translate('en', k, p), setLocale: () => {}, timeZone: undefined });

export function I18nProvider({ locale, setLocale, timeZone, children }: { locale: Locale; setLocale: (l: Locale) => void; timeZone?: string | undefined; children: ReactNode }) {
  const t = useCallback<Translate>((key, params) => translate(locale, key, params), [locale]);
  // Before any screen's effects run, so an error answered from now on is put in this language.
  useLayoutEffect(() => setServerErrorLocale(locale), [locale]);
  const value = useMemo(() => ({ locale, t, setLocale, timeZone }), [locale, t, setLocale, timeZone]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export const useI18n = () => useContext(I18nContext);
export const useT = () => useContext(I18nContext).t;

/** Dates and times in the user's language and the clinic's time zone. */
export function useFormat() {
  const { locale, timeZone } = useI18n();
  return useMemo(() => {
    const tz = timeZone ? { timeZone } : {};
    const dateTime = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', ...tz });
    const date = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium', ...tz });
    const time = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { timeStyle: 'short', ...tz });
    const longDate = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'full', ...tz });
    return {
      dateTime: (iso: string) => dateTime.format(new Date(iso)),
      date: (iso: string) => date.format(new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso)),
      time: (iso: string) => time.format(new Date(iso)),
      longDate: (isoDate: string) => longDate.format(new Date(`${isoDate}T12:00:00Z`)),
    };
  }, [locale, timeZone]);
}
