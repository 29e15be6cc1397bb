import { useMemo } from 'react';
import type { ReportRate } from '../../api/types';
import { useI18n } from '../../i18n/i18n';

export const DASH = '—';

/** Numbers as the report shows them, in the user's language ("52.5 %" / "52,5 %"). */
export function useReportFormat() {
  const { locale, t } = useI18n();
  return useMemo(() => {
    const tag = locale === 'fr' ? 'fr-FR' : 'en-GB';
    const one = new Intl.NumberFormat(tag, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    const two = new Intl.NumberFormat(tag, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const whole = new Intl.NumberFormat(tag, { maximumFractionDigits: 0 });
    const signed = (f: Intl.NumberFormat, v: number) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${f.format(Math.abs(v))}`;
    const percent = (share: number | null) => (share === null ? DASH : `${one.format(share * 100)}\u00a0%`);
    return {
      count: (v: number) => whole.format(v),
      percent,
      /** "42 of 80 (52.5 %)"; the rate is a dash when the denominator is 0. */
      ofCount: (r: ReportRate) => t('reports.ofCount', { numerator: whole.format(r.numerator), denominator: whole.format(r.denominator), rate: percent(r.rate) }),
      one: (v: number | null) => (v === null ? DASH : one.format(v)),
      /** With its sign (a minus sign, not a hyphen): a change or a gap. */
      signedOne: (v: number | null) => (v === null ? DASH : signed(one, v)),
      signedTwo: (v: number | null) => (v === null ? DASH : signed(two, v)),
      hours: (v: number | null) => (v === null ? DASH : t('reports.hours', { hours: one.format(v) })),
    };
  }, [locale, t]);
}
export type ReportFormat = ReturnType<typeof useReportFormat>;
